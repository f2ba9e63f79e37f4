// Fuzzes the SCSI layer (SPC-4, SBC-3) below the iSCSI session: CDBs with
// parameter lists (PERSISTENT RESERVE OUT, UNMAP, MODE SELECT, COMPARE AND
// WRITE, WRITE SAME), block commands and target-level commands, from several
// I_T nexuses, against a scsi::ScsiTarget with a small RAM logical unit,
// mixed with resets and nexus losses. Each command goes through plan() and,
// unless that ends it, execute(), as the session layer drives them.
// Checked:
//   - a result never carries more Data-In than the capacity given, and has
//     sense data exactly when its status is CHECK CONDITION, in fixed format
//     that decodes back to the same sense (SPC-4 §4.5.3);
//   - plan() and inspect() agree on direction and transfer length for a CDB
//     plan() accepts (inspect is plan without state);
//   - what a WRITE stored is what a later READ returns (SBC-3), for blocks no
//     other command has touched since.
#include <fuzzer/FuzzedDataProvider.h>

#include <array>
#include <cstdint>
#include <vector>

#include "scsi/scsi_target.h"
#include "support/fuzz_check.h"
#include "support/ram_scsi_port.h"

using namespace iscsi;

namespace {

constexpr std::uint64_t kLun0 = 0;
constexpr std::uint64_t kLun1 = 0x0001000000000000ULL;

struct Command {
  std::vector<std::uint8_t> cdb;
  wire::Bytes data_out;
};

// What the test knows of LUN 0's blocks: written by a WRITE that completed
// GOOD, or unknown.
class Shadow {
 public:
  Shadow(std::uint32_t blocks, std::uint32_t block_size)
      : block_size_(block_size), known_(blocks, false), data_(std::size_t{blocks} * block_size) {}

  void forget() { std::fill(known_.begin(), known_.end(), false); }
  void store(std::uint64_t lba, wire::ByteView bytes) {
    for (std::size_t i = 0; i * block_size_ < bytes.size() && lba + i < known_.size(); ++i) {
      known_[lba + i] = true;
      std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(i * block_size_), block_size_,
                  data_.begin() + static_cast<std::ptrdiff_t>((lba + i) * block_size_));
    }
  }
  void compare(std::uint64_t lba, wire::ByteView bytes) const {
    for (std::size_t i = 0; (i + 1) * block_size_ <= bytes.size() && lba + i < known_.size(); ++i) {
      if (!known_[lba + i]) continue;
      const bool same =
          std::equal(bytes.begin() + static_cast<std::ptrdiff_t>(i * block_size_),
                     bytes.begin() + static_cast<std::ptrdiff_t>((i + 1) * block_size_),
                     data_.begin() + static_cast<std::ptrdiff_t>((lba + i) * block_size_));
      FUZZ_CHECK(same, "READ of block " + std::to_string(lba + i) +
                           " does not return what WRITE stored there");
    }
  }

 private:
  std::uint32_t block_size_;
  std::vector<bool> known_;
  wire::Bytes data_;
};

wire::Bytes parameter_list(FuzzedDataProvider& in, std::size_t max) {
  return in.ConsumeBytes<std::uint8_t>(in.ConsumeIntegralInRange<std::size_t>(0, max));
}

void put16(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
  wire::store_be16(b.data() + at, static_cast<std::uint16_t>(v));
}
void put32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
  wire::store_be32(b.data() + at, v);
}

Command make_command(FuzzedDataProvider& in, std::uint32_t blocks, std::uint32_t block_size) {
  Command c;
  const auto lba = in.ConsumeIntegralInRange<std::uint32_t>(0, blocks + 1);
  const auto count = in.ConsumeIntegralInRange<std::uint32_t>(0, 9);
  switch (in.ConsumeIntegralInRange<int>(0, 19)) {
    case 0:  // PERSISTENT RESERVE OUT: REGISTER, RESERVE, RELEASE, CLEAR, PREEMPT, ...
    {
      c.cdb.assign(10, 0);
      c.cdb[0] = 0x5f;
      c.cdb[1] = in.ConsumeIntegralInRange<std::uint8_t>(0, 8);
      c.cdb[2] = in.PickValueInArray<std::uint8_t>({0x01, 0x03, 0x05, 0x06, 0x07, 0x08, 0x00});
      wire::Bytes list(24, 0);
      wire::store_be64(list.data(), in.ConsumeIntegralInRange<std::uint64_t>(0, 3));
      wire::store_be64(list.data() + 8, in.ConsumeIntegralInRange<std::uint64_t>(0, 3));
      list[20] = in.ConsumeIntegral<std::uint8_t>() & 0x0d;
      if (in.ConsumeIntegralInRange<int>(0, 3) == 0) list = parameter_list(in, 64);
      put32(c.cdb, 5,
            static_cast<std::uint32_t>(
                in.ConsumeBool() ? list.size() : in.ConsumeIntegralInRange<std::uint32_t>(0, 64)));
      c.data_out = std::move(list);
      break;
    }
    case 1:  // PERSISTENT RESERVE IN
      c.cdb.assign(10, 0);
      c.cdb[0] = 0x5e;
      c.cdb[1] = in.ConsumeIntegralInRange<std::uint8_t>(0, 4);
      put16(c.cdb, 7, in.ConsumeIntegralInRange<std::uint32_t>(0, 512));
      break;
    case 2: {  // UNMAP with block descriptors
      c.cdb.assign(10, 0);
      c.cdb[0] = 0x42;
      const auto n = in.ConsumeIntegralInRange<std::size_t>(0, 4);
      wire::Bytes list(8 + 16 * n, 0);
      wire::store_be16(list.data(), static_cast<std::uint16_t>(list.size() - 2));
      wire::store_be16(list.data() + 2, static_cast<std::uint16_t>(16 * n));
      for (std::size_t i = 0; i < n; ++i) {
        wire::store_be64(list.data() + 8 + 16 * i,
                         in.ConsumeIntegralInRange<std::uint64_t>(0, blocks + 2));
        wire::store_be32(list.data() + 16 + 16 * i,
                         in.ConsumeIntegralInRange<std::uint32_t>(0, blocks + 2));
      }
      if (in.ConsumeIntegralInRange<int>(0, 3) == 0) list = parameter_list(in, 128);
      put16(c.cdb, 7,
            static_cast<std::uint32_t>(
                in.ConsumeBool() ? list.size() : in.ConsumeIntegralInRange<std::uint32_t>(0, 128)));
      c.data_out = std::move(list);
      break;
    }
    case 3:  // MODE SELECT(6) / (10) with a mode page
    {
      const bool ten = in.ConsumeBool();
      c.cdb.assign(ten ? 10 : 6, 0);
      c.cdb[0] = ten ? 0x55 : 0x15;
      c.cdb[1] = in.ConsumeBool() ? 0x10 : in.ConsumeIntegralInRange<std::uint8_t>(0, 0x11);
      wire::Bytes list(ten ? 8 : 4, 0);
      const std::uint8_t page = in.PickValueInArray<std::uint8_t>({0x08, 0x0a, 0x1c, 0x01, 0x3f});
      const std::uint8_t page_len = in.PickValueInArray<std::uint8_t>({0x12, 0x0a, 0x0a, 0x06});
      list.push_back(page);
      list.push_back(page_len);
      auto body = in.ConsumeBytes<std::uint8_t>(page_len);
      body.resize(page_len);
      list.insert(list.end(), body.begin(), body.end());
      if (in.ConsumeIntegralInRange<int>(0, 3) == 0) list = parameter_list(in, 64);
      const auto len = static_cast<std::uint32_t>(
          in.ConsumeBool() ? list.size() : in.ConsumeIntegralInRange<std::uint32_t>(0, 64));
      if (ten) {
        put16(c.cdb, 7, len);
      } else {
        c.cdb[4] = static_cast<std::uint8_t>(len);
      }
      c.data_out = std::move(list);
      break;
    }
    case 4:  // COMPARE AND WRITE: verify data then write data
      c.cdb.assign(16, 0);
      c.cdb[0] = 0x89;
      wire::store_be64(c.cdb.data() + 2, lba);
      c.cdb[13] = static_cast<std::uint8_t>(count);
      c.data_out = parameter_list(in, 2 * std::size_t{count} * block_size + 8);
      break;
    case 5:  // WRITE SAME(10) / (16), with or without UNMAP
    {
      const bool sixteen = in.ConsumeBool();
      c.cdb.assign(sixteen ? 16 : 10, 0);
      c.cdb[0] = sixteen ? 0x93 : 0x41;
      c.cdb[1] = in.PickValueInArray<std::uint8_t>({0x00, 0x08, 0x01, 0x10});
      if (sixteen) {
        wire::store_be64(c.cdb.data() + 2, lba);
        put32(c.cdb, 10, count);
      } else {
        put32(c.cdb, 2, lba);
        put16(c.cdb, 7, count);
      }
      c.data_out = parameter_list(in, block_size + 4);
      break;
    }
    case 6:
    case 7:  // WRITE(10) / READ(10)
    case 8: {
      c.cdb.assign(10, 0);
      const bool write = in.ConsumeBool();
      c.cdb[0] = write ? 0x2a : 0x28;
      c.cdb[1] = in.ConsumeBool() ? 0x08 : 0;  // FUA
      put32(c.cdb, 2, lba);
      put16(c.cdb, 7, count);
      if (write) {
        c.data_out.resize(std::size_t{count} * block_size);
        const auto fill = in.ConsumeIntegral<std::uint8_t>();
        for (std::size_t i = 0; i < c.data_out.size(); ++i)
          c.data_out[i] = static_cast<std::uint8_t>(fill + i);
        if (in.ConsumeIntegralInRange<int>(0, 7) == 0)
          c.data_out.resize(in.ConsumeIntegralInRange<std::size_t>(0, c.data_out.size()));
      }
      break;
    }
    case 9:  // READ(16) / WRITE(16) / VERIFY(16)
      c.cdb.assign(16, 0);
      c.cdb[0] = in.PickValueInArray<std::uint8_t>({0x88, 0x8a, 0x8f});
      c.cdb[1] = in.ConsumeIntegralInRange<std::uint8_t>(0, 0xff) & 0x0e;
      wire::store_be64(c.cdb.data() + 2,
                       in.ConsumeBool() ? lba : in.ConsumeIntegral<std::uint64_t>());
      put32(c.cdb, 10, in.ConsumeBool() ? count : in.ConsumeIntegral<std::uint32_t>());
      c.data_out = parameter_list(in, std::size_t{count} * block_size);
      break;
    case 10:  // GET LBA STATUS, READ CAPACITY(16)
      c.cdb.assign(16, 0);
      c.cdb[0] = 0x9e;
      c.cdb[1] = in.PickValueInArray<std::uint8_t>({0x10, 0x12, 0x11});
      wire::store_be64(c.cdb.data() + 2, lba);
      put32(c.cdb, 10, in.ConsumeIntegralInRange<std::uint32_t>(0, 600));
      break;
    case 11:  // INQUIRY and its VPD pages
      c.cdb.assign(6, 0);
      c.cdb[0] = 0x12;
      c.cdb[1] = in.ConsumeIntegralInRange<std::uint8_t>(0, 3);
      c.cdb[2] =
          in.PickValueInArray<std::uint8_t>({0x00, 0x80, 0x83, 0x86, 0xb0, 0xb1, 0xb2, 0x89});
      put16(c.cdb, 3, in.ConsumeIntegralInRange<std::uint32_t>(0, 600));
      break;
    case 12:  // MODE SENSE(6) / (10)
    {
      const bool ten = in.ConsumeBool();
      c.cdb.assign(ten ? 10 : 6, 0);
      c.cdb[0] = ten ? 0x5a : 0x1a;
      c.cdb[1] = in.ConsumeIntegralInRange<std::uint8_t>(0, 0x18);
      c.cdb[2] = static_cast<std::uint8_t>(
          in.ConsumeIntegralInRange<std::uint8_t>(0, 3) << 6 |
          in.PickValueInArray<std::uint8_t>({0x3f, 0x08, 0x0a, 0x1c, 0x00}));
      c.cdb[3] = in.PickValueInArray<std::uint8_t>({0x00, 0xff, 0x01});
      if (ten) {
        put16(c.cdb, 7, in.ConsumeIntegralInRange<std::uint32_t>(0, 600));
      } else {
        c.cdb[4] = in.ConsumeIntegral<std::uint8_t>();
      }
      break;
    }
    case 13:  // REPORT LUNS, REQUEST SENSE, TEST UNIT READY, START STOP UNIT, SYNCHRONIZE CACHE
    {
      const std::uint8_t op =
          in.PickValueInArray<std::uint8_t>({0xa0, 0x03, 0x00, 0x1b, 0x35, 0x91, 0x25});
      c.cdb.assign(op >= 0x80 ? 16 : (op >= 0x20 ? 10 : 6), 0);
      if (op == 0xa0) c.cdb.assign(12, 0);
      c.cdb[0] = op;
      for (std::size_t i = 1; i < c.cdb.size(); ++i) {
        c.cdb[i] =
            in.ConsumeIntegralInRange<int>(0, 3) == 0 ? in.ConsumeIntegral<std::uint8_t>() : 0;
      }
      if (op == 0xa0) put32(c.cdb, 6, in.ConsumeIntegralInRange<std::uint32_t>(0, 300));
      if (op == 0x03) c.cdb[4] = 252;
      break;
    }
    case 14:  // READ(6) / WRITE(6) / READ(12) / WRITE(12) / VERIFY(10) / VERIFY(12)
    {
      const std::uint8_t op =
          in.PickValueInArray<std::uint8_t>({0x08, 0x0a, 0xa8, 0xaa, 0x2f, 0xaf});
      c.cdb.assign(op < 0x20 ? 6 : (op >= 0xa0 ? 12 : 10), 0);
      c.cdb[0] = op;
      if (op < 0x20) {
        c.cdb[3] = static_cast<std::uint8_t>(lba);
        c.cdb[4] = static_cast<std::uint8_t>(count);
      } else {
        c.cdb[1] = in.ConsumeIntegralInRange<std::uint8_t>(0, 0xff) & 0x0e;
        put32(c.cdb, 2, lba);
        if (op >= 0xa0) {
          put32(c.cdb, 6, count);
        } else {
          put16(c.cdb, 7, count);
        }
      }
      c.data_out = parameter_list(in, std::size_t{count == 0 ? 256 : count} * block_size);
      break;
    }
    default: {  // anything, any length
      c.cdb = in.ConsumeBytes<std::uint8_t>(in.ConsumeIntegralInRange<std::size_t>(0, 32));
      c.data_out = parameter_list(in, 1024);
      break;
    }
  }
  return c;
}

std::uint64_t lba_of(const std::vector<std::uint8_t>& cdb) {
  switch (cdb[0]) {
    case 0x28:
    case 0x2a:
      return wire::load_be32(cdb.data() + 2);
    default:
      return wire::load_be64(cdb.data() + 2);
  }
}

void check_result(const scsi::Result& r, std::uint32_t capacity) {
  FUZZ_CHECK(r.data_in.size() <= capacity, "Data-In of " + std::to_string(r.data_in.size()) +
                                               " bytes for a capacity of " +
                                               std::to_string(capacity));
  FUZZ_CHECK((r.status == scsi::Status::CheckCondition) == r.sense.has_value(),
             "sense data without CHECK CONDITION, or CHECK CONDITION without sense");
  if (r.sense) {
    const wire::Bytes fixed = r.sense->fixed();
    FUZZ_CHECK(fixed.size() == scsi::kFixedSenseLength, "fixed sense of an odd length");
    const auto back = scsi::decode_fixed_sense(fixed);
    FUZZ_CHECK(back.has_value(), "fixed sense that does not decode");
    FUZZ_CHECK(
        back->key == r.sense->key && back->asc == r.sense->asc && back->ascq == r.sense->ascq,
        "fixed sense decodes to another condition: " + r.sense->describe());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider in(data, size);
  fuzz::RamLunSetup setup;
  setup.block_size = in.ConsumeBool() ? 512 : 4096;
  setup.blocks = in.ConsumeIntegralInRange<std::uint32_t>(1, 64);
  setup.thin = in.ConsumeBool();
  setup.removable = in.ConsumeBool();
  setup.read_only = in.ConsumeIntegralInRange<int>(0, 7) == 0;
  auto port = fuzz::make_ram_scsi_port(setup);
  if (!port) return 0;
  scsi::ScsiTarget& target = port->target();
  const scsi::LogicalUnit* unit0 = target.find(kLun0);
  Shadow shadow(setup.blocks, setup.block_size);

  int steps = 0;
  while (in.remaining_bytes() > 0 && ++steps < 48) {
    const scsi::NexusId nexus = in.ConsumeIntegralInRange<scsi::NexusId>(1, 3);
    const int action = in.ConsumeIntegralInRange<int>(0, 15);
    if (action == 0) {
      target.reset(in.PickValueInArray({scsi::ResetKind::LogicalUnit, scsi::ResetKind::TargetWarm,
                                        scsi::ResetKind::TargetCold}),
                   in.ConsumeBool() ? kLun0 : kLun1);
      continue;
    }
    if (action == 1) {
      target.nexus_lost(nexus);
      continue;
    }
    std::uint64_t lun = kLun0;
    switch (in.ConsumeIntegralInRange<int>(0, 7)) {
      case 0:
        lun = kLun1;
        break;
      case 1:
        lun = in.ConsumeIntegral<std::uint64_t>();
        break;
      default:
        break;
    }
    Command c = make_command(in, setup.blocks, setup.block_size);
    const bool to_unit0 = target.find(lun) == unit0;

    const scsi::CommandInfo info = target.plan(lun, nexus, c.cdb);
    if (info.early) {
      check_result(*info.early, 0);
      FUZZ_CHECK(info.early->data_in.empty(), "a command that ended early returned data");
      continue;
    }
    const scsi::CommandInfo inspected = target.inspect(lun, c.cdb);
    FUZZ_CHECK(!inspected.early && inspected.direction == info.direction &&
                   inspected.transfer_length == info.transfer_length,
               "inspect() and plan() disagree on a CDB plan() accepts");
    // The session hands over at most what the CDB transfers.
    scsi::Request rq;
    rq.cdb = c.cdb;
    rq.nexus = nexus;
    if (info.direction == scsi::DataDirection::Write) {
      if (c.data_out.size() > info.transfer_length) c.data_out.resize(info.transfer_length);
      rq.data_out = c.data_out;
    }
    if (info.direction == scsi::DataDirection::Read) {
      rq.data_in_capacity =
          std::min(info.transfer_length, in.ConsumeBool()
                                             ? info.transfer_length
                                             : in.ConsumeIntegralInRange<std::uint32_t>(0, 70000));
    }
    const scsi::Result r = target.execute(lun, rq);
    check_result(r, rq.data_in_capacity);

    if (!to_unit0 || c.cdb.empty()) continue;
    const std::uint8_t op = c.cdb[0];
    const bool good = r.status == scsi::Status::Good;
    if ((op == 0x28 || op == 0x88) && good) {
      shadow.compare(lba_of(c.cdb), r.data_in);
    } else if ((op == 0x2a || op == 0x8a) && good && c.data_out.size() == info.transfer_length) {
      shadow.store(lba_of(c.cdb), c.data_out);
    } else if (info.direction == scsi::DataDirection::Write || op == 0x42 || op == 0x04) {
      // Anything else that may change the medium (UNMAP, WRITE SAME, COMPARE
      // AND WRITE, partial writes, ...) makes the shadow unknown.
      shadow.forget();
    }
  }
  return 0;
}
