// Test support for tshark_wire_test: an iSCSI session with one PDU or more
// of each of the 18 types of RFC 3720 §10, with distinctive field values, in
// a plausible order, and a second connection whose login fails.
#pragma once

#include <array>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pcap/tcp_connection.h"
#include "wire/error.h"
#include "wire/pdu.h"
#include "wire/pdu_codec.h"

namespace iscsi::wire::tshark_check {

using capture::Direction;

// ---------------------------------------------------------------------------
// The session: distinctive values, plausible order.

struct Step {
  Direction from;
  Pdu pdu;
  bool login_phase = false;  // sent before digests take effect (§12.1)
  // SCSI layer fields tshark must show for this PDU's frame (CDB decoding).
  std::vector<std::pair<std::string, std::uint64_t>> scsi_fields;
  // For a Reject: the PDU whose header the data segment carries.
  std::optional<Pdu> rejected = std::nullopt;
  // The SCSI layer shows the data segment as "data.data" (tshark's SCSI
  // dissector shows read data only with the final Data-In of a command).
  bool scsi_data_shown = false;
};

inline Bytes keys(std::initializer_list<std::string_view> pairs) {
  Bytes out;
  for (std::string_view p : pairs) {
    out.insert(out.end(), p.begin(), p.end());
    out.push_back(0);
  }
  return out;
}

inline Bytes pattern(std::size_t n, std::uint8_t seed) {
  Bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(seed + i * 31 + (i >> 8));
  return b;
}

constexpr std::uint64_t kLun3 = 0x0003000000000000;     // peripheral device addressing, LUN 3
constexpr std::uint64_t kLunFlat = 0x4123000000000000;  // flat space addressing, LUN 0x123
constexpr std::uint32_t kCmdSn = 0x01020304;
constexpr std::uint32_t kStatSn = 0x0a0b0c0d;
constexpr std::uint32_t kWindow = 0x20;
constexpr std::uint16_t kCid = 0x0a0b;
constexpr std::uint16_t kTsih = 0x1d2e;
const Isid kIsid{0, 0x23, 0x4567, 0x89, 0xabcd};  // OUI format (§10.12.5 T=00b)

inline std::string digest_name(bool on) {
  return on ? "CRC32C" : "None";
}

inline std::vector<Step> full_session(DigestSettings digests) {
  std::vector<Step> s;
  std::uint32_t cmd_sn = kCmdSn, stat_sn = kStatSn;
  const std::string hd = "HeaderDigest=" + digest_name(digests.header);
  const std::string dd = "DataDigest=" + digest_name(digests.data);

  {  // §10.12: operational negotiation straight to full feature phase.
    LoginRequest p;
    p.transit = true;
    p.csg = 1;
    p.nsg = 3;
    p.version_max = 0;
    p.version_min = 0;
    p.isid = kIsid;
    p.tsih = 0;
    p.initiator_task_tag = 0x1a2b3c01;
    p.cid = kCid;
    p.cmd_sn = cmd_sn;
    p.exp_stat_sn = stat_sn;
    p.data = keys({"InitiatorName=iqn.2024-01.org.example.initiator:host-1",
                   "TargetName=iqn.2024-01.org.example.target:disk0", "SessionType=Normal", hd, dd,
                   "MaxRecvDataSegmentLength=65536", "ImmediateData=Yes"});
    s.push_back({Direction::ClientToServer, p, true, {}});
  }
  {
    LoginResponse p;
    p.transit = true;
    p.csg = 1;
    p.nsg = 3;
    p.version_max = 0;
    p.version_active = 0;
    p.isid = kIsid;
    p.tsih = kTsih;
    p.initiator_task_tag = 0x1a2b3c01;
    p.stat_sn = stat_sn++;
    p.exp_cmd_sn = cmd_sn;  // the Login Request is immediate: CmdSN does not advance
    p.max_cmd_sn = cmd_sn + kWindow;
    p.data = keys(
        {hd, dd, "MaxRecvDataSegmentLength=262144", "ImmediateData=Yes", "TargetPortalGroupTag=1"});
    s.push_back({Direction::ServerToClient, p, true, {}});
  }
  {  // Text negotiation, the response split with the C bit (§10.11.2).
    TextRequest p;
    p.final = true;
    p.lun = 0;
    p.initiator_task_tag = 0x1a2b3c02;
    p.target_transfer_tag = kReservedTag;
    p.cmd_sn = cmd_sn++;
    p.exp_stat_sn = stat_sn;
    p.data = keys({"SendTargets=All"});
    s.push_back({Direction::ClientToServer, p, false, {}});
  }
  {
    TextResponse p;
    p.final = false;
    p.continue_ = true;
    p.initiator_task_tag = 0x1a2b3c02;
    p.target_transfer_tag = 0x4b4b0001;
    p.stat_sn = stat_sn++;
    p.exp_cmd_sn = cmd_sn;
    p.max_cmd_sn = cmd_sn + kWindow;
    p.data = keys({"TargetName=iqn.2024-01.org.example.target:disk0"});
    s.push_back({Direction::ServerToClient, p, false, {}});
  }
  {
    TextRequest p;  // empty request asking for the rest
    p.final = true;
    p.initiator_task_tag = 0x1a2b3c02;
    p.target_transfer_tag = 0x4b4b0001;
    p.cmd_sn = cmd_sn++;
    p.exp_stat_sn = stat_sn;
    s.push_back({Direction::ClientToServer, p, false, {}});
  }
  {
    TextResponse p;
    p.final = true;
    p.initiator_task_tag = 0x1a2b3c02;
    p.target_transfer_tag = kReservedTag;
    p.stat_sn = stat_sn++;
    p.exp_cmd_sn = cmd_sn;
    p.max_cmd_sn = cmd_sn + kWindow;
    p.data = keys({"TargetName=iqn.2024-01.org.example.target:tape1"});
    s.push_back({Direction::ServerToClient, p, false, {}});
  }
  // WRITE(10) of 4096 bytes: 1024 immediate, the rest solicited by an R2T.
  const std::uint32_t write_itt = 0x1a2b3c03;
  {
    ScsiCommand p;
    p.final = true;
    p.write = true;
    p.attr = ScsiCommand::Ordered;
    p.lun = kLun3;
    p.initiator_task_tag = write_itt;
    p.expected_data_transfer_length = 4096;
    p.cmd_sn = cmd_sn++;
    p.exp_stat_sn = stat_sn;
    p.cdb = {0x2a, 0x00, 0x00, 0x12, 0x34, 0x56, 0x00, 0x00, 0x08, 0x00};  // LBA 0x123456, 8 blocks
    p.data = pattern(1024, 0x11);
    s.push_back({Direction::ClientToServer,
                 p,
                 false,
                 {{"scsi_sbc.opcode", 0x2a},
                  {"scsi_sbc.rdwr10.lba", 0x123456},
                  {"scsi_sbc.rdwr10.xferlen", 8}}});
  }
  {
    ReadyToTransfer p;
    p.lun = kLun3;
    p.initiator_task_tag = write_itt;
    p.target_transfer_tag = 0x7e7e0001;
    p.stat_sn = stat_sn;  // §10.8.3: the next StatSN, not advanced by the R2T
    p.exp_cmd_sn = cmd_sn;
    p.max_cmd_sn = cmd_sn + kWindow;
    p.r2t_sn = 0;
    p.buffer_offset = 1024;
    p.desired_data_transfer_length = 3072;
    s.push_back({Direction::ServerToClient, p, false, {}});
  }
  {
    ScsiDataOut p;
    p.final = true;
    p.lun = kLun3;
    p.initiator_task_tag = write_itt;
    p.target_transfer_tag = 0x7e7e0001;
    p.exp_stat_sn = stat_sn;
    p.data_sn = 0;
    p.buffer_offset = 1024;
    p.data = pattern(3072, 0x22);  // spans three TCP segments at MSS 1460
    s.push_back({Direction::ClientToServer, p, false, {}, std::nullopt, true});
  }
  {
    ScsiResponse p;
    p.response = ScsiResponse::CommandCompleted;
    p.status = 0x00;  // GOOD
    p.initiator_task_tag = write_itt;
    p.stat_sn = stat_sn++;
    p.exp_cmd_sn = cmd_sn;
    p.max_cmd_sn = cmd_sn + kWindow;
    p.exp_data_sn = 1;  // §10.4.8: one R2T was sent for the command
    s.push_back({Direction::ServerToClient, p, false, {}});
  }
  // READ(10) of 8192 bytes answered with 6141: two Data-In PDUs, the second
  // with status and an underflow residual (§10.7).
  const std::uint32_t read_itt = 0x1a2b3c04;
  {
    ScsiCommand p;
    p.final = true;
    p.read = true;
    p.attr = ScsiCommand::Simple;
    p.lun = kLun3;
    p.initiator_task_tag = read_itt;
    p.expected_data_transfer_length = 8192;
    p.cmd_sn = cmd_sn++;
    p.exp_stat_sn = stat_sn;
    p.cdb = {0x28, 0x00, 0x00, 0x65, 0x43, 0x21, 0x00, 0x00, 0x10, 0x00};  // 16 blocks
    s.push_back({Direction::ClientToServer,
                 p,
                 false,
                 {{"scsi_sbc.opcode", 0x28},
                  {"scsi_sbc.rdwr10.lba", 0x654321},
                  {"scsi_sbc.rdwr10.xferlen", 16}}});
  }
  {
    ScsiDataIn p;
    p.final = false;
    p.acknowledge = true;  // DataACK requested (ErrorRecoveryLevel > 0, §10.7.2)
    p.lun = kLun3;
    p.initiator_task_tag = read_itt;
    p.target_transfer_tag = 0x5d5d0001;  // §10.7.4: a TTT when A is set
    p.exp_cmd_sn = cmd_sn;
    p.max_cmd_sn = cmd_sn + kWindow;
    p.data_sn = 0;
    p.buffer_offset = 0;
    p.data = pattern(4096, 0x33);
    s.push_back({Direction::ServerToClient, p, false, {}});
  }
  {
    SnackRequest p;  // the DataACK for the Data-In above (§10.16)
    p.type = SnackRequest::DataAck;
    p.lun = kLun3;
    p.initiator_task_tag = kReservedTag;
    p.target_transfer_tag = 0x5d5d0001;
    p.exp_stat_sn = stat_sn;
    p.beg_run = 1;  // §10.16.6: the next expected DataSN
    p.run_length = 0;
    s.push_back({Direction::ClientToServer, p, false, {}});
  }
  {
    ScsiDataIn p;
    p.final = true;
    p.status_present = true;
    p.residual_underflow = true;
    p.status = 0x00;
    p.lun = kLun3;
    p.initiator_task_tag = read_itt;
    p.target_transfer_tag = kReservedTag;
    p.stat_sn = stat_sn++;
    p.exp_cmd_sn = cmd_sn;
    p.max_cmd_sn = cmd_sn + kWindow;
    p.data_sn = 1;
    p.buffer_offset = 4096;
    p.data = pattern(2045, 0x44);  // three bytes of padding
    p.residual_count = 8192 - 4096 - 2045;
    s.push_back({Direction::ServerToClient, p, false, {}, std::nullopt, true});
  }
  // A bidirectional command with both AHS types (§10.2.2.3, §10.2.2.4): a
  // 32-byte variable-length CDB, XDWRITEREAD(32).
  const std::uint32_t bidi_itt = 0x1a2b3c05;
  {
    ScsiCommand p;
    p.final = true;
    p.read = true;
    p.write = true;
    p.attr = ScsiCommand::HeadOfQueue;
    p.lun = kLunFlat;
    p.initiator_task_tag = bidi_itt;
    p.expected_data_transfer_length = 512;
    p.cmd_sn = cmd_sn++;
    p.exp_stat_sn = stat_sn;
    std::array<std::uint8_t, 32> cdb{};
    cdb[0] = 0x7f;  // variable-length CDB
    cdb[7] = 0x18;  // additional CDB length: 24
    cdb[8] = 0x00;
    cdb[9] = 0x07;   // service action XDWRITEREAD(32)
    cdb[12] = 0x01;  // LBA 0x0102030405060708
    cdb[13] = 0x02;
    cdb[14] = 0x03;
    cdb[15] = 0x04;
    cdb[16] = 0x05;
    cdb[17] = 0x06;
    cdb[18] = 0x07;
    cdb[19] = 0x08;
    cdb[31] = 0x01;  // transfer length: 1 block
    std::copy(cdb.begin(), cdb.begin() + 16, p.cdb.begin());
    p.ahs.push_back(make_extended_cdb_ahs(ByteView(cdb).subspan(16)));
    p.ahs.push_back(make_bidi_read_length_ahs(0x00000200));
    p.data = pattern(512, 0x55);
    s.push_back({Direction::ClientToServer,
                 p,
                 false,
                 {{"scsi_sbc.opcode", 0x7f},
                  {"scsi.spc.addcdblen", 0x18},
                  {"scsi.spc.svcaction", 0x0007}}});
  }
  {
    ScsiResponse p;  // CHECK CONDITION with sense data (§10.4.7)
    p.bidi_read_residual_underflow = true;
    p.residual_underflow = true;
    p.response = ScsiResponse::CommandCompleted;
    p.status = 0x02;
    p.initiator_task_tag = bidi_itt;
    p.snack_tag = 0;
    p.stat_sn = stat_sn++;
    p.exp_cmd_sn = cmd_sn;
    p.max_cmd_sn = cmd_sn + kWindow;
    p.exp_data_sn = 0;
    p.bidi_read_residual_count = 0x200;
    p.residual_count = 0x200;
    // SenseLength 18, fixed-format sense: ILLEGAL REQUEST, INVALID FIELD IN CDB.
    p.data = {0x00, 0x12, 0x70, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x0a,
              0x00, 0x00, 0x00, 0x00, 0x24, 0x00, 0x00, 0x00, 0x00, 0x00};
    s.push_back({Direction::ServerToClient,
                 p,
                 false,
                 {{"scsi.sns.errtype", 0x70},
                  {"scsi.sns.key", 0x05},
                  {"scsi.sns.asc", 0x24},
                  {"scsi.sns.ascq", 0x00}}});
  }
  {
    TaskManagementRequest p;
    p.immediate = true;
    p.function = TaskManagementRequest::AbortTask;
    p.lun = kLun3;
    p.initiator_task_tag = 0x1a2b3c06;
    p.referenced_task_tag = read_itt;
    p.cmd_sn = cmd_sn;  // immediate: not advanced
    p.exp_stat_sn = stat_sn;
    p.ref_cmd_sn = kCmdSn + 4;
    p.exp_data_sn = 2;
    s.push_back({Direction::ClientToServer, p, false, {}});
  }
  {
    TaskManagementResponse p;
    p.response = TaskManagementResponse::TaskDoesNotExist;
    p.initiator_task_tag = 0x1a2b3c06;
    p.stat_sn = stat_sn++;
    p.exp_cmd_sn = cmd_sn;
    p.max_cmd_sn = cmd_sn + kWindow;
    s.push_back({Direction::ServerToClient, p, false, {}});
  }
  const Bytes ping = bytes_of("ping-0123456789");  // 15 bytes: one byte of padding
  {
    NopOut p;
    p.immediate = true;
    p.lun = kLun3;
    p.initiator_task_tag = 0x1a2b3c07;
    p.target_transfer_tag = kReservedTag;
    p.cmd_sn = cmd_sn;
    p.exp_stat_sn = stat_sn;
    p.data = ping;
    s.push_back({Direction::ClientToServer, p, false, {}});
  }
  {
    NopIn p;
    p.lun = kLun3;
    p.initiator_task_tag = 0x1a2b3c07;
    p.target_transfer_tag = kReservedTag;
    p.stat_sn = stat_sn++;
    p.exp_cmd_sn = cmd_sn;
    p.max_cmd_sn = cmd_sn + kWindow;
    p.data = ping;
    s.push_back({Direction::ServerToClient, p, false, {}});
  }
  {
    NopIn p;  // target-initiated ping (§10.19): ITT reserved, a TTT
    p.lun = kLunFlat;
    p.initiator_task_tag = kReservedTag;
    p.target_transfer_tag = 0x3c3c0001;
    p.stat_sn = stat_sn;  // §10.19: not advanced when ITT is 0xffffffff
    p.exp_cmd_sn = cmd_sn;
    p.max_cmd_sn = cmd_sn + kWindow;
    s.push_back({Direction::ServerToClient, p, false, {}});
  }
  {
    NopOut p;  // the answer: same LUN and TTT, ITT reserved
    p.immediate = true;
    p.lun = kLunFlat;
    p.initiator_task_tag = kReservedTag;
    p.target_transfer_tag = 0x3c3c0001;
    p.cmd_sn = cmd_sn;
    p.exp_stat_sn = stat_sn;
    s.push_back({Direction::ClientToServer, p, false, {}});
  }
  {
    SnackRequest p;  // Status SNACK for two responses (§10.16)
    p.type = SnackRequest::Status;
    p.lun = 0;
    p.initiator_task_tag = kReservedTag;
    p.target_transfer_tag = 0;
    p.exp_stat_sn = stat_sn - 2;
    p.beg_run = stat_sn - 2;
    p.run_length = 2;
    s.push_back({Direction::ClientToServer, p, false, {}});
  }
  {
    AsyncMessage p;  // SCSI asynchronous event with sense data (§10.9.1)
    p.lun = kLun3;
    p.initiator_task_tag = kReservedTag;
    p.stat_sn = stat_sn++;
    p.exp_cmd_sn = cmd_sn;
    p.max_cmd_sn = cmd_sn + kWindow;
    p.async_event = AsyncMessage::ScsiAsyncEvent;
    // SenseLength 18: UNIT ATTENTION, CAPACITY DATA HAS CHANGED.
    p.data = {0x00, 0x12, 0x70, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x0a,
              0x00, 0x00, 0x00, 0x00, 0x2a, 0x09, 0x00, 0x00, 0x00, 0x00};
    s.push_back({Direction::ServerToClient,
                 p,
                 false,
                 {{"scsi.sns.errtype", 0x70},
                  {"scsi.sns.key", 0x06},
                  {"scsi.sns.asc", 0x2a},
                  {"scsi.sns.ascq", 0x09}}});
  }
  {
    AsyncMessage p;  // connection dropping: Parameter1 CID, 2 Time2Wait, 3 Time2Retain
    p.lun = 0;
    p.initiator_task_tag = kReservedTag;
    p.stat_sn = stat_sn++;
    p.exp_cmd_sn = cmd_sn;
    p.max_cmd_sn = cmd_sn + kWindow;
    p.async_event = AsyncMessage::ConnectionDropping;
    p.async_vcode = 0;
    p.parameter1 = kCid;
    p.parameter2 = 0x0102;
    p.parameter3 = 0x0304;
    s.push_back({Direction::ServerToClient, p, false, {}});
  }
  {
    Reject p;  // §10.17: the data segment is the rejected PDU's header
    p.reason = static_cast<std::uint8_t>(RejectReason::InvalidPduField);
    p.initiator_task_tag = kReservedTag;
    p.stat_sn = stat_sn++;
    p.exp_cmd_sn = cmd_sn;
    p.max_cmd_sn = cmd_sn + kWindow;
    p.data_sn = 0x0c0d0e0f;
    NopOut bad;
    bad.initiator_task_tag = 0x1a2b3c08;
    bad.cmd_sn = cmd_sn;
    bad.exp_stat_sn = stat_sn - 1;
    const auto bhs = encode_bhs(bad);
    p.data.assign(bhs.begin(), bhs.end());
    s.push_back({Direction::ServerToClient, p, false, {}, Pdu(bad)});
  }
  {
    LogoutRequest p;
    p.immediate = true;
    p.reason_code = LogoutRequest::CloseConnection;
    p.initiator_task_tag = 0x1a2b3c09;
    p.cid = kCid;
    p.cmd_sn = cmd_sn;
    p.exp_stat_sn = stat_sn;
    s.push_back({Direction::ClientToServer, p, false, {}});
  }
  {
    LogoutResponse p;
    p.response = LogoutResponse::ClosedSuccessfully;
    p.initiator_task_tag = 0x1a2b3c09;
    p.stat_sn = stat_sn++;
    p.exp_cmd_sn = cmd_sn;
    p.max_cmd_sn = cmd_sn + kWindow;
    p.time2wait = 0x0005;
    p.time2retain = 0x0014;
    s.push_back({Direction::ServerToClient, p, false, {}});
  }
  return s;
}

// A second connection whose login fails: text split with the C bit
// (§10.12.2), then an authentication failure (§10.13.5, status 0x0201).
inline std::vector<Step> failed_login() {
  std::vector<Step> s;
  const Isid isid{1, 0, 0x0001, 0x37, 0x2468};  // IANA enterprise number format
  {
    LoginRequest p;
    p.continue_ = true;
    p.csg = 0;
    p.nsg = 0;
    p.isid = isid;
    p.initiator_task_tag = 0x2b3c4d01;
    p.cid = 1;
    p.cmd_sn = 0x33;
    p.exp_stat_sn = 0x44;
    p.data = keys({"InitiatorName=iqn.2024-01.org.example.initiator:host-2"});
    s.push_back({Direction::ClientToServer, p, true, {}});
  }
  {
    LoginResponse p;  // empty answer to a C=1 request
    p.csg = 0;
    p.nsg = 0;
    p.isid = isid;
    p.initiator_task_tag = 0x2b3c4d01;
    p.stat_sn = 0x44;
    p.exp_cmd_sn = 0x33;
    p.max_cmd_sn = 0x33;
    s.push_back({Direction::ServerToClient, p, true, {}});
  }
  {
    LoginRequest p;
    p.transit = true;
    p.csg = 0;
    p.nsg = 1;
    p.isid = isid;
    p.initiator_task_tag = 0x2b3c4d01;
    p.cid = 1;
    p.cmd_sn = 0x33;
    p.exp_stat_sn = 0x44;
    p.data = keys({"SessionType=Discovery", "AuthMethod=CHAP,None"});
    s.push_back({Direction::ClientToServer, p, true, {}});
  }
  {
    LoginResponse p;
    p.version_max = 0;
    p.version_active = 0;
    p.isid = isid;
    p.initiator_task_tag = 0x2b3c4d01;
    p.stat_sn = 0x44;
    p.exp_cmd_sn = 0x33;
    p.max_cmd_sn = 0x33;
    p.status_class = 0x02;
    p.status_detail = 0x01;
    s.push_back({Direction::ServerToClient, p, true, {}});
  }
  return s;
}

}  // namespace iscsi::wire::tshark_check
