// RapidCheck properties of the codec: for every PDU type, encode and decode
// are inverse, and the framer yields the same PDUs however the stream is cut.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <bit>

#include "wire/framer.h"
#include "wire/pdu_codec.h"
#include "wire/pdu_fields.h"

namespace iscsi::wire {
namespace {

// A PDU of the given type with every BHS field drawn at random within its width,
// random AHS entries and a random data segment.
Pdu arbitrary_pdu(Opcode op) {
  Pdu pdu = read_fields(op, std::array<std::uint8_t, kBhsLength>{}.data());
  for (const FieldInfo& f : bhs_fields(op)) {
    if (f.kind == FieldKind::Bytes) continue;
    std::uint64_t max = 0;
    if (f.kind == FieldKind::Flag) {
      max = 1;
    } else if (f.kind == FieldKind::Bits) {
      max = f.mask >> std::countr_zero(f.mask);
    } else {
      max = f.size == 8 ? ~0ULL : ((1ULL << (8 * f.size)) - 1);
    }
    const auto v = *rc::gen::inRange<std::uint64_t>(0, max == ~0ULL ? max : max + 1);
    set_field(pdu, f.name, v);
  }
  std::visit(
      [](auto& p) {
        if constexpr (requires { p.cdb; }) {
          const auto cdb = *rc::gen::container<std::vector<std::uint8_t>>(
              16, rc::gen::arbitrary<std::uint8_t>());
          std::copy(cdb.begin(), cdb.end(), p.cdb.begin());
        }
        const auto n_ahs = *rc::gen::inRange(0, 3);
        for (int i = 0; i < n_ahs; ++i) {
          if (*rc::gen::arbitrary<bool>()) {
            p.ahs.push_back(make_bidi_read_length_ahs(*rc::gen::arbitrary<std::uint32_t>()));
          } else {
            p.ahs.push_back(make_extended_cdb_ahs(*rc::gen::container<std::vector<std::uint8_t>>(
                *rc::gen::inRange<std::size_t>(1, 60), rc::gen::arbitrary<std::uint8_t>())));
          }
        }
        p.data = *rc::gen::container<std::vector<std::uint8_t>>(
            *rc::gen::inRange<std::size_t>(0, 700), rc::gen::arbitrary<std::uint8_t>());
      },
      pdu);
  return pdu;
}

Opcode arbitrary_opcode() {
  static constexpr std::uint8_t kOps[] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x10, 0x20,
                                          0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x31, 0x32, 0x3f};
  return static_cast<Opcode>(
      *rc::gen::elementOf(std::vector<std::uint8_t>(std::begin(kOps), std::end(kOps))));
}

RC_GTEST_PROP(PduRoundTrip, DecodeInvertsEncodeForAll18Types, ()) {
  const Opcode op = arbitrary_opcode();
  const Pdu pdu = arbitrary_pdu(op);
  const DigestSettings d{*rc::gen::arbitrary<bool>(), *rc::gen::arbitrary<bool>()};
  const Bytes wire = encode(pdu, d);
  auto back = decode(wire, d);
  RC_ASSERT(back.ok());
  RC_ASSERT(*back == pdu);
  // The canonical bytes come back unchanged.
  RC_ASSERT(encode(*back, d) == wire);
  RC_ASSERT(!has_reserved_bits_set(ByteView(wire).first(kBhsLength)));
}

RC_GTEST_PROP(PduRoundTrip, FramerIsIndependentOfReadBoundaries, ()) {
  const auto count = *rc::gen::inRange(1, 6);
  const DigestSettings d{*rc::gen::arbitrary<bool>(), *rc::gen::arbitrary<bool>()};
  std::vector<Pdu> pdus;
  Bytes stream;
  for (int i = 0; i < count; ++i) {
    pdus.push_back(arbitrary_pdu(arbitrary_opcode()));
    encode_append(pdus.back(), d, stream);
  }
  Framer framer({.digests = d, .max_recv_data_segment_length = 1 << 20});
  std::vector<Pdu> got;
  ByteView rest(stream);
  while (!rest.empty()) {
    const auto cut = *rc::gen::inRange<std::size_t>(1, rest.size() + 1);
    ByteView piece = rest.first(cut);
    while (!piece.empty()) {
      const auto step = framer.feed(piece);
      RC_ASSERT(step.state != Framer::State::Failed);
      piece = piece.subspan(step.consumed);
      rest = rest.subspan(step.consumed);
      if (step.state == Framer::State::Ready) {
        RC_ASSERT(!framer.frame().error.has_value());
        auto pdu = framer.frame().decode();
        RC_ASSERT(pdu.ok());
        got.push_back(*pdu);
      }
    }
  }
  RC_ASSERT(got == pdus);
}

}  // namespace
}  // namespace iscsi::wire
