#include "wire/pdu_codec.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <string>

#include "wire/crc32c.h"
#include "wire/pdu_fields.h"

namespace iscsi::wire {
namespace {

DecodeError drop(DecodeErrc code, std::string detail) {
  return {code, Reaction::DropConnection, RejectReason::ProtocolError, std::move(detail)};
}

DecodeError reject(DecodeErrc code, RejectReason reason, std::string detail) {
  return {code, Reaction::Reject, reason, std::move(detail)};
}

std::size_t ahs_area_length(const std::vector<Ahs>& ahs) {
  std::size_t n = 0;
  for (const Ahs& a : ahs) n += 3 + a.specific.size() + pad_length(3 + a.specific.size());
  return n;
}

void append_ahs(const std::vector<Ahs>& ahs, Bytes& out) {
  for (const Ahs& a : ahs) {
    const std::size_t len = a.specific.size();
    out.push_back(static_cast<std::uint8_t>(len >> 8));
    out.push_back(static_cast<std::uint8_t>(len));
    out.push_back(a.type);
    out.insert(out.end(), a.specific.begin(), a.specific.end());
    out.insert(out.end(), pad_length(3 + len), 0);
  }
}

void fill_lengths(std::uint8_t* bhs, std::size_t ahs_length, std::size_t data_length) {
  // TotalAHSLength counts 4-byte words (§10.2.1.4); DataSegmentLength is the
  // payload length in bytes without padding (§10.2.1.5).
  bhs[4] = static_cast<std::uint8_t>(ahs_length / 4);
  store_be24(bhs + 5, static_cast<std::uint32_t>(data_length));
}

std::array<std::array<std::uint8_t, kBhsLength>, 64> build_reserved_masks() {
  std::array<std::array<std::uint8_t, kBhsLength>, 64> masks{};
  for (std::uint8_t op = 0; op < 64; ++op) {
    auto& m = masks[op];
    m.fill(0xff);
    m[0] = 0x80;  // bit 7 reserved; bit 6 (I) reserved unless a field claims it
    if (opcode_name(op)) m[0] |= kImmediateBit;
    m[4] = m[5] = m[6] = m[7] = 0;  // TotalAHSLength, DataSegmentLength
    for (const FieldInfo& f : bhs_fields(static_cast<Opcode>(op))) {
      if (f.kind == FieldKind::Flag || f.kind == FieldKind::Bits) {
        m[f.offset] = static_cast<std::uint8_t>(m[f.offset] & ~f.mask);
      } else {
        for (std::size_t i = 0; i < f.size; ++i) m[f.offset + i] = 0;
      }
    }
    for (const FixedBit& b : fixed_bits(static_cast<Opcode>(op))) {
      m[b.offset] = static_cast<std::uint8_t>(m[b.offset] & ~b.mask);
    }
  }
  return masks;
}

}  // namespace

std::array<std::uint8_t, kBhsLength> encode_bhs(const Pdu& pdu) {
  std::array<std::uint8_t, kBhsLength> bhs{};
  write_fields(pdu, bhs.data());
  fill_lengths(bhs.data(), ahs_area_length(ahs_of(pdu)), data_of(pdu).size());
  return bhs;
}

std::size_t encoded_size(const Pdu& pdu, DigestSettings digests) {
  const std::size_t data = data_of(pdu).size();
  std::size_t n = kBhsLength + ahs_area_length(ahs_of(pdu));
  if (digests.header) n += kDigestLength;
  if (data > 0) {
    n += data + pad_length(data);
    if (digests.data) n += kDigestLength;
  }
  return n;
}

void encode_append(const Pdu& pdu, DigestSettings digests, Bytes& out) {
  const std::size_t start = out.size();
  // Grow geometrically: an exact reserve on every call reallocates (and
  // copies the whole stream) once per PDU appended, quadratic in a long
  // stream such as the Data-In of a large read.
  const std::size_t need = start + encoded_size(pdu, digests);
  if (need > out.capacity()) out.reserve(std::max(need, 2 * out.capacity()));
  const auto bhs = encode_bhs(pdu);
  out.insert(out.end(), bhs.begin(), bhs.end());
  append_ahs(ahs_of(pdu), out);
  // §12.1, §10.2.3: the header digest covers the BHS and the AHS.
  if (digests.header) {
    const std::uint32_t crc = crc32c(ByteView(out.data() + start, out.size() - start));
    out.resize(out.size() + kDigestLength);
    store_digest(out.data() + out.size() - kDigestLength, crc);
  }
  const Bytes& data = data_of(pdu);
  if (data.empty()) return;  // no data segment, no padding, no data digest
  const std::size_t data_start = out.size();
  out.insert(out.end(), data.begin(), data.end());
  out.insert(out.end(), pad_length(data.size()), 0);  // §10.1: padding bytes are 0
  // The data digest covers the data segment including its padding.
  if (digests.data) {
    const std::uint32_t crc = crc32c(ByteView(out.data() + data_start, out.size() - data_start));
    out.resize(out.size() + kDigestLength);
    store_digest(out.data() + out.size() - kDigestLength, crc);
  }
}

Bytes encode(const Pdu& pdu, DigestSettings digests) {
  Bytes out;
  encode_append(pdu, digests, out);
  return out;
}

Result<std::vector<Ahs>, DecodeError> decode_ahs(ByteView area) {
  std::vector<Ahs> out;
  std::size_t pos = 0;
  while (pos < area.size()) {
    if (area.size() - pos < 4) {
      return Unexpected(drop(DecodeErrc::AhsMalformed, "AHS header runs past TotalAHSLength"));
    }
    const std::size_t len = load_be16(area.data() + pos);
    const std::uint8_t type = area[pos + 2];
    const std::size_t padded = 3 + len + pad_length(3 + len);
    if (padded > area.size() - pos) {
      // §6.6: inconsistent field contents are a format error.
      return Unexpected(drop(DecodeErrc::AhsMalformed,
                             "AHSLength " + std::to_string(len) + " runs past TotalAHSLength"));
    }
    const std::uint8_t code = type & 0x3f;
    if (code == static_cast<std::uint8_t>(AhsType::ExtendedCdb) && len < 2) {
      return Unexpected(drop(DecodeErrc::AhsMalformed, "Extended CDB AHS shorter than 2 bytes"));
    }
    if (code == static_cast<std::uint8_t>(AhsType::BidirectionalReadLength) && len != 5) {
      // §10.2.2.4: AHSLength is 0x0005.
      return Unexpected(
          drop(DecodeErrc::AhsMalformed,
               "Bidirectional Read Length AHS with AHSLength " + std::to_string(len)));
    }
    if (code == 0 || (code >= 3 && code <= 59)) {
      // §10.2.2.2: 0 and 3-59 are reserved AHS codes; §10: "Receipt of
      // reserved code values in defined fields MUST be reported as a protocol error."
      return Unexpected(reject(DecodeErrc::AhsMalformed, RejectReason::ProtocolError,
                               "reserved AHSType " + std::to_string(code)));
    }
    Ahs a;
    a.type = type;
    a.specific.assign(area.begin() + static_cast<std::ptrdiff_t>(pos + 3),
                      area.begin() + static_cast<std::ptrdiff_t>(pos + 3 + len));
    out.push_back(std::move(a));
    pos += padded;
  }
  return out;
}

Result<Pdu, DecodeError> decode_parts(ByteView bhs, ByteView ahs, ByteView data) {
  if (bhs.size() != kBhsLength) {
    return Unexpected(drop(DecodeErrc::Truncated, "BHS is not 48 bytes"));
  }
  const std::uint8_t op = bhs[0] & kOpcodeMask;
  switch (classify_opcode(op)) {
    case OpcodeClass::Defined:
      break;
    case OpcodeClass::VendorSpecific:
      return Unexpected(reject(DecodeErrc::VendorOpcode, RejectReason::CommandNotSupported,
                               "vendor-specific opcode 0x" + to_hex(bhs.first(1))));
    case OpcodeClass::Reserved:
      // §10: reserved code values in defined fields are a protocol error.
      return Unexpected(reject(DecodeErrc::ReservedOpcode, RejectReason::ProtocolError,
                               "reserved opcode 0x" + to_hex(bhs.first(1))));
  }
  if (static_cast<std::size_t>(bhs[4]) * 4 != ahs.size() ||
      load_be24(bhs.data() + 5) != data.size()) {
    return Unexpected(drop(DecodeErrc::Truncated, "segment sizes differ from the BHS lengths"));
  }
  auto parsed_ahs = decode_ahs(ahs);
  if (!parsed_ahs) return Unexpected(parsed_ahs.error());
  Pdu pdu = read_fields(static_cast<Opcode>(op), bhs.data());
  std::visit(
      [&](auto& p) {
        p.ahs = std::move(*parsed_ahs);
        p.data.assign(data.begin(), data.end());
      },
      pdu);
  return pdu;
}

Result<Pdu, DecodeError> decode(ByteView bytes, DigestSettings digests) {
  if (bytes.size() < kBhsLength) {
    return Unexpected(drop(DecodeErrc::Truncated, "fewer than 48 bytes"));
  }
  const std::size_t ahs_len = static_cast<std::size_t>(bytes[4]) * 4;
  const std::size_t data_len = load_be24(bytes.data() + 5);
  std::size_t need = kBhsLength + ahs_len + (digests.header ? kDigestLength : 0);
  const std::size_t data_at = need;
  if (data_len > 0) need += data_len + pad_length(data_len) + (digests.data ? kDigestLength : 0);
  if (bytes.size() != need) {
    return Unexpected(drop(DecodeErrc::Truncated, "PDU is " + std::to_string(bytes.size()) +
                                                      " bytes, its header announces " +
                                                      std::to_string(need)));
  }
  if (digests.header) {
    const std::size_t covered = kBhsLength + ahs_len;
    if (crc32c(bytes.first(covered)) != load_digest(bytes.data() + covered)) {
      // §6.7: at ErrorRecoveryLevel 0 a header digest error ends the connection.
      return Unexpected(drop(DecodeErrc::HeaderDigestMismatch, "header digest mismatch"));
    }
  }
  if (data_len > 0 && digests.data) {
    const std::size_t covered = data_len + pad_length(data_len);
    if (crc32c(bytes.subspan(data_at, covered)) != load_digest(bytes.data() + data_at + covered)) {
      // §6.7: a payload digest error is answered with Reject reason 0x02.
      return Unexpected(reject(DecodeErrc::DataDigestMismatch, RejectReason::DataDigestError,
                               "data digest mismatch"));
    }
  }
  return decode_parts(bytes.first(kBhsLength), bytes.subspan(kBhsLength, ahs_len),
                      bytes.subspan(data_at, data_len));
}

const std::array<std::uint8_t, kBhsLength>& reserved_mask(Opcode op) {
  static const auto masks = build_reserved_masks();
  return masks[static_cast<std::uint8_t>(op) & kOpcodeMask];
}

bool has_reserved_bits_set(ByteView bhs) {
  if (bhs.size() < kBhsLength) return false;
  const std::uint8_t op = bhs[0] & kOpcodeMask;
  if (!opcode_name(op)) return false;
  const auto& mask = reserved_mask(static_cast<Opcode>(op));
  for (std::size_t i = 0; i < kBhsLength; ++i) {
    if (bhs[i] & mask[i]) return true;
  }
  return false;
}

bool has_fixed_bits_clear(ByteView bhs) {
  if (bhs.size() < kBhsLength) return false;
  for (const FixedBit& b : fixed_bits(static_cast<Opcode>(bhs[0] & kOpcodeMask))) {
    if ((bhs[b.offset] & b.mask) != b.mask) return true;
  }
  return false;
}

Bytes full_cdb(const ScsiCommand& cmd) {
  Bytes cdb(cmd.cdb.begin(), cmd.cdb.end());
  for (const Ahs& a : cmd.ahs) {
    if ((a.type & 0x3f) == static_cast<std::uint8_t>(AhsType::ExtendedCdb) && !a.specific.empty()) {
      cdb.insert(cdb.end(), a.specific.begin() + 1, a.specific.end());  // skip the reserved byte
      break;
    }
  }
  return cdb;
}

std::optional<std::uint32_t> bidi_read_expected_length(const ScsiCommand& cmd) {
  for (const Ahs& a : cmd.ahs) {
    if ((a.type & 0x3f) == static_cast<std::uint8_t>(AhsType::BidirectionalReadLength) &&
        a.specific.size() == 5) {
      return load_be32(a.specific.data() + 1);
    }
  }
  return std::nullopt;
}

}  // namespace iscsi::wire
