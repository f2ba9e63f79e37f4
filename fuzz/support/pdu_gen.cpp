#include "pdu_gen.h"

#include <array>

#include "wire/pdu_fields.h"

namespace iscsi::fuzz {

namespace {

constexpr std::array<wire::Opcode, 8> kInitiatorOps = {
    wire::Opcode::NopOut,        wire::Opcode::ScsiCommand, wire::Opcode::TaskManagementRequest,
    wire::Opcode::LoginRequest,  wire::Opcode::TextRequest, wire::Opcode::ScsiDataOut,
    wire::Opcode::LogoutRequest, wire::Opcode::SnackRequest};
constexpr std::array<wire::Opcode, 10> kTargetOps = {wire::Opcode::NopIn,
                                                     wire::Opcode::ScsiResponse,
                                                     wire::Opcode::TaskManagementResponse,
                                                     wire::Opcode::LoginResponse,
                                                     wire::Opcode::TextResponse,
                                                     wire::Opcode::ScsiDataIn,
                                                     wire::Opcode::LogoutResponse,
                                                     wire::Opcode::ReadyToTransfer,
                                                     wire::Opcode::AsyncMessage,
                                                     wire::Opcode::Reject};

}  // namespace

wire::Opcode fuzz_opcode(FuzzedDataProvider& in) {
  if (in.ConsumeIntegralInRange<int>(0, 3) != 0) return in.PickValueInArray(kInitiatorOps);
  return in.PickValueInArray(kTargetOps);
}

wire::Pdu fuzz_pdu_of(FuzzedDataProvider& in, wire::Opcode op, std::size_t max_data) {
  std::array<std::uint8_t, wire::kBhsLength> bhs{};
  in.ConsumeData(bhs.data(), bhs.size());
  wire::Pdu pdu = wire::read_fields(op, bhs.data());
  wire::data_of(pdu) =
      in.ConsumeBytes<std::uint8_t>(in.ConsumeIntegralInRange<std::size_t>(0, max_data));
  return pdu;
}

wire::Bytes fuzz_raw_pdu(FuzzedDataProvider& in, std::size_t max_data) {
  wire::Bytes out(wire::kBhsLength, 0);
  in.ConsumeData(out.data(), out.size());
  const std::size_t ahs = static_cast<std::size_t>(out[4]) * 4;
  wire::Bytes rest =
      in.ConsumeBytes<std::uint8_t>(in.ConsumeIntegralInRange<std::size_t>(0, ahs + max_data));
  if (in.ConsumeBool()) {
    // A consistent header: the lengths describe what follows.
    out[4] = 0;
    const auto n = static_cast<std::uint32_t>(rest.size());
    wire::store_be24(out.data() + 5, n);
    rest.resize(n + wire::pad_length(n));
  }
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

}  // namespace iscsi::fuzz
