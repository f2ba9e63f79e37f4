// Fuzzes the framer and the PDU decoder. The first input byte chooses the
// connection settings (digests, expected sender, a small or large
// MaxRecvDataSegmentLength); the rest is the byte stream, fed in chunks whose
// sizes also come from the input so every split of the stream is reachable.
#include <cstdint>
#include <cstdlib>

#include "wire/framer.h"
#include "wire/pdu_codec.h"

using namespace iscsi::wire;

namespace {

void check_frame(const Frame& frame, DigestSettings digests) {
  auto pdu = frame.decode();
  if (!pdu) return;
  // Re-encoding a decoded PDU and decoding it again gives the same PDU.
  const Bytes again = encode(*pdu, digests);
  auto round = decode(again, digests);
  if (!round || !(*round == *pdu)) std::abort();
  if (again.size() != frame.wire.size()) std::abort();
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
  while (!in.empty()) {
    const ByteView piece = in.first(std::min<std::size_t>(chunk, in.size()));
    const auto step = framer.feed(piece);
    in = in.subspan(step.consumed);
    if (step.state == Framer::State::Failed) break;
    if (step.state == Framer::State::Ready) check_frame(framer.frame(), settings.digests);
    if (step.consumed == 0 && step.state != Framer::State::Ready) break;
  }
  return 0;
}
