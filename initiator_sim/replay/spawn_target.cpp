#include "replay/spawn_target.h"

#include <algorithm>
#include <map>
#include <set>

#include "scsi/lun_address.h"
#include "scsi/scsi_target.h"
#include "server/scsi_port_adapter.h"
#include "wire/text.h"

namespace iscsi::replay {

namespace {

constexpr std::string_view kDefaultTargetName = "iqn.2025-12.local:storage.disk1";
constexpr std::uint64_t kDefaultCapacity = std::uint64_t{64} << 20;
// Larger recorded capacities are served as this much (RAM is mapped lazily,
// but a replay needs no more than the capture touched).
constexpr std::uint64_t kMaxCapacity = std::uint64_t{64} << 30;

std::uint64_t be(wire::ByteView b, std::size_t at, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v = (v << 8) | b[at + i];
  return v;
}

struct LunShape {
  std::uint32_t block_size = 512;
  std::uint64_t capacity = kDefaultCapacity;
  bool thin = false;
  bool seen_capacity = false;
};

}  // namespace

SpawnPlan plan_spawn(const CaptureScript& script, const std::optional<std::string>& target_name,
                     const std::map<std::uint16_t, std::uint16_t>& lun_map) {
  SpawnPlan plan;
  std::set<std::string> names;
  std::map<std::uint16_t, LunShape> luns;
  // ITT -> (LUN, CDB) of recorded commands, per connection.
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::pair<std::uint16_t, wire::Bytes>> commands;
  auto lun_number = [&](std::uint64_t field) -> std::optional<std::uint16_t> {
    auto n = scsi::decode_lun(field);
    if (!n) return std::nullopt;
    if (const auto it = lun_map.find(*n); it != lun_map.end()) return it->second;
    return n;
  };
  for (const auto& p : script.pdus) {
    if (!p.pdu) continue;
    if (const auto* login = std::get_if<wire::LoginRequest>(&p.pdu.value())) {
      if (auto keys = wire::text::parse(login->data)) {
        for (const auto& kv : *keys) {
          if (kv.key == "TargetName") names.insert(kv.value);
        }
      }
    } else if (const auto* text = std::get_if<wire::TextResponse>(&p.pdu.value())) {
      if (auto keys = wire::text::parse(text->data)) {
        for (const auto& kv : *keys) {
          if (kv.key == "TargetName") names.insert(kv.value);
        }
      }
    } else if (const auto* cmd = std::get_if<wire::ScsiCommand>(&p.pdu.value())) {
      const auto n = lun_number(cmd->lun);
      if (!n) continue;
      luns.try_emplace(*n);
      commands[{p.connection, cmd->initiator_task_tag}] = {
          *n, wire::Bytes(cmd->cdb.begin(), cmd->cdb.end())};
    } else if (const auto* d = std::get_if<wire::ScsiDataIn>(&p.pdu.value())) {
      const auto it = commands.find({p.connection, d->initiator_task_tag});
      if (it == commands.end() || d->buffer_offset != 0) continue;
      const auto& [lun, cdb] = it->second;
      const wire::ByteView data(d->data);
      auto& shape = luns[lun];
      std::uint64_t last_lba = 0;
      std::uint32_t block = 0;
      if (cdb[0] == 0x25 && data.size() >= 8) {  // READ CAPACITY(10), SBC-3 §5.15
        last_lba = be(data, 0, 4);
        block = static_cast<std::uint32_t>(be(data, 4, 4));
        if (last_lba == 0xffffffff) continue;  // see READ CAPACITY(16)
      } else if (cdb[0] == 0x9e && (cdb[1] & 0x1f) == 0x10 && data.size() >= 12) {
        last_lba = be(data, 0, 8);  // READ CAPACITY(16), SBC-3 §5.16
        block = static_cast<std::uint32_t>(be(data, 8, 4));
        if (data.size() >= 15) shape.thin = (data[14] & 0x80) != 0;  // LBPME
      } else if (cdb[0] == 0xa0 && data.size() >= 8) {               // REPORT LUNS, SPC-4 §6.33
        const std::uint64_t length = be(data, 0, 4);
        for (std::size_t at = 8; at + 8 <= data.size() && at < 8 + length; at += 8) {
          if (const auto n = lun_number(be(data, at, 8))) luns.try_emplace(*n);
        }
        continue;
      } else {
        continue;
      }
      if (block != 512 && block != 4096) {
        plan.notes.push_back("LUN " + std::to_string(lun) + ": recorded block size " +
                             std::to_string(block) + " is not served; 512 used");
        block = 512;
      }
      shape.block_size = block;
      shape.capacity = std::min(kMaxCapacity, (last_lba + 1) * block);
      shape.seen_capacity = true;
    }
  }
  if (target_name) {
    plan.target_names = {*target_name};
  } else {
    plan.target_names.assign(names.begin(), names.end());
  }
  if (plan.target_names.empty()) plan.target_names.emplace_back(kDefaultTargetName);
  if (luns.empty()) luns.try_emplace(0);
  for (const auto& [n, shape] : luns) {
    scsi::LunSpec spec;
    spec.lun = n;
    spec.backend.kind = scsi::BackendKind::Ram;
    spec.backend.size = shape.capacity;
    spec.options.block_size = shape.block_size;
    spec.options.thin = shape.thin;
    plan.luns.push_back(spec);
    plan.notes.push_back(
        "LUN " + std::to_string(n) + ": ram, " + std::to_string(shape.capacity / shape.block_size) +
        " blocks of " + std::to_string(shape.block_size) + " bytes" + (shape.thin ? ", thin" : "") +
        (shape.seen_capacity ? " (from READ CAPACITY)" : " (default size)"));
  }
  return plan;
}

wire::Result<std::unique_ptr<SpawnedTarget>, std::string> spawn_target(const SpawnPlan& plan) {
  auto t = std::make_unique<SpawnedTarget>();
  for (const auto& name : plan.target_names) {
    auto scsi = std::make_unique<scsi::ScsiTarget>(name, 1);
    for (const auto& spec : plan.luns) {
      if (auto err = scsi->add(spec))
        return wire::Unexpected("LUN " + std::to_string(spec.lun) + ": " + *err);
    }
    auto port = std::make_shared<server::ScsiPortAdapter>(std::move(scsi));
    t->config.targets.push_back(session::TargetNode{name, "", 1, port.get()});
    t->ports.push_back(std::move(port));
  }
  t->config.portal_addresses = {"127.0.0.1:3260"};
  return t;
}

}  // namespace iscsi::replay
