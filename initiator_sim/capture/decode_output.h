// Rendering what the capture decoder reports: one human-readable line per
// PDU (with its keys and problems on indented lines), or one JSON object per
// line (JSON Lines) for each connection, PDU, note and the final summary.
//
// JSON objects carry "type": "connection", "pdu", "note", "connection_end"
// or "summary". PDU fields are named as in wire/pdu_fields.h; 64-bit fields
// (LUN, ISID) are hex strings so that JSON readers with double-precision
// numbers keep them exact; the CDB and raw bytes are hex strings.
#pragma once

#include <chrono>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "capture/capture_decoder.h"
#include "capture/decoded_pdu.h"

namespace iscsi::capture {

struct OutputOptions {
  // Data segment bytes shown per PDU (hex in JSON); 0 shows none.
  std::size_t data_bytes = 64;
};

nlohmann::ordered_json pdu_json(const DecodedPdu& pdu, std::chrono::nanoseconds start,
                                const OutputOptions& options);
nlohmann::ordered_json note_json(const Note& note, std::chrono::nanoseconds start);
nlohmann::ordered_json connection_json(const ConnectionReport& report, bool at_end);
nlohmann::ordered_json summary_json(const DecodeSummary& summary);

// "  0.000250 c1 I->T #4 Login Request T=1 ..." plus indented lines for
// text keys and issues.
std::string pdu_text(const DecodedPdu& pdu, std::chrono::nanoseconds start);
std::string note_text(const Note& note, std::chrono::nanoseconds start);
std::string connection_text(const ConnectionReport& report, bool at_end);
std::string summary_text(const DecodeSummary& summary);

// Serialises a JSON value on one line; invalid UTF-8 in captured text is
// replaced, never thrown on.
std::string json_line(const nlohmann::ordered_json& j);

// Writes everything the decoder reports to `out`, as text or JSON Lines.
class StreamSink : public DecodeSink {
 public:
  StreamSink(std::ostream& out, bool json, OutputOptions options = {})
      : out_(out), json_(json), options_(options) {}

  void begin(const PacketRef& first) override { start_ = first.time; }
  void connection_start(const ConnectionReport& report) override;
  void pdu(const DecodedPdu& pdu) override;
  void note(const Note& note) override;
  void connection_end(const ConnectionReport& report) override;
  void summary(const DecodeSummary& summary);

 private:
  std::ostream& out_;
  bool json_;
  OutputOptions options_;
  std::chrono::nanoseconds start_{0};
};

}  // namespace iscsi::capture
