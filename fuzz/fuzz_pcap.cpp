// Fuzzes the capture decoder end to end: the input is a capture file (pcap
// or pcapng, any link type) read from memory through libpcap, then link and
// IP layers, TCP reassembly, iSCSI framing and decoding, and both output
// formats. Malformed input must give a clear error or notes, never a crash,
// and memory stays within the limits set here. The invariants below are
// checked on everything the decoder reports.
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "capture/capture_decoder.h"
#include "capture/decode_output.h"

using namespace iscsi::capture;

namespace {

// Small limits, so that the fuzzer reaches the paths that enforce them.
constexpr std::size_t kRetained = 512;

[[noreturn]] void violated(const char* what) {
  std::fprintf(stderr, "fuzz_pcap: invariant violated: %s\n", what);
  std::abort();
}

#define PCAP_CHECK(cond)          \
  do {                            \
    if (!(cond)) violated(#cond); \
  } while (0)

class CheckingSink : public DecodeSink {
 public:
  void begin(const PacketRef& first) override { start_ = first.time; }
  void connection_start(const ConnectionReport& r) override {
    PCAP_CHECK(r.id == started_ + 1);
    ++started_;
    sink(json_line(connection_json(r, false)));
    sink(connection_text(r, false));
  }
  void pdu(const DecodedPdu& d) override {
    const FramedPdu& f = d.framed;
    PCAP_CHECK(d.index == ++pdus_);
    PCAP_CHECK(d.connection >= 1 && d.connection <= started_);
    // A PDU spans at least its header; what was kept of its data segment
    // is within the announced length and the retention limit.
    PCAP_CHECK(f.wire_length >= 48 + f.ahs.size());
    PCAP_CHECK(f.ahs.size() == static_cast<std::size_t>(f.bhs[4]) * 4);
    PCAP_CHECK(f.data_segment_length == iscsi::wire::load_be24(f.bhs.data() + 5));
    PCAP_CHECK(f.data.size() <= f.data_segment_length);
    PCAP_CHECK(f.data.size() <= kRetained);
    PCAP_CHECK(f.first.frame <= f.last.frame);
    if (d.pdu) PCAP_CHECK(iscsi::wire::data_of(*d.pdu).size() == f.data.size());
    sink(json_line(pdu_json(d, start_, {})));
    sink(pdu_text(d, start_));
  }
  void note(const Note& n) override {
    PCAP_CHECK(!n.kind.empty() && !n.message.empty());
    sink(json_line(note_json(n, start_)));
    sink(note_text(n, start_));
  }
  void connection_end(const ConnectionReport& r) override {
    PCAP_CHECK(r.id >= 1 && r.id <= started_);
    PCAP_CHECK(r.pdus_with_issues <= r.pdus);
    sink(json_line(connection_json(r, true)));
    sink(connection_text(r, true));
  }

  std::uint64_t pdus() const { return pdus_; }

 private:
  // The formatted text is produced (that is what is exercised) and dropped.
  void sink(const std::string& s) { bytes_ += s.size(); }

  std::chrono::nanoseconds start_{0};
  std::uint32_t started_ = 0;
  std::uint64_t pdus_ = 0;
  std::uint64_t bytes_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto reader = CaptureReader::open_memory(iscsi::wire::ByteView(data, size));
  if (!reader) {
    PCAP_CHECK(!reader.error().message.empty());
    return 0;
  }
  DecoderOptions options;
  options.target_ports = {3260, 860};
  options.limits.max_connections = 8;
  options.limits.max_buffered_per_stream = 16 * 1024;
  options.limits.max_buffered_total = 64 * 1024;
  options.framing.max_retained_data = kRetained;
  options.framing.hunt_max_data_segment = 64 * 1024;
  options.framing.max_lookahead = 16 * 1024;
  CheckingSink sink;
  auto summary = decode_capture(*reader, options, sink);
  if (!summary) {
    PCAP_CHECK(!summary.error().message.empty());
    return 0;
  }
  PCAP_CHECK(summary->pdus == sink.pdus());
  PCAP_CHECK(summary->pdus_with_issues <= summary->pdus);
  PCAP_CHECK(summary->iscsi_connections <= summary->tcp_connections);
  (void)json_line(summary_json(*summary));
  (void)summary_text(*summary);
  return 0;
}
