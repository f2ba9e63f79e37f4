// Typed PDUs: one struct per PDU of RFC 3720 §10, with the RFC's field names.
//
// Every struct holds the fields its Basic Header Segment defines (reserved
// fields are not represented: the encoder writes them as zero, the decoder
// ignores them, §10 "Any compliant receiver MUST ignore any bit not defined
// and all reserved fields"), the Additional Header Segments (§10.2.2) and the
// data segment. TotalAHSLength and DataSegmentLength are not stored: they are
// the sizes of `ahs` and `data`.
#pragma once

#include <array>
#include <cstdint>
#include <variant>
#include <vector>

#include "wire/bytes.h"
#include "wire/opcode.h"

namespace iscsi::wire {

constexpr std::size_t kBhsLength = 48;
constexpr std::size_t kDigestLength = 4;
constexpr std::uint32_t kReservedTag = 0xffffffff;         // "0xffffffff" in ITT/TTT fields
constexpr std::uint32_t kMaxDataSegmentLength = 0xffffff;  // 24-bit field

// AHS types, §10.2.2.1.
enum class AhsType : std::uint8_t { ExtendedCdb = 1, BidirectionalReadLength = 2 };

// One Additional Header Segment, §10.2.2. `specific` is the AHS-Specific
// field; its length is AHSLength. Padding to 4 bytes is added on encode.
struct Ahs {
  std::uint8_t type = 0;
  Bytes specific;
  bool operator==(const Ahs&) const = default;
};

// The 48-bit ISID of Login Request/Response, §10.12.5: T (2 bits), A (6),
// B (16), C (8), D (16), most significant first.
struct Isid {
  std::uint8_t t = 0;
  std::uint8_t a = 0;
  std::uint16_t b = 0;
  std::uint8_t c = 0;
  std::uint16_t d = 0;
  static Isid from_u64(std::uint64_t v);
  std::uint64_t to_u64() const;
  bool operator==(const Isid&) const = default;
};

// §10.18 NOP-Out (0x00).
struct NopOut {
  bool immediate = false;
  std::uint64_t lun = 0;
  std::uint32_t initiator_task_tag = kReservedTag;
  std::uint32_t target_transfer_tag = kReservedTag;
  std::uint32_t cmd_sn = 0;
  std::uint32_t exp_stat_sn = 0;
  std::vector<Ahs> ahs;
  Bytes data;  // ping data
  bool operator==(const NopOut&) const = default;
};

// §10.3 SCSI Command (0x01).
struct ScsiCommand {
  enum TaskAttribute : std::uint8_t {
    Untagged = 0,
    Simple = 1,
    Ordered = 2,
    HeadOfQueue = 3,
    Aca = 4,
  };
  bool immediate = false;
  bool final = true;           // F
  bool read = false;           // R
  bool write = false;          // W
  std::uint8_t attr = Simple;  // ATTR, 3 bits
  std::uint64_t lun = 0;
  std::uint32_t initiator_task_tag = 0;
  std::uint32_t expected_data_transfer_length = 0;
  std::uint32_t cmd_sn = 0;
  std::uint32_t exp_stat_sn = 0;
  std::array<std::uint8_t, 16> cdb{};
  std::vector<Ahs> ahs;  // Extended CDB, Bidirectional Read Expected Data Transfer Length
  Bytes data;            // immediate data
  bool operator==(const ScsiCommand&) const = default;
};

// §10.5 Task Management Function Request (0x02).
struct TaskManagementRequest {
  enum Function : std::uint8_t {
    AbortTask = 1,
    AbortTaskSet = 2,
    ClearAca = 3,
    ClearTaskSet = 4,
    LogicalUnitReset = 5,
    TargetWarmReset = 6,
    TargetColdReset = 7,
    TaskReassign = 8,
  };
  bool immediate = false;
  std::uint8_t function = AbortTask;  // 7 bits
  std::uint64_t lun = 0;
  std::uint32_t initiator_task_tag = 0;
  std::uint32_t referenced_task_tag = kReservedTag;
  std::uint32_t cmd_sn = 0;
  std::uint32_t exp_stat_sn = 0;
  std::uint32_t ref_cmd_sn = 0;
  std::uint32_t exp_data_sn = 0;
  std::vector<Ahs> ahs;
  Bytes data;
  bool operator==(const TaskManagementRequest&) const = default;
};

// Login stages, §10.12.3.
enum class LoginStage : std::uint8_t {
  SecurityNegotiation = 0,
  LoginOperationalNegotiation = 1,
  Reserved = 2,
  FullFeaturePhase = 3,
};

// §10.12 Login Request (0x03).
// The I bit is fixed at 1 by the figure and is therefore not a field.
struct LoginRequest {
  bool transit = false;    // T
  bool continue_ = false;  // C
  std::uint8_t csg = 0;    // CSG, 2 bits
  std::uint8_t nsg = 0;    // NSG, 2 bits
  std::uint8_t version_max = 0;
  std::uint8_t version_min = 0;
  Isid isid;
  std::uint16_t tsih = 0;
  std::uint32_t initiator_task_tag = 0;
  std::uint16_t cid = 0;
  std::uint32_t cmd_sn = 0;
  std::uint32_t exp_stat_sn = 0;
  std::vector<Ahs> ahs;
  Bytes data;  // key=value text
  bool operator==(const LoginRequest&) const = default;
};

// §10.10 Text Request (0x04).
struct TextRequest {
  bool immediate = false;
  bool final = true;       // F
  bool continue_ = false;  // C
  std::uint64_t lun = 0;
  std::uint32_t initiator_task_tag = 0;
  std::uint32_t target_transfer_tag = kReservedTag;
  std::uint32_t cmd_sn = 0;
  std::uint32_t exp_stat_sn = 0;
  std::vector<Ahs> ahs;
  Bytes data;
  bool operator==(const TextRequest&) const = default;
};

// §10.7 SCSI Data-Out (0x05).
struct ScsiDataOut {
  bool final = false;  // F
  std::uint64_t lun = 0;
  std::uint32_t initiator_task_tag = 0;
  std::uint32_t target_transfer_tag = kReservedTag;
  std::uint32_t exp_stat_sn = 0;
  std::uint32_t data_sn = 0;
  std::uint32_t buffer_offset = 0;
  std::vector<Ahs> ahs;
  Bytes data;
  bool operator==(const ScsiDataOut&) const = default;
};

// §10.14 Logout Request (0x06).
struct LogoutRequest {
  enum ReasonCode : std::uint8_t {
    CloseSession = 0,
    CloseConnection = 1,
    RemoveConnectionForRecovery = 2,
  };
  bool immediate = false;
  std::uint8_t reason_code = CloseSession;  // 7 bits
  std::uint32_t initiator_task_tag = 0;
  std::uint16_t cid = 0;
  std::uint32_t cmd_sn = 0;
  std::uint32_t exp_stat_sn = 0;
  std::vector<Ahs> ahs;
  Bytes data;
  bool operator==(const LogoutRequest&) const = default;
};

// §10.16 SNACK Request (0x10).
struct SnackRequest {
  enum Type : std::uint8_t { DataR2t = 0, Status = 1, DataAck = 2, RData = 3 };
  std::uint8_t type = DataR2t;  // 4 bits
  std::uint64_t lun = 0;
  std::uint32_t initiator_task_tag = kReservedTag;
  std::uint32_t target_transfer_tag = kReservedTag;  // TTT or SNACK Tag
  std::uint32_t exp_stat_sn = 0;
  std::uint32_t beg_run = 0;
  std::uint32_t run_length = 0;
  std::vector<Ahs> ahs;
  Bytes data;
  bool operator==(const SnackRequest&) const = default;
};

// §10.19 NOP-In (0x20).
struct NopIn {
  std::uint64_t lun = 0;
  std::uint32_t initiator_task_tag = kReservedTag;
  std::uint32_t target_transfer_tag = kReservedTag;
  std::uint32_t stat_sn = 0;
  std::uint32_t exp_cmd_sn = 0;
  std::uint32_t max_cmd_sn = 0;
  std::vector<Ahs> ahs;
  Bytes data;
  bool operator==(const NopIn&) const = default;
};

// §10.4 SCSI Response (0x21).
struct ScsiResponse {
  enum Response : std::uint8_t { CommandCompleted = 0x00, TargetFailure = 0x01 };
  bool bidi_read_residual_overflow = false;   // o
  bool bidi_read_residual_underflow = false;  // u
  bool residual_overflow = false;             // O
  bool residual_underflow = false;            // U
  std::uint8_t response = CommandCompleted;
  std::uint8_t status = 0;
  std::uint32_t initiator_task_tag = 0;
  std::uint32_t snack_tag = 0;
  std::uint32_t stat_sn = 0;
  std::uint32_t exp_cmd_sn = 0;
  std::uint32_t max_cmd_sn = 0;
  std::uint32_t exp_data_sn = 0;
  std::uint32_t bidi_read_residual_count = 0;
  std::uint32_t residual_count = 0;
  std::vector<Ahs> ahs;
  Bytes data;  // SenseLength + Sense Data + Response Data (§10.4.7)
  bool operator==(const ScsiResponse&) const = default;
};

// §10.6 Task Management Function Response (0x22).
struct TaskManagementResponse {
  enum Response : std::uint8_t {
    FunctionComplete = 0,
    TaskDoesNotExist = 1,
    LunDoesNotExist = 2,
    TaskStillAllegiant = 3,
    ReassignmentNotSupported = 4,
    FunctionNotSupported = 5,
    AuthorizationFailed = 6,
    FunctionRejected = 255,
  };
  std::uint8_t response = FunctionComplete;
  std::uint32_t initiator_task_tag = 0;
  std::uint32_t stat_sn = 0;
  std::uint32_t exp_cmd_sn = 0;
  std::uint32_t max_cmd_sn = 0;
  std::vector<Ahs> ahs;
  Bytes data;
  bool operator==(const TaskManagementResponse&) const = default;
};

// §10.13 Login Response (0x23).
struct LoginResponse {
  bool transit = false;    // T
  bool continue_ = false;  // C
  std::uint8_t csg = 0;
  std::uint8_t nsg = 0;
  std::uint8_t version_max = 0;
  std::uint8_t version_active = 0;
  Isid isid;
  std::uint16_t tsih = 0;
  std::uint32_t initiator_task_tag = 0;
  std::uint32_t stat_sn = 0;
  std::uint32_t exp_cmd_sn = 0;
  std::uint32_t max_cmd_sn = 0;
  std::uint8_t status_class = 0;
  std::uint8_t status_detail = 0;
  std::vector<Ahs> ahs;
  Bytes data;
  bool operator==(const LoginResponse&) const = default;
};

// §10.11 Text Response (0x24).
struct TextResponse {
  bool final = true;       // F
  bool continue_ = false;  // C
  std::uint64_t lun = 0;
  std::uint32_t initiator_task_tag = 0;
  std::uint32_t target_transfer_tag = kReservedTag;
  std::uint32_t stat_sn = 0;
  std::uint32_t exp_cmd_sn = 0;
  std::uint32_t max_cmd_sn = 0;
  std::vector<Ahs> ahs;
  Bytes data;
  bool operator==(const TextResponse&) const = default;
};

// §10.7 SCSI Data-In (0x25).
struct ScsiDataIn {
  bool final = false;               // F
  bool acknowledge = false;         // A
  bool residual_overflow = false;   // O
  bool residual_underflow = false;  // U
  bool status_present = false;      // S
  std::uint8_t status = 0;
  std::uint64_t lun = 0;
  std::uint32_t initiator_task_tag = 0;
  std::uint32_t target_transfer_tag = kReservedTag;
  std::uint32_t stat_sn = 0;
  std::uint32_t exp_cmd_sn = 0;
  std::uint32_t max_cmd_sn = 0;
  std::uint32_t data_sn = 0;
  std::uint32_t buffer_offset = 0;
  std::uint32_t residual_count = 0;
  std::vector<Ahs> ahs;
  Bytes data;
  bool operator==(const ScsiDataIn&) const = default;
};

// §10.15 Logout Response (0x26).
struct LogoutResponse {
  enum Response : std::uint8_t {
    ClosedSuccessfully = 0,
    CidNotFound = 1,
    RecoveryNotSupported = 2,
    CleanupFailed = 3,
  };
  std::uint8_t response = ClosedSuccessfully;
  std::uint32_t initiator_task_tag = 0;
  std::uint32_t stat_sn = 0;
  std::uint32_t exp_cmd_sn = 0;
  std::uint32_t max_cmd_sn = 0;
  std::uint16_t time2wait = 0;
  std::uint16_t time2retain = 0;
  std::vector<Ahs> ahs;
  Bytes data;
  bool operator==(const LogoutResponse&) const = default;
};

// §10.8 Ready To Transfer (0x31).
struct ReadyToTransfer {
  std::uint64_t lun = 0;
  std::uint32_t initiator_task_tag = 0;
  std::uint32_t target_transfer_tag = 0;
  std::uint32_t stat_sn = 0;
  std::uint32_t exp_cmd_sn = 0;
  std::uint32_t max_cmd_sn = 0;
  std::uint32_t r2t_sn = 0;
  std::uint32_t buffer_offset = 0;
  std::uint32_t desired_data_transfer_length = 0;
  std::vector<Ahs> ahs;
  Bytes data;
  bool operator==(const ReadyToTransfer&) const = default;
};

// §10.9 Asynchronous Message (0x32).
struct AsyncMessage {
  enum Event : std::uint8_t {
    ScsiAsyncEvent = 0,
    LogoutRequested = 1,
    ConnectionDropping = 2,
    SessionDropping = 3,
    NegotiationRequested = 4,
    VendorSpecific = 255,
  };
  std::uint64_t lun = 0;
  std::uint32_t initiator_task_tag = kReservedTag;  // the figure's 0xffffffff
  std::uint32_t stat_sn = 0;
  std::uint32_t exp_cmd_sn = 0;
  std::uint32_t max_cmd_sn = 0;
  std::uint8_t async_event = 0;
  std::uint8_t async_vcode = 0;
  std::uint16_t parameter1 = 0;
  std::uint16_t parameter2 = 0;
  std::uint16_t parameter3 = 0;
  std::vector<Ahs> ahs;
  Bytes data;  // SenseLength + Sense Data + iSCSI Event Data (§10.9.4)
  bool operator==(const AsyncMessage&) const = default;
};

// §10.17 Reject (0x3f).
struct Reject {
  std::uint8_t reason = 0;                          // RejectReason
  std::uint32_t initiator_task_tag = kReservedTag;  // the figure's 0xffffffff
  std::uint32_t stat_sn = 0;
  std::uint32_t exp_cmd_sn = 0;
  std::uint32_t max_cmd_sn = 0;
  std::uint32_t data_sn = 0;  // DataSN/R2TSN
  std::vector<Ahs> ahs;
  Bytes data;  // the complete header of the bad PDU
  bool operator==(const Reject&) const = default;
};

using Pdu = std::variant<NopOut, ScsiCommand, TaskManagementRequest, LoginRequest, TextRequest,
                         ScsiDataOut, LogoutRequest, SnackRequest, NopIn, ScsiResponse,
                         TaskManagementResponse, LoginResponse, TextResponse, ScsiDataIn,
                         LogoutResponse, ReadyToTransfer, AsyncMessage, Reject>;

// The opcode of each typed PDU.
template <class T>
struct OpcodeOf;
#define ISCSI_WIRE_OPCODE_OF(T)                \
  template <>                                  \
  struct OpcodeOf<T> {                         \
    static constexpr Opcode value = Opcode::T; \
  }
ISCSI_WIRE_OPCODE_OF(NopOut);
ISCSI_WIRE_OPCODE_OF(ScsiCommand);
ISCSI_WIRE_OPCODE_OF(TaskManagementRequest);
ISCSI_WIRE_OPCODE_OF(LoginRequest);
ISCSI_WIRE_OPCODE_OF(TextRequest);
ISCSI_WIRE_OPCODE_OF(ScsiDataOut);
ISCSI_WIRE_OPCODE_OF(LogoutRequest);
ISCSI_WIRE_OPCODE_OF(SnackRequest);
ISCSI_WIRE_OPCODE_OF(NopIn);
ISCSI_WIRE_OPCODE_OF(ScsiResponse);
ISCSI_WIRE_OPCODE_OF(TaskManagementResponse);
ISCSI_WIRE_OPCODE_OF(LoginResponse);
ISCSI_WIRE_OPCODE_OF(TextResponse);
ISCSI_WIRE_OPCODE_OF(ScsiDataIn);
ISCSI_WIRE_OPCODE_OF(LogoutResponse);
ISCSI_WIRE_OPCODE_OF(ReadyToTransfer);
ISCSI_WIRE_OPCODE_OF(AsyncMessage);
ISCSI_WIRE_OPCODE_OF(Reject);
#undef ISCSI_WIRE_OPCODE_OF

Opcode opcode_of(const Pdu& pdu);
const std::vector<Ahs>& ahs_of(const Pdu& pdu);
const Bytes& data_of(const Pdu& pdu);
Bytes& data_of(Pdu& pdu);

// Helpers for the two AHS types of §10.2.2.
Ahs make_extended_cdb_ahs(ByteView cdb_beyond_16);
Ahs make_bidi_read_length_ahs(std::uint32_t expected_read_length);

}  // namespace iscsi::wire
