// Fuzzes the framer and the PDU decoder. The first input byte chooses the
// connection settings (digests, expected sender, a small or large
// MaxRecvDataSegmentLength); the rest is the byte stream, fed in chunks whose
// sizes also come from the input so every split of the stream is reachable.
// Every decoded PDU must re-encode to the same PDU and length, survive a
// read/write of each BHS field by name, and format for reports; both CRC32C
// implementations must agree on every frame.
#include <cstdint>
#include <cstdlib>

#include "wire/crc32c.h"
#include "wire/error.h"
#include "wire/framer.h"
#include "wire/pdu_codec.h"
#include "wire/pdu_fields.h"
#include "wire/pdu_format.h"

using namespace iscsi::wire;

namespace {

// `deep`: also the checks that serve reports and portability (the portable
// CRC32C, formatting, field access by name), for the first frames of an
// input only, so the decode path keeps its speed.
void check_frame(const Frame& frame, DigestSettings digests, bool deep) {
  if (frame.error) (void)decode_errc_name(frame.error->code);
  auto pdu = frame.decode();
  if (!pdu) {
    (void)decode_errc_name(pdu.error().code);
    (void)reject_reason_name(static_cast<std::uint8_t>(pdu.error().reject_reason));
    return;
  }
  // Re-encoding a decoded PDU and decoding it again gives the same PDU.
  const Bytes again = encode(*pdu, digests);
  auto round = decode(again, digests);
  if (!round || !(*round == *pdu)) std::abort();
  if (again.size() != frame.wire.size()) std::abort();
  if (!deep) return;

  // The table-driven CRC32C (used where SSE4.2 is missing) agrees with the
  // one in use.
  if (crc32c_finish(crc32c_update_portable(kCrc32cInit, frame.wire)) != crc32c(frame.wire)) {
    std::abort();
  }
  if (const auto* r = std::get_if<Reject>(&*pdu)) (void)reject_reason_name(r->reason);
  (void)format_pdu(*pdu);
  (void)has_reserved_bits_set(frame.bhs);
  (void)has_fixed_bits_clear(frame.bhs);
  // Reading each field by name and writing it back changes nothing.
  Pdu copy = *pdu;
  for (const FieldInfo& f : bhs_fields(opcode_of(copy))) {
    if (f.kind == FieldKind::Bytes) continue;
    const auto v = get_field(copy, f.name);
    if (!v || !set_field(copy, f.name, *v) || find_field(opcode_of(copy), f.name) == nullptr) {
      std::abort();
    }
  }
  if (!(copy == *pdu)) std::abort();
  if (const auto* cmd = std::get_if<ScsiCommand>(&*pdu)) {
    (void)full_cdb(*cmd);
    (void)bidi_read_expected_length(*cmd);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t mode = data[0];
  const std::uint8_t chunk = static_cast<std::uint8_t>(data[1] | 1);
  FramerSettings settings;
  settings.digests.header = mode & 0x01;
  settings.digests.data = mode & 0x02;
  if (mode & 0x04) settings.expected_sender = (mode & 0x08) ? Sender::Target : Sender::Initiator;
  settings.max_recv_data_segment_length = (mode & 0x10) ? 512 : 262144;
  Framer framer(settings);

  ByteView in(data + 2, size - 2);
  int frames = 0;
  while (!in.empty()) {
    const ByteView piece = in.first(std::min<std::size_t>(chunk, in.size()));
    const auto step = framer.feed(piece);
    in = in.subspan(step.consumed);
    if (step.state == Framer::State::Failed) break;
    if (step.state == Framer::State::Ready)
      check_frame(framer.frame(), settings.digests, frames++ < 2);
    if (step.consumed == 0 && step.state != Framer::State::Ready) break;
  }
  return 0;
}
