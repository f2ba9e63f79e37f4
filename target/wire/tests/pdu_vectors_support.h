// Helpers shared by the hand-written PDU vector tests (pdu_vectors_*_test.cpp).
//
// The vectors are written from the PDU figures of RFC 3720 §10; these helpers
// only compare bytes and fields and compute digests independently of the
// library (wire/crc32c.h is deliberately not used).
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <utility>
#include <variant>
#include <vector>

#include "wire/bytes.h"
#include "wire/error.h"
#include "wire/pdu.h"
#include "wire/pdu_codec.h"

namespace iscsi::wire::vectors {

// CRC32C computed bit by bit from its definition (RFC 3720 §12.1 and
// Appendix B.4: Castagnoli polynomial 0x1EDC6F41, processed LSB first, i.e.
// the reflected form 0x82F63B78; register preset to all ones; result
// complemented).
inline std::uint32_t ReferenceCrc32c(ByteView data) {
  std::uint32_t crc = 0xffffffffu;
  for (std::uint8_t byte : data) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 1u) ? (crc >> 1) ^ 0x82f63b78u : (crc >> 1);
    }
  }
  return crc ^ 0xffffffffu;
}

// The four bytes of a digest field in the order of RFC 3720 Appendix B.4: the
// CRC of 32 zero bytes, 0x8a9136aa, is sent as aa 36 91 8a (least significant
// byte first).
inline Bytes DigestBytes(std::uint32_t crc) {
  return {static_cast<std::uint8_t>(crc), static_cast<std::uint8_t>(crc >> 8),
          static_cast<std::uint8_t>(crc >> 16), static_cast<std::uint8_t>(crc >> 24)};
}

inline Bytes Concat(std::initializer_list<ByteView> parts) {
  Bytes out;
  for (ByteView part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

// The characters of a string literal, embedded NULs included, without the
// terminating NUL the compiler adds.
template <std::size_t N>
Bytes TextOf(const char (&text)[N]) {
  return Bytes(text, text + N - 1);
}

inline ByteView Slice(ByteView bytes, std::size_t offset, std::size_t length) {
  return bytes.subspan(offset, length);
}

// Bits to set in `count` consecutive bytes from `offset`.
struct BitRun {
  std::size_t offset;
  std::size_t count;
  std::uint8_t mask;
};

// A copy of `bytes` with the given bits OR-ed in.
inline Bytes WithBitsSet(ByteView bytes, std::initializer_list<BitRun> runs) {
  Bytes out(bytes.begin(), bytes.end());
  for (const BitRun& run : runs) {
    for (std::size_t i = 0; i < run.count; ++i) out.at(run.offset + i) |= run.mask;
  }
  return out;
}

// Byte-exact comparison that names every differing offset.
inline ::testing::AssertionResult SameBytes(ByteView got, ByteView want) {
  bool same = got.size() == want.size();
  for (std::size_t i = 0; same && i < got.size(); ++i) same = got[i] == want[i];
  if (same) return ::testing::AssertionSuccess();
  auto failure = ::testing::AssertionFailure();
  failure << "got " << got.size() << " bytes, want " << want.size() << " bytes";
  const std::size_t common = got.size() < want.size() ? got.size() : want.size();
  int shown = 0;
  for (std::size_t i = 0; i < common && shown < 24; ++i) {
    if (got[i] == want[i]) continue;
    failure << "\n  byte " << i << ": got 0x" << to_hex(got.subspan(i, 1)) << ", want 0x"
            << to_hex(want.subspan(i, 1));
    ++shown;
  }
  failure << "\n  got:  " << to_hex(got) << "\n  want: " << to_hex(want);
  return failure;
}

// Decodes `wire` and returns the alternative T, or records a failure.
template <class T>
std::optional<T> DecodeAs(ByteView wire, DigestSettings digests = {}) {
  auto result = decode(wire, digests);
  if (!result.ok()) {
    ADD_FAILURE() << "decode failed: " << decode_errc_name(result.error().code) << ": "
                  << result.error().detail;
    return std::nullopt;
  }
  if (const T* pdu = std::get_if<T>(&result.value())) return *pdu;
  ADD_FAILURE() << "decoded to the wrong PDU type (variant index " << result.value().index() << ")";
  return std::nullopt;
}

// encode(), encode_append(), encode_bhs() and encoded_size() all agree with
// the hand-written bytes.
template <class T>
::testing::AssertionResult EncodesTo(const T& pdu, ByteView want, DigestSettings digests = {}) {
  const Pdu any{pdu};
  const Bytes got = encode(any, digests);
  if (auto same = SameBytes(got, want); !same) return same << "\n  (from encode)";
  if (encoded_size(any, digests) != want.size()) {
    return ::testing::AssertionFailure()
           << "encoded_size " << encoded_size(any, digests) << ", want " << want.size();
  }
  const auto bhs = encode_bhs(any);
  if (auto same = SameBytes(bhs, want.first(kBhsLength)); !same) {
    return same << "\n  (from encode_bhs)";
  }
  Bytes appended = {0xee, 0xdd};
  encode_append(any, digests, appended);
  if (auto same = SameBytes(appended, Concat({Bytes{0xee, 0xdd}, want})); !same) {
    return same << "\n  (from encode_append after two bytes)";
  }
  return ::testing::AssertionSuccess();
}

inline void ExpectAhsEq(const std::vector<Ahs>& got, const std::vector<Ahs>& want) {
  ASSERT_EQ(got.size(), want.size()) << "number of AHS entries";
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].type, want[i].type) << "AHSType of AHS #" << i;
    EXPECT_EQ(got[i].specific, want[i].specific) << "AHS-Specific of AHS #" << i;
  }
}

inline void ExpectIsidEq(const Isid& got, const Isid& want) {
  EXPECT_EQ(got.t, want.t) << "ISID T";
  EXPECT_EQ(got.a, want.a) << "ISID A";
  EXPECT_EQ(got.b, want.b) << "ISID B";
  EXPECT_EQ(got.c, want.c) << "ISID C";
  EXPECT_EQ(got.d, want.d) << "ISID D";
}

// Field-by-field comparison, one EXPECT per field so that a failure names it.
inline void ExpectPduEq(const NopOut& got, const NopOut& want) {
  EXPECT_EQ(got.immediate, want.immediate);
  EXPECT_EQ(got.lun, want.lun);
  EXPECT_EQ(got.initiator_task_tag, want.initiator_task_tag);
  EXPECT_EQ(got.target_transfer_tag, want.target_transfer_tag);
  EXPECT_EQ(got.cmd_sn, want.cmd_sn);
  EXPECT_EQ(got.exp_stat_sn, want.exp_stat_sn);
  ExpectAhsEq(got.ahs, want.ahs);
  EXPECT_EQ(got.data, want.data);
}

inline void ExpectPduEq(const ScsiCommand& got, const ScsiCommand& want) {
  EXPECT_EQ(got.immediate, want.immediate);
  EXPECT_EQ(got.final, want.final);
  EXPECT_EQ(got.read, want.read);
  EXPECT_EQ(got.write, want.write);
  EXPECT_EQ(got.attr, want.attr);
  EXPECT_EQ(got.lun, want.lun);
  EXPECT_EQ(got.initiator_task_tag, want.initiator_task_tag);
  EXPECT_EQ(got.expected_data_transfer_length, want.expected_data_transfer_length);
  EXPECT_EQ(got.cmd_sn, want.cmd_sn);
  EXPECT_EQ(got.exp_stat_sn, want.exp_stat_sn);
  EXPECT_EQ(got.cdb, want.cdb);
  ExpectAhsEq(got.ahs, want.ahs);
  EXPECT_EQ(got.data, want.data);
}

inline void ExpectPduEq(const TaskManagementRequest& got, const TaskManagementRequest& want) {
  EXPECT_EQ(got.immediate, want.immediate);
  EXPECT_EQ(got.function, want.function);
  EXPECT_EQ(got.lun, want.lun);
  EXPECT_EQ(got.initiator_task_tag, want.initiator_task_tag);
  EXPECT_EQ(got.referenced_task_tag, want.referenced_task_tag);
  EXPECT_EQ(got.cmd_sn, want.cmd_sn);
  EXPECT_EQ(got.exp_stat_sn, want.exp_stat_sn);
  EXPECT_EQ(got.ref_cmd_sn, want.ref_cmd_sn);
  EXPECT_EQ(got.exp_data_sn, want.exp_data_sn);
  ExpectAhsEq(got.ahs, want.ahs);
  EXPECT_EQ(got.data, want.data);
}

inline void ExpectPduEq(const LoginRequest& got, const LoginRequest& want) {
  EXPECT_EQ(got.transit, want.transit);
  EXPECT_EQ(got.continue_, want.continue_);
  EXPECT_EQ(got.csg, want.csg);
  EXPECT_EQ(got.nsg, want.nsg);
  EXPECT_EQ(got.version_max, want.version_max);
  EXPECT_EQ(got.version_min, want.version_min);
  ExpectIsidEq(got.isid, want.isid);
  EXPECT_EQ(got.tsih, want.tsih);
  EXPECT_EQ(got.initiator_task_tag, want.initiator_task_tag);
  EXPECT_EQ(got.cid, want.cid);
  EXPECT_EQ(got.cmd_sn, want.cmd_sn);
  EXPECT_EQ(got.exp_stat_sn, want.exp_stat_sn);
  ExpectAhsEq(got.ahs, want.ahs);
  EXPECT_EQ(got.data, want.data);
}

inline void ExpectPduEq(const TextRequest& got, const TextRequest& want) {
  EXPECT_EQ(got.immediate, want.immediate);
  EXPECT_EQ(got.final, want.final);
  EXPECT_EQ(got.continue_, want.continue_);
  EXPECT_EQ(got.lun, want.lun);
  EXPECT_EQ(got.initiator_task_tag, want.initiator_task_tag);
  EXPECT_EQ(got.target_transfer_tag, want.target_transfer_tag);
  EXPECT_EQ(got.cmd_sn, want.cmd_sn);
  EXPECT_EQ(got.exp_stat_sn, want.exp_stat_sn);
  ExpectAhsEq(got.ahs, want.ahs);
  EXPECT_EQ(got.data, want.data);
}

inline void ExpectPduEq(const ScsiDataOut& got, const ScsiDataOut& want) {
  EXPECT_EQ(got.final, want.final);
  EXPECT_EQ(got.lun, want.lun);
  EXPECT_EQ(got.initiator_task_tag, want.initiator_task_tag);
  EXPECT_EQ(got.target_transfer_tag, want.target_transfer_tag);
  EXPECT_EQ(got.exp_stat_sn, want.exp_stat_sn);
  EXPECT_EQ(got.data_sn, want.data_sn);
  EXPECT_EQ(got.buffer_offset, want.buffer_offset);
  ExpectAhsEq(got.ahs, want.ahs);
  EXPECT_EQ(got.data, want.data);
}

inline void ExpectPduEq(const LogoutRequest& got, const LogoutRequest& want) {
  EXPECT_EQ(got.immediate, want.immediate);
  EXPECT_EQ(got.reason_code, want.reason_code);
  EXPECT_EQ(got.initiator_task_tag, want.initiator_task_tag);
  EXPECT_EQ(got.cid, want.cid);
  EXPECT_EQ(got.cmd_sn, want.cmd_sn);
  EXPECT_EQ(got.exp_stat_sn, want.exp_stat_sn);
  ExpectAhsEq(got.ahs, want.ahs);
  EXPECT_EQ(got.data, want.data);
}

inline void ExpectPduEq(const SnackRequest& got, const SnackRequest& want) {
  EXPECT_EQ(got.type, want.type);
  EXPECT_EQ(got.lun, want.lun);
  EXPECT_EQ(got.initiator_task_tag, want.initiator_task_tag);
  EXPECT_EQ(got.target_transfer_tag, want.target_transfer_tag);
  EXPECT_EQ(got.exp_stat_sn, want.exp_stat_sn);
  EXPECT_EQ(got.beg_run, want.beg_run);
  EXPECT_EQ(got.run_length, want.run_length);
  ExpectAhsEq(got.ahs, want.ahs);
  EXPECT_EQ(got.data, want.data);
}

inline void ExpectPduEq(const NopIn& got, const NopIn& want) {
  EXPECT_EQ(got.lun, want.lun);
  EXPECT_EQ(got.initiator_task_tag, want.initiator_task_tag);
  EXPECT_EQ(got.target_transfer_tag, want.target_transfer_tag);
  EXPECT_EQ(got.stat_sn, want.stat_sn);
  EXPECT_EQ(got.exp_cmd_sn, want.exp_cmd_sn);
  EXPECT_EQ(got.max_cmd_sn, want.max_cmd_sn);
  ExpectAhsEq(got.ahs, want.ahs);
  EXPECT_EQ(got.data, want.data);
}

inline void ExpectPduEq(const ScsiResponse& got, const ScsiResponse& want) {
  EXPECT_EQ(got.bidi_read_residual_overflow, want.bidi_read_residual_overflow);
  EXPECT_EQ(got.bidi_read_residual_underflow, want.bidi_read_residual_underflow);
  EXPECT_EQ(got.residual_overflow, want.residual_overflow);
  EXPECT_EQ(got.residual_underflow, want.residual_underflow);
  EXPECT_EQ(got.response, want.response);
  EXPECT_EQ(got.status, want.status);
  EXPECT_EQ(got.initiator_task_tag, want.initiator_task_tag);
  EXPECT_EQ(got.snack_tag, want.snack_tag);
  EXPECT_EQ(got.stat_sn, want.stat_sn);
  EXPECT_EQ(got.exp_cmd_sn, want.exp_cmd_sn);
  EXPECT_EQ(got.max_cmd_sn, want.max_cmd_sn);
  EXPECT_EQ(got.exp_data_sn, want.exp_data_sn);
  EXPECT_EQ(got.bidi_read_residual_count, want.bidi_read_residual_count);
  EXPECT_EQ(got.residual_count, want.residual_count);
  ExpectAhsEq(got.ahs, want.ahs);
  EXPECT_EQ(got.data, want.data);
}

inline void ExpectPduEq(const TaskManagementResponse& got, const TaskManagementResponse& want) {
  EXPECT_EQ(got.response, want.response);
  EXPECT_EQ(got.initiator_task_tag, want.initiator_task_tag);
  EXPECT_EQ(got.stat_sn, want.stat_sn);
  EXPECT_EQ(got.exp_cmd_sn, want.exp_cmd_sn);
  EXPECT_EQ(got.max_cmd_sn, want.max_cmd_sn);
  ExpectAhsEq(got.ahs, want.ahs);
  EXPECT_EQ(got.data, want.data);
}

inline void ExpectPduEq(const LoginResponse& got, const LoginResponse& want) {
  EXPECT_EQ(got.transit, want.transit);
  EXPECT_EQ(got.continue_, want.continue_);
  EXPECT_EQ(got.csg, want.csg);
  EXPECT_EQ(got.nsg, want.nsg);
  EXPECT_EQ(got.version_max, want.version_max);
  EXPECT_EQ(got.version_active, want.version_active);
  ExpectIsidEq(got.isid, want.isid);
  EXPECT_EQ(got.tsih, want.tsih);
  EXPECT_EQ(got.initiator_task_tag, want.initiator_task_tag);
  EXPECT_EQ(got.stat_sn, want.stat_sn);
  EXPECT_EQ(got.exp_cmd_sn, want.exp_cmd_sn);
  EXPECT_EQ(got.max_cmd_sn, want.max_cmd_sn);
  EXPECT_EQ(got.status_class, want.status_class);
  EXPECT_EQ(got.status_detail, want.status_detail);
  ExpectAhsEq(got.ahs, want.ahs);
  EXPECT_EQ(got.data, want.data);
}

inline void ExpectPduEq(const TextResponse& got, const TextResponse& want) {
  EXPECT_EQ(got.final, want.final);
  EXPECT_EQ(got.continue_, want.continue_);
  EXPECT_EQ(got.lun, want.lun);
  EXPECT_EQ(got.initiator_task_tag, want.initiator_task_tag);
  EXPECT_EQ(got.target_transfer_tag, want.target_transfer_tag);
  EXPECT_EQ(got.stat_sn, want.stat_sn);
  EXPECT_EQ(got.exp_cmd_sn, want.exp_cmd_sn);
  EXPECT_EQ(got.max_cmd_sn, want.max_cmd_sn);
  ExpectAhsEq(got.ahs, want.ahs);
  EXPECT_EQ(got.data, want.data);
}

inline void ExpectPduEq(const ScsiDataIn& got, const ScsiDataIn& want) {
  EXPECT_EQ(got.final, want.final);
  EXPECT_EQ(got.acknowledge, want.acknowledge);
  EXPECT_EQ(got.residual_overflow, want.residual_overflow);
  EXPECT_EQ(got.residual_underflow, want.residual_underflow);
  EXPECT_EQ(got.status_present, want.status_present);
  EXPECT_EQ(got.status, want.status);
  EXPECT_EQ(got.lun, want.lun);
  EXPECT_EQ(got.initiator_task_tag, want.initiator_task_tag);
  EXPECT_EQ(got.target_transfer_tag, want.target_transfer_tag);
  EXPECT_EQ(got.stat_sn, want.stat_sn);
  EXPECT_EQ(got.exp_cmd_sn, want.exp_cmd_sn);
  EXPECT_EQ(got.max_cmd_sn, want.max_cmd_sn);
  EXPECT_EQ(got.data_sn, want.data_sn);
  EXPECT_EQ(got.buffer_offset, want.buffer_offset);
  EXPECT_EQ(got.residual_count, want.residual_count);
  ExpectAhsEq(got.ahs, want.ahs);
  EXPECT_EQ(got.data, want.data);
}

inline void ExpectPduEq(const LogoutResponse& got, const LogoutResponse& want) {
  EXPECT_EQ(got.response, want.response);
  EXPECT_EQ(got.initiator_task_tag, want.initiator_task_tag);
  EXPECT_EQ(got.stat_sn, want.stat_sn);
  EXPECT_EQ(got.exp_cmd_sn, want.exp_cmd_sn);
  EXPECT_EQ(got.max_cmd_sn, want.max_cmd_sn);
  EXPECT_EQ(got.time2wait, want.time2wait);
  EXPECT_EQ(got.time2retain, want.time2retain);
  ExpectAhsEq(got.ahs, want.ahs);
  EXPECT_EQ(got.data, want.data);
}

inline void ExpectPduEq(const ReadyToTransfer& got, const ReadyToTransfer& want) {
  EXPECT_EQ(got.lun, want.lun);
  EXPECT_EQ(got.initiator_task_tag, want.initiator_task_tag);
  EXPECT_EQ(got.target_transfer_tag, want.target_transfer_tag);
  EXPECT_EQ(got.stat_sn, want.stat_sn);
  EXPECT_EQ(got.exp_cmd_sn, want.exp_cmd_sn);
  EXPECT_EQ(got.max_cmd_sn, want.max_cmd_sn);
  EXPECT_EQ(got.r2t_sn, want.r2t_sn);
  EXPECT_EQ(got.buffer_offset, want.buffer_offset);
  EXPECT_EQ(got.desired_data_transfer_length, want.desired_data_transfer_length);
  ExpectAhsEq(got.ahs, want.ahs);
  EXPECT_EQ(got.data, want.data);
}

inline void ExpectPduEq(const AsyncMessage& got, const AsyncMessage& want) {
  EXPECT_EQ(got.lun, want.lun);
  EXPECT_EQ(got.initiator_task_tag, want.initiator_task_tag);
  EXPECT_EQ(got.stat_sn, want.stat_sn);
  EXPECT_EQ(got.exp_cmd_sn, want.exp_cmd_sn);
  EXPECT_EQ(got.max_cmd_sn, want.max_cmd_sn);
  EXPECT_EQ(got.async_event, want.async_event);
  EXPECT_EQ(got.async_vcode, want.async_vcode);
  EXPECT_EQ(got.parameter1, want.parameter1);
  EXPECT_EQ(got.parameter2, want.parameter2);
  EXPECT_EQ(got.parameter3, want.parameter3);
  ExpectAhsEq(got.ahs, want.ahs);
  EXPECT_EQ(got.data, want.data);
}

inline void ExpectPduEq(const Reject& got, const Reject& want) {
  EXPECT_EQ(got.reason, want.reason);
  EXPECT_EQ(got.initiator_task_tag, want.initiator_task_tag);
  EXPECT_EQ(got.stat_sn, want.stat_sn);
  EXPECT_EQ(got.exp_cmd_sn, want.exp_cmd_sn);
  EXPECT_EQ(got.max_cmd_sn, want.max_cmd_sn);
  EXPECT_EQ(got.data_sn, want.data_sn);
  ExpectAhsEq(got.ahs, want.ahs);
  EXPECT_EQ(got.data, want.data);
}

// The vector decodes to `want` field by field, and `want` encodes back to
// exactly the vector.
template <class T>
void ExpectVector(ByteView wire, const T& want, DigestSettings digests = {}) {
  if (auto got = DecodeAs<T>(wire, digests)) ExpectPduEq(*got, want);
  EXPECT_TRUE(EncodesTo(want, wire, digests));
}

// RFC 3720 §10: "Any compliant sender MUST set all bits not defined and all
// reserved fields to zero unless specified otherwise. Any compliant receiver
// MUST ignore any bit not defined and all reserved fields unless specified
// otherwise."
//
// `canonical` has every reserved bit zero; `reserved` lists the bits that the
// PDU's figure marks reserved ('.' or "Reserved") outside byte 0. Setting them
// changes neither the decoded struct nor its re-encoding, which has them zero
// again; has_reserved_bits_set() reports them.
template <class T>
void ExpectReservedBitsIgnored(ByteView canonical, const T& want,
                               std::initializer_list<BitRun> reserved) {
  EXPECT_FALSE(has_reserved_bits_set(canonical.first(kBhsLength))) << "canonical vector";
  const Bytes dirty = WithBitsSet(canonical, reserved);
  ASSERT_NE(to_hex(dirty), to_hex(canonical)) << "the reserved list sets no new bit";
  EXPECT_TRUE(has_reserved_bits_set(ByteView(dirty).first(kBhsLength)));
  if (auto got = DecodeAs<T>(dirty)) {
    ExpectPduEq(*got, want);
    EXPECT_TRUE(SameBytes(encode(*got), canonical)) << "re-encoding writes reserved bits as 0";
  }
}

// Byte 0 of every BHS is |.|I| Opcode| (§10.2.1): bit 7 is not defined for
// any PDU, and bit 6 (I) is not defined where the figure shows '.' instead of
// I (all target PDUs, SCSI Data-Out, SNACK Request). A receiver ignores those
// bits (§10). `undefined_bits` is 0x80 or 0xc0 accordingly.
template <class T>
void ExpectOpcodeByteUndefinedBitsIgnored(ByteView canonical, const T& want,
                                          std::uint8_t undefined_bits) {
  const Bytes dirty = WithBitsSet(canonical, {{0, 1, undefined_bits}});
  EXPECT_TRUE(has_reserved_bits_set(ByteView(dirty).first(kBhsLength)));
  if (auto got = DecodeAs<T>(dirty)) {
    ExpectPduEq(*got, want);
    EXPECT_TRUE(SameBytes(encode(*got), canonical)) << "re-encoding writes them as 0";
  }
}

}  // namespace iscsi::wire::vectors
