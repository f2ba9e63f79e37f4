// Decodes every iSCSI PDU of a capture: reads packets, strips link and IP
// layers, reassembles TCP, frames and decodes iSCSI, and reports PDUs, notes
// and connections to a sink in capture order.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "capture/capture_reader.h"
#include "capture/decoded_pdu.h"
#include "capture/iscsi_connection.h"
#include "capture/tcp_reassembler.h"
#include "wire/result.h"

namespace iscsi::capture {

struct DecodeSummary {
  std::string link_type;
  std::uint64_t packets = 0;
  std::uint64_t tcp_segments = 0;
  // Packets not decoded, by reason ("not IP", "not TCP", "IP fragment",
  // "malformed link header", ...).
  std::map<std::string, std::uint64_t> skipped;
  std::uint64_t tcp_connections = 0;
  std::uint64_t iscsi_connections = 0;
  std::uint64_t pdus = 0;
  std::uint64_t pdus_with_issues = 0;
  std::uint64_t notes = 0;
  std::uint64_t notes_suppressed = 0;  // packet notes past the per-reason limit
  ReassemblyStats reassembly;
  // Set when the capture file is damaged (a record cut short): decoding
  // stopped there, and everything before it was reported.
  std::optional<std::string> read_error;
};

// Notes about skipped packets stop after this many per reason (counts go on).
constexpr std::uint64_t kMaxPacketNotesPerReason = 100;

wire::Result<DecodeSummary, CaptureError> decode_capture(CaptureReader& reader,
                                                         const DecoderOptions& options,
                                                         DecodeSink& sink);

wire::Result<DecodeSummary, CaptureError> decode_capture_file(const std::string& path,
                                                              const DecoderOptions& options,
                                                              DecodeSink& sink);

}  // namespace iscsi::capture
