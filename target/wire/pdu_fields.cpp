#include "wire/pdu_fields.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>

namespace iscsi::wire {
namespace {

// A field of struct T: where it lives and how to read/write it as a number.
template <class T>
struct Field {
  FieldInfo info;
  std::uint64_t (*get)(const T&);
  void (*set)(T&, std::uint64_t);
};

template <auto M>
struct MemberOf;
template <class T, class V, V T::*M>
struct MemberOf<M> {
  using Class = T;
  using Value = V;
};

template <auto M>
constexpr Field<typename MemberOf<M>::Class> make_field(std::string_view name, FieldKind kind,
                                                        std::uint8_t offset, std::uint8_t size,
                                                        std::uint8_t mask) {
  using T = typename MemberOf<M>::Class;
  using V = typename MemberOf<M>::Value;
  return Field<T>{
      {name, kind, offset, size, mask},
      [](const T& p) -> std::uint64_t { return static_cast<std::uint64_t>(p.*M); },
      [](T& p, std::uint64_t v) { p.*M = static_cast<V>(v); },
  };
}

template <auto M>
constexpr auto flag(std::string_view name, std::uint8_t offset, std::uint8_t mask) {
  return make_field<M>(name, FieldKind::Flag, offset, 1, mask);
}
template <auto M>
constexpr auto bits(std::string_view name, std::uint8_t offset, std::uint8_t mask) {
  return make_field<M>(name, FieldKind::Bits, offset, 1, mask);
}
template <auto M>
constexpr auto uint_at(std::string_view name, std::uint8_t offset, std::uint8_t size) {
  return make_field<M>(name, FieldKind::Uint, offset, size, 0);
}
// The CDB: raw bytes, not reachable through the numeric accessors.
template <class T>
constexpr Field<T> cdb_field() {
  return Field<T>{{"CDB", FieldKind::Bytes, 32, 16, 0}, nullptr, nullptr};
}
// The 48-bit ISID (§10.12.5), carried in struct Isid.
template <class T>
constexpr Field<T> isid_field() {
  return Field<T>{{"ISID", FieldKind::Uint, 8, 6, 0},
                  [](const T& p) -> std::uint64_t { return p.isid.to_u64(); },
                  [](T& p, std::uint64_t v) { p.isid = Isid::from_u64(v); }};
}

constexpr std::uint8_t kF = 0x80;
constexpr FixedBit kFixedF{1, kF};  // figures that show byte 1 bit 7 as "1"

template <class T>
struct Layout;

// §10.18.
template <>
struct Layout<NopOut> {
  using T = NopOut;
  static constexpr std::array fields{
      flag<&T::immediate>("I", 0, kImmediateBit),
      uint_at<&T::lun>("LUN", 8, 8),
      uint_at<&T::initiator_task_tag>("InitiatorTaskTag", 16, 4),
      uint_at<&T::target_transfer_tag>("TargetTransferTag", 20, 4),
      uint_at<&T::cmd_sn>("CmdSN", 24, 4),
      uint_at<&T::exp_stat_sn>("ExpStatSN", 28, 4),
  };
  static constexpr std::array fixed{kFixedF};
};

// §10.3.
template <>
struct Layout<ScsiCommand> {
  using T = ScsiCommand;
  static constexpr std::array fields{
      flag<&T::immediate>("I", 0, kImmediateBit),
      flag<&T::final>("F", 1, 0x80),
      flag<&T::read>("R", 1, 0x40),
      flag<&T::write>("W", 1, 0x20),
      bits<&T::attr>("ATTR", 1, 0x07),
      uint_at<&T::lun>("LUN", 8, 8),
      uint_at<&T::initiator_task_tag>("InitiatorTaskTag", 16, 4),
      uint_at<&T::expected_data_transfer_length>("ExpectedDataTransferLength", 20, 4),
      uint_at<&T::cmd_sn>("CmdSN", 24, 4),
      uint_at<&T::exp_stat_sn>("ExpStatSN", 28, 4),
      cdb_field<T>(),
  };
  static constexpr std::array<FixedBit, 0> fixed{};
};

// §10.5.
template <>
struct Layout<TaskManagementRequest> {
  using T = TaskManagementRequest;
  static constexpr std::array fields{
      flag<&T::immediate>("I", 0, kImmediateBit),
      bits<&T::function>("Function", 1, 0x7f),
      uint_at<&T::lun>("LUN", 8, 8),
      uint_at<&T::initiator_task_tag>("InitiatorTaskTag", 16, 4),
      uint_at<&T::referenced_task_tag>("ReferencedTaskTag", 20, 4),
      uint_at<&T::cmd_sn>("CmdSN", 24, 4),
      uint_at<&T::exp_stat_sn>("ExpStatSN", 28, 4),
      uint_at<&T::ref_cmd_sn>("RefCmdSN", 32, 4),
      uint_at<&T::exp_data_sn>("ExpDataSN", 36, 4),
  };
  static constexpr std::array fixed{kFixedF};
};

// §10.12.
template <>
struct Layout<LoginRequest> {
  using T = LoginRequest;
  static constexpr std::array fields{
      flag<&T::transit>("T", 1, 0x80),
      flag<&T::continue_>("C", 1, 0x40),
      bits<&T::csg>("CSG", 1, 0x0c),
      bits<&T::nsg>("NSG", 1, 0x03),
      uint_at<&T::version_max>("VersionMax", 2, 1),
      uint_at<&T::version_min>("VersionMin", 3, 1),
      isid_field<T>(),
      uint_at<&T::tsih>("TSIH", 14, 2),
      uint_at<&T::initiator_task_tag>("InitiatorTaskTag", 16, 4),
      uint_at<&T::cid>("CID", 20, 2),
      uint_at<&T::cmd_sn>("CmdSN", 24, 4),
      uint_at<&T::exp_stat_sn>("ExpStatSN", 28, 4),
  };
  static constexpr std::array fixed{FixedBit{0, kImmediateBit}};  // "|.|1| 0x03|"
};

// §10.10.
template <>
struct Layout<TextRequest> {
  using T = TextRequest;
  static constexpr std::array fields{
      flag<&T::immediate>("I", 0, kImmediateBit),
      flag<&T::final>("F", 1, 0x80),
      flag<&T::continue_>("C", 1, 0x40),
      uint_at<&T::lun>("LUN", 8, 8),
      uint_at<&T::initiator_task_tag>("InitiatorTaskTag", 16, 4),
      uint_at<&T::target_transfer_tag>("TargetTransferTag", 20, 4),
      uint_at<&T::cmd_sn>("CmdSN", 24, 4),
      uint_at<&T::exp_stat_sn>("ExpStatSN", 28, 4),
  };
  static constexpr std::array<FixedBit, 0> fixed{};
};

// §10.7.1 (Data-Out).
template <>
struct Layout<ScsiDataOut> {
  using T = ScsiDataOut;
  static constexpr std::array fields{
      flag<&T::final>("F", 1, 0x80),
      uint_at<&T::lun>("LUN", 8, 8),
      uint_at<&T::initiator_task_tag>("InitiatorTaskTag", 16, 4),
      uint_at<&T::target_transfer_tag>("TargetTransferTag", 20, 4),
      uint_at<&T::exp_stat_sn>("ExpStatSN", 28, 4),
      uint_at<&T::data_sn>("DataSN", 36, 4),
      uint_at<&T::buffer_offset>("BufferOffset", 40, 4),
  };
  static constexpr std::array<FixedBit, 0> fixed{};
};

// §10.14.
template <>
struct Layout<LogoutRequest> {
  using T = LogoutRequest;
  static constexpr std::array fields{
      flag<&T::immediate>("I", 0, kImmediateBit),
      bits<&T::reason_code>("ReasonCode", 1, 0x7f),
      uint_at<&T::initiator_task_tag>("InitiatorTaskTag", 16, 4),
      uint_at<&T::cid>("CID", 20, 2),
      uint_at<&T::cmd_sn>("CmdSN", 24, 4),
      uint_at<&T::exp_stat_sn>("ExpStatSN", 28, 4),
  };
  static constexpr std::array fixed{kFixedF};
};

// §10.16.
template <>
struct Layout<SnackRequest> {
  using T = SnackRequest;
  static constexpr std::array fields{
      bits<&T::type>("Type", 1, 0x0f),
      uint_at<&T::lun>("LUN", 8, 8),
      uint_at<&T::initiator_task_tag>("InitiatorTaskTag", 16, 4),
      uint_at<&T::target_transfer_tag>("TargetTransferTag", 20, 4),
      uint_at<&T::exp_stat_sn>("ExpStatSN", 28, 4),
      uint_at<&T::beg_run>("BegRun", 40, 4),
      uint_at<&T::run_length>("RunLength", 44, 4),
  };
  static constexpr std::array fixed{kFixedF};
};

// §10.19.
template <>
struct Layout<NopIn> {
  using T = NopIn;
  static constexpr std::array fields{
      uint_at<&T::lun>("LUN", 8, 8),
      uint_at<&T::initiator_task_tag>("InitiatorTaskTag", 16, 4),
      uint_at<&T::target_transfer_tag>("TargetTransferTag", 20, 4),
      uint_at<&T::stat_sn>("StatSN", 24, 4),
      uint_at<&T::exp_cmd_sn>("ExpCmdSN", 28, 4),
      uint_at<&T::max_cmd_sn>("MaxCmdSN", 32, 4),
  };
  static constexpr std::array fixed{kFixedF};
};

// §10.4.
template <>
struct Layout<ScsiResponse> {
  using T = ScsiResponse;
  static constexpr std::array fields{
      flag<&T::bidi_read_residual_overflow>("o", 1, 0x10),
      flag<&T::bidi_read_residual_underflow>("u", 1, 0x08),
      flag<&T::residual_overflow>("O", 1, 0x04),
      flag<&T::residual_underflow>("U", 1, 0x02),
      uint_at<&T::response>("Response", 2, 1),
      uint_at<&T::status>("Status", 3, 1),
      uint_at<&T::initiator_task_tag>("InitiatorTaskTag", 16, 4),
      uint_at<&T::snack_tag>("SNACKTag", 20, 4),
      uint_at<&T::stat_sn>("StatSN", 24, 4),
      uint_at<&T::exp_cmd_sn>("ExpCmdSN", 28, 4),
      uint_at<&T::max_cmd_sn>("MaxCmdSN", 32, 4),
      uint_at<&T::exp_data_sn>("ExpDataSN", 36, 4),
      uint_at<&T::bidi_read_residual_count>("BidiReadResidualCount", 40, 4),
      uint_at<&T::residual_count>("ResidualCount", 44, 4),
  };
  static constexpr std::array fixed{kFixedF};
};

// §10.6.
template <>
struct Layout<TaskManagementResponse> {
  using T = TaskManagementResponse;
  static constexpr std::array fields{
      uint_at<&T::response>("Response", 2, 1),
      uint_at<&T::initiator_task_tag>("InitiatorTaskTag", 16, 4),
      uint_at<&T::stat_sn>("StatSN", 24, 4),
      uint_at<&T::exp_cmd_sn>("ExpCmdSN", 28, 4),
      uint_at<&T::max_cmd_sn>("MaxCmdSN", 32, 4),
  };
  static constexpr std::array fixed{kFixedF};
};

// §10.13.
template <>
struct Layout<LoginResponse> {
  using T = LoginResponse;
  static constexpr std::array fields{
      flag<&T::transit>("T", 1, 0x80),
      flag<&T::continue_>("C", 1, 0x40),
      bits<&T::csg>("CSG", 1, 0x0c),
      bits<&T::nsg>("NSG", 1, 0x03),
      uint_at<&T::version_max>("VersionMax", 2, 1),
      uint_at<&T::version_active>("VersionActive", 3, 1),
      isid_field<T>(),
      uint_at<&T::tsih>("TSIH", 14, 2),
      uint_at<&T::initiator_task_tag>("InitiatorTaskTag", 16, 4),
      uint_at<&T::stat_sn>("StatSN", 24, 4),
      uint_at<&T::exp_cmd_sn>("ExpCmdSN", 28, 4),
      uint_at<&T::max_cmd_sn>("MaxCmdSN", 32, 4),
      uint_at<&T::status_class>("StatusClass", 36, 1),
      uint_at<&T::status_detail>("StatusDetail", 37, 1),
  };
  static constexpr std::array<FixedBit, 0> fixed{};
};

// §10.11.
template <>
struct Layout<TextResponse> {
  using T = TextResponse;
  static constexpr std::array fields{
      flag<&T::final>("F", 1, 0x80),
      flag<&T::continue_>("C", 1, 0x40),
      uint_at<&T::lun>("LUN", 8, 8),
      uint_at<&T::initiator_task_tag>("InitiatorTaskTag", 16, 4),
      uint_at<&T::target_transfer_tag>("TargetTransferTag", 20, 4),
      uint_at<&T::stat_sn>("StatSN", 24, 4),
      uint_at<&T::exp_cmd_sn>("ExpCmdSN", 28, 4),
      uint_at<&T::max_cmd_sn>("MaxCmdSN", 32, 4),
  };
  static constexpr std::array<FixedBit, 0> fixed{};
};

// §10.7 (Data-In).
template <>
struct Layout<ScsiDataIn> {
  using T = ScsiDataIn;
  static constexpr std::array fields{
      flag<&T::final>("F", 1, 0x80),
      flag<&T::acknowledge>("A", 1, 0x40),
      flag<&T::residual_overflow>("O", 1, 0x04),
      flag<&T::residual_underflow>("U", 1, 0x02),
      flag<&T::status_present>("S", 1, 0x01),
      uint_at<&T::status>("Status", 3, 1),
      uint_at<&T::lun>("LUN", 8, 8),
      uint_at<&T::initiator_task_tag>("InitiatorTaskTag", 16, 4),
      uint_at<&T::target_transfer_tag>("TargetTransferTag", 20, 4),
      uint_at<&T::stat_sn>("StatSN", 24, 4),
      uint_at<&T::exp_cmd_sn>("ExpCmdSN", 28, 4),
      uint_at<&T::max_cmd_sn>("MaxCmdSN", 32, 4),
      uint_at<&T::data_sn>("DataSN", 36, 4),
      uint_at<&T::buffer_offset>("BufferOffset", 40, 4),
      uint_at<&T::residual_count>("ResidualCount", 44, 4),
  };
  static constexpr std::array<FixedBit, 0> fixed{};
};

// §10.15.
template <>
struct Layout<LogoutResponse> {
  using T = LogoutResponse;
  static constexpr std::array fields{
      uint_at<&T::response>("Response", 2, 1),
      uint_at<&T::initiator_task_tag>("InitiatorTaskTag", 16, 4),
      uint_at<&T::stat_sn>("StatSN", 24, 4),
      uint_at<&T::exp_cmd_sn>("ExpCmdSN", 28, 4),
      uint_at<&T::max_cmd_sn>("MaxCmdSN", 32, 4),
      uint_at<&T::time2wait>("Time2Wait", 40, 2),
      uint_at<&T::time2retain>("Time2Retain", 42, 2),
  };
  static constexpr std::array fixed{kFixedF};
};

// §10.8.
template <>
struct Layout<ReadyToTransfer> {
  using T = ReadyToTransfer;
  static constexpr std::array fields{
      uint_at<&T::lun>("LUN", 8, 8),
      uint_at<&T::initiator_task_tag>("InitiatorTaskTag", 16, 4),
      uint_at<&T::target_transfer_tag>("TargetTransferTag", 20, 4),
      uint_at<&T::stat_sn>("StatSN", 24, 4),
      uint_at<&T::exp_cmd_sn>("ExpCmdSN", 28, 4),
      uint_at<&T::max_cmd_sn>("MaxCmdSN", 32, 4),
      uint_at<&T::r2t_sn>("R2TSN", 36, 4),
      uint_at<&T::buffer_offset>("BufferOffset", 40, 4),
      uint_at<&T::desired_data_transfer_length>("DesiredDataTransferLength", 44, 4),
  };
  static constexpr std::array fixed{kFixedF};
};

// §10.9.
template <>
struct Layout<AsyncMessage> {
  using T = AsyncMessage;
  static constexpr std::array fields{
      uint_at<&T::lun>("LUN", 8, 8),
      uint_at<&T::initiator_task_tag>("InitiatorTaskTag", 16, 4),
      uint_at<&T::stat_sn>("StatSN", 24, 4),
      uint_at<&T::exp_cmd_sn>("ExpCmdSN", 28, 4),
      uint_at<&T::max_cmd_sn>("MaxCmdSN", 32, 4),
      uint_at<&T::async_event>("AsyncEvent", 36, 1),
      uint_at<&T::async_vcode>("AsyncVCode", 37, 1),
      uint_at<&T::parameter1>("Parameter1", 38, 2),
      uint_at<&T::parameter2>("Parameter2", 40, 2),
      uint_at<&T::parameter3>("Parameter3", 42, 2),
  };
  static constexpr std::array fixed{kFixedF};
};

// §10.17.
template <>
struct Layout<Reject> {
  using T = Reject;
  static constexpr std::array fields{
      uint_at<&T::reason>("Reason", 2, 1),
      uint_at<&T::initiator_task_tag>("InitiatorTaskTag", 16, 4),
      uint_at<&T::stat_sn>("StatSN", 24, 4),
      uint_at<&T::exp_cmd_sn>("ExpCmdSN", 28, 4),
      uint_at<&T::max_cmd_sn>("MaxCmdSN", 32, 4),
      uint_at<&T::data_sn>("DataSN", 36, 4),
  };
  static constexpr std::array fixed{kFixedF};
};

// The FieldInfo part of each layout, as a contiguous array for bhs_fields().
template <class T>
constexpr auto infos_of() {
  constexpr auto& fields = Layout<T>::fields;
  std::array<FieldInfo, fields.size()> out{};
  for (std::size_t i = 0; i < fields.size(); ++i) out[i] = fields[i].info;
  return out;
}
template <class T>
constexpr auto kInfos = infos_of<T>();

template <class T>
void write_struct(const T& p, std::uint8_t* bhs) {
  bhs[0] = static_cast<std::uint8_t>(bhs[0] | static_cast<std::uint8_t>(OpcodeOf<T>::value));
  for (const FixedBit& b : Layout<T>::fixed) bhs[b.offset] |= b.mask;
  for (const auto& f : Layout<T>::fields) {
    const FieldInfo& i = f.info;
    switch (i.kind) {
      case FieldKind::Flag:
        if (f.get(p)) bhs[i.offset] |= i.mask;
        break;
      case FieldKind::Bits: {
        const int shift = std::countr_zero(i.mask);
        bhs[i.offset] |= static_cast<std::uint8_t>((f.get(p) << shift) & i.mask);
        break;
      }
      case FieldKind::Uint:
        store_be(bhs + i.offset, i.size, f.get(p));
        break;
      case FieldKind::Bytes:
        if constexpr (requires { p.cdb; }) std::memcpy(bhs + i.offset, p.cdb.data(), i.size);
        break;
    }
  }
}

template <class T>
T read_struct(const std::uint8_t* bhs) {
  T p{};
  for (const auto& f : Layout<T>::fields) {
    const FieldInfo& i = f.info;
    switch (i.kind) {
      case FieldKind::Flag:
        f.set(p, (bhs[i.offset] & i.mask) ? 1 : 0);
        break;
      case FieldKind::Bits:
        f.set(p, static_cast<std::uint64_t>(bhs[i.offset] & i.mask) >> std::countr_zero(i.mask));
        break;
      case FieldKind::Uint:
        f.set(p, load_be(bhs + i.offset, i.size));
        break;
      case FieldKind::Bytes:
        if constexpr (requires { p.cdb; }) std::memcpy(p.cdb.data(), bhs + i.offset, i.size);
        break;
    }
  }
  return p;
}

template <class T>
const Field<T>* find_in(std::string_view name) {
  for (const auto& f : Layout<T>::fields) {
    if (f.info.name == name) return &f;
  }
  return nullptr;
}

// Calls fn.template operator()<T>() for the struct type T of opcode `op`.
template <class Fn>
auto with_type(Opcode op, Fn&& fn) {
  switch (op) {
    case Opcode::NopOut:
      return fn.template operator()<NopOut>();
    case Opcode::ScsiCommand:
      return fn.template operator()<ScsiCommand>();
    case Opcode::TaskManagementRequest:
      return fn.template operator()<TaskManagementRequest>();
    case Opcode::LoginRequest:
      return fn.template operator()<LoginRequest>();
    case Opcode::TextRequest:
      return fn.template operator()<TextRequest>();
    case Opcode::ScsiDataOut:
      return fn.template operator()<ScsiDataOut>();
    case Opcode::LogoutRequest:
      return fn.template operator()<LogoutRequest>();
    case Opcode::SnackRequest:
      return fn.template operator()<SnackRequest>();
    case Opcode::NopIn:
      return fn.template operator()<NopIn>();
    case Opcode::ScsiResponse:
      return fn.template operator()<ScsiResponse>();
    case Opcode::TaskManagementResponse:
      return fn.template operator()<TaskManagementResponse>();
    case Opcode::LoginResponse:
      return fn.template operator()<LoginResponse>();
    case Opcode::TextResponse:
      return fn.template operator()<TextResponse>();
    case Opcode::ScsiDataIn:
      return fn.template operator()<ScsiDataIn>();
    case Opcode::LogoutResponse:
      return fn.template operator()<LogoutResponse>();
    case Opcode::ReadyToTransfer:
      return fn.template operator()<ReadyToTransfer>();
    case Opcode::AsyncMessage:
      return fn.template operator()<AsyncMessage>();
    case Opcode::Reject:
      break;
  }
  return fn.template operator()<Reject>();
}

}  // namespace

std::span<const FieldInfo> bhs_fields(Opcode op) {
  if (!opcode_name(static_cast<std::uint8_t>(op))) return {};
  return with_type(op, []<class T>() { return std::span<const FieldInfo>(kInfos<T>); });
}

std::span<const FixedBit> fixed_bits(Opcode op) {
  if (!opcode_name(static_cast<std::uint8_t>(op))) return {};
  return with_type(op, []<class T>() { return std::span<const FixedBit>(Layout<T>::fixed); });
}

const FieldInfo* find_field(Opcode op, std::string_view name) {
  for (const FieldInfo& f : bhs_fields(op)) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::optional<std::uint64_t> get_field(const Pdu& pdu, std::string_view name) {
  return std::visit(
      [&]<class T>(const T& p) -> std::optional<std::uint64_t> {
        const Field<T>* f = find_in<T>(name);
        if (f == nullptr || f->get == nullptr) return std::nullopt;
        return f->get(p);
      },
      pdu);
}

bool set_field(Pdu& pdu, std::string_view name, std::uint64_t value) {
  return std::visit(
      [&]<class T>(T& p) {
        const Field<T>* f = find_in<T>(name);
        if (f == nullptr || f->set == nullptr) return false;
        f->set(p, value);
        return true;
      },
      pdu);
}

void write_fields(const Pdu& pdu, std::uint8_t* bhs) {
  std::visit([&]<class T>(const T& p) { write_struct(p, bhs); }, pdu);
}

Pdu read_fields(Opcode op, const std::uint8_t* bhs) {
  return with_type(op, [&]<class T>() { return Pdu(read_struct<T>(bhs)); });
}

}  // namespace iscsi::wire
