#include "wire/pdu.h"

namespace iscsi::wire {

// §10.12.5: ISID = T (2 bits) | A (6 bits) | B (16 bits) | C (8 bits) | D (16 bits).
Isid Isid::from_u64(std::uint64_t v) {
  Isid i;
  i.t = static_cast<std::uint8_t>((v >> 46) & 0x03);
  i.a = static_cast<std::uint8_t>((v >> 40) & 0x3f);
  i.b = static_cast<std::uint16_t>((v >> 24) & 0xffff);
  i.c = static_cast<std::uint8_t>((v >> 16) & 0xff);
  i.d = static_cast<std::uint16_t>(v & 0xffff);
  return i;
}

std::uint64_t Isid::to_u64() const {
  return (static_cast<std::uint64_t>(t & 0x03) << 46) |
         (static_cast<std::uint64_t>(a & 0x3f) << 40) | (static_cast<std::uint64_t>(b) << 24) |
         (static_cast<std::uint64_t>(c) << 16) | d;
}

Opcode opcode_of(const Pdu& pdu) {
  return std::visit([]<class T>(const T&) { return OpcodeOf<T>::value; }, pdu);
}

const std::vector<Ahs>& ahs_of(const Pdu& pdu) {
  return std::visit([](const auto& p) -> const std::vector<Ahs>& { return p.ahs; }, pdu);
}

const Bytes& data_of(const Pdu& pdu) {
  return std::visit([](const auto& p) -> const Bytes& { return p.data; }, pdu);
}

Bytes& data_of(Pdu& pdu) {
  return std::visit([](auto& p) -> Bytes& { return p.data; }, pdu);
}

// §10.2.2.3: AHSLength = CDB length - 15 (the reserved byte plus the bytes
// of the CDB beyond the 16 carried in the BHS).
Ahs make_extended_cdb_ahs(ByteView cdb_beyond_16) {
  Ahs a;
  a.type = static_cast<std::uint8_t>(AhsType::ExtendedCdb);
  a.specific.reserve(1 + cdb_beyond_16.size());
  a.specific.push_back(0);
  a.specific.insert(a.specific.end(), cdb_beyond_16.begin(), cdb_beyond_16.end());
  return a;
}

// §10.2.2.4: AHSLength 0x0005, a reserved byte, then the 4-byte length.
Ahs make_bidi_read_length_ahs(std::uint32_t expected_read_length) {
  Ahs a;
  a.type = static_cast<std::uint8_t>(AhsType::BidirectionalReadLength);
  a.specific.resize(5, 0);
  store_be32(a.specific.data() + 1, expected_read_length);
  return a;
}

}  // namespace iscsi::wire
