#include "wire/pdu_format.h"

#include <cstdio>

#include "wire/pdu_fields.h"

namespace iscsi::wire {
namespace {

// Tags, sequence numbers, LUNs and ISIDs read best in hex; counts and
// lengths in decimal.
bool shown_in_hex(const FieldInfo& f) {
  if (f.kind != FieldKind::Uint) return false;
  const std::string_view n = f.name;
  return n.ends_with("Tag") || n.ends_with("SN") || n == "LUN" || n == "ISID" || n == "TSIH" ||
         n == "BegRun";
}

}  // namespace

std::string format_pdu(const Pdu& pdu) {
  const Opcode op = opcode_of(pdu);
  std::string out(opcode_name(op));
  char buf[40];
  for (const FieldInfo& f : bhs_fields(op)) {
    out += ' ';
    out += f.name;
    out += '=';
    if (f.kind == FieldKind::Bytes) {
      std::visit(
          [&](const auto& p) {
            if constexpr (requires { p.cdb; }) out += to_hex(p.cdb);
          },
          pdu);
      continue;
    }
    const std::uint64_t v = get_field(pdu, f.name).value_or(0);
    std::snprintf(buf, sizeof buf, shown_in_hex(f) ? "0x%llx" : "%llu",
                  static_cast<unsigned long long>(v));
    out += buf;
  }
  out += " ahs=" + std::to_string(ahs_of(pdu).size());
  out += " data=" + std::to_string(data_of(pdu).size());
  return out;
}

#define ISCSI_WIRE_DEFINE_PRINT(T)                         \
  std::ostream& operator<<(std::ostream& os, const T& p) { \
    return os << format_pdu(Pdu(p));                       \
  }
ISCSI_WIRE_DEFINE_PRINT(NopOut)
ISCSI_WIRE_DEFINE_PRINT(ScsiCommand)
ISCSI_WIRE_DEFINE_PRINT(TaskManagementRequest)
ISCSI_WIRE_DEFINE_PRINT(LoginRequest)
ISCSI_WIRE_DEFINE_PRINT(TextRequest)
ISCSI_WIRE_DEFINE_PRINT(ScsiDataOut)
ISCSI_WIRE_DEFINE_PRINT(LogoutRequest)
ISCSI_WIRE_DEFINE_PRINT(SnackRequest)
ISCSI_WIRE_DEFINE_PRINT(NopIn)
ISCSI_WIRE_DEFINE_PRINT(ScsiResponse)
ISCSI_WIRE_DEFINE_PRINT(TaskManagementResponse)
ISCSI_WIRE_DEFINE_PRINT(LoginResponse)
ISCSI_WIRE_DEFINE_PRINT(TextResponse)
ISCSI_WIRE_DEFINE_PRINT(ScsiDataIn)
ISCSI_WIRE_DEFINE_PRINT(LogoutResponse)
ISCSI_WIRE_DEFINE_PRINT(ReadyToTransfer)
ISCSI_WIRE_DEFINE_PRINT(AsyncMessage)
ISCSI_WIRE_DEFINE_PRINT(Reject)
#undef ISCSI_WIRE_DEFINE_PRINT

}  // namespace iscsi::wire
