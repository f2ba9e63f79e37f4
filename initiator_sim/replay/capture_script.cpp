#include "replay/capture_script.h"

#include <algorithm>
#include <utility>

#include "wire/pdu_format.h"

namespace iscsi::replay {

namespace {

// Collects the decoder's PDUs and connection reports.
class ScriptSink final : public capture::DecodeSink {
 public:
  ScriptSink(CaptureScript& script, ScriptLimits limits) : script_(script), limits_(limits) {}

  void begin(const capture::PacketRef& first) override { start_ = first.time; }

  void connection_start(const capture::ConnectionReport& report) override {
    auto& c = script_.connections[report.id];
    c.id = report.id;
    c.report = report;
  }

  void connection_end(const capture::ConnectionReport& report) override {
    auto& c = script_.connections[report.id];
    c.id = report.id;
    c.report = report;
  }

  void pdu(const capture::DecodedPdu& d) override {
    if (too_large_) return;
    kept_ += d.framed.data.size();
    if (kept_ > limits_.max_total_data) {
      too_large_ = true;
      return;
    }
    ScriptPdu p;
    p.index = d.index;
    p.connection = d.connection;
    p.to_target = d.direction == capture::PduDirection::InitiatorToTarget;
    p.time = d.framed.last.time - start_;
    p.first_frame = d.framed.first.frame;
    p.frame = d.framed.last.frame;
    p.pdu = d.pdu;
    p.complete = d.pdu.has_value() && d.framed.missing == 0 &&
                 d.framed.data.size() == d.framed.data_segment_length;
    p.bad_header_digest = d.framed.header_digest == capture::DigestCheck::Bad;
    p.bad_data_digest = d.framed.data_digest == capture::DigestCheck::Bad;
    p.summary = d.pdu ? wire::format_pdu(*d.pdu) : "undecodable PDU";
    auto& c = script_.connections[d.connection];
    c.id = d.connection;
    c.pdus.push_back(script_.pdus.size());
    script_.pdus.push_back(std::move(p));
  }

  bool too_large() const { return too_large_; }

 private:
  CaptureScript& script_;
  ScriptLimits limits_;
  std::chrono::nanoseconds start_{0};
  std::uint64_t kept_ = 0;
  bool too_large_ = false;
};

// Replay needs whole data segments: a PDU's data is at most 2^24 - 1
// bytes (§10.2.1.4's DataSegmentLength field).
capture::DecoderOptions whole_segments(capture::DecoderOptions options) {
  options.framing.max_retained_data = wire::kMaxDataSegmentLength;
  return options;
}

wire::Result<CaptureScript, std::string> load(capture::CaptureReader& reader,
                                              const std::string& name,
                                              const capture::DecoderOptions& options,
                                              ScriptLimits limits) {
  CaptureScript script;
  script.path = name;
  ScriptSink sink(script, limits);
  auto summary = capture::decode_capture(reader, whole_segments(options), sink);
  if (!summary) return wire::Unexpected(name + ": " + summary.error().message);
  if (sink.too_large()) {
    return wire::Unexpected(name + ": the capture holds more than " +
                            std::to_string(limits.max_total_data >> 20) +
                            " MiB of PDU data, more than a replay keeps");
  }
  script.summary = std::move(*summary);
  std::stable_sort(
      script.pdus.begin(), script.pdus.end(),
      [](const ScriptPdu& a, const ScriptPdu& b) { return a.first_frame < b.first_frame; });
  for (auto& [id, c] : script.connections) c.pdus.clear();
  for (std::size_t i = 0; i < script.pdus.size(); ++i) {
    script.connections[script.pdus[i].connection].pdus.push_back(i);
  }
  return script;
}

}  // namespace

wire::Result<CaptureScript, std::string> load_capture_script(const std::string& path,
                                                             const capture::DecoderOptions& options,
                                                             ScriptLimits limits) {
  auto reader = capture::CaptureReader::open_file(path);
  if (!reader) return wire::Unexpected(path + ": " + reader.error().message);
  return load(*reader, path, options, limits);
}

wire::Result<CaptureScript, std::string> load_capture_script_bytes(
    wire::ByteView bytes, const capture::DecoderOptions& options, ScriptLimits limits) {
  auto reader = capture::CaptureReader::open_memory(bytes);
  if (!reader) return wire::Unexpected("capture: " + reader.error().message);
  return load(*reader, "capture", options, limits);
}

}  // namespace iscsi::replay
