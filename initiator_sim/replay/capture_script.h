// A capture turned into what replay needs: every PDU of every iSCSI
// connection, complete with its data segment, in capture order, with the
// connection reports of the decoder. Both directions are kept: the
// initiator's PDUs are what replay sends, the target's are what the live
// target's answers are compared with.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "capture/capture_decoder.h"
#include "capture/decoded_pdu.h"
#include "wire/pdu.h"
#include "wire/result.h"

namespace iscsi::replay {

struct ScriptPdu {
  std::uint64_t index = 0;       // the decoder's PDU number (as `iscsi-sim decode` shows it)
  std::uint32_t connection = 0;  // the decoder's connection number
  bool to_target = true;
  std::chrono::nanoseconds time{0};  // since the capture's first packet
  std::uint64_t first_frame = 0;     // frame of the PDU's first byte
  std::uint64_t frame = 0;           // frame of the PDU's last byte
  // The typed PDU with its whole data segment; absent when the header did
  // not decode.
  std::optional<wire::Pdu> pdu;
  // Every byte of the PDU was captured (no gap, not cut by the capture's end).
  bool complete = false;
  // The captured digests were wrong: the initiator meant to send a bad
  // digest (a replay keeps that intent).
  bool bad_header_digest = false;
  bool bad_data_digest = false;
  std::string summary;  // one line, as `iscsi-sim decode` prints it
};

struct ScriptConnection {
  std::uint32_t id = 0;
  capture::ConnectionReport report;  // as the decoder ended it
  std::vector<std::size_t> pdus;     // indexes into CaptureScript::pdus
};

struct CaptureScript {
  std::string path;
  // Capture order: by the frame of each PDU's first byte (a PDU whose
  // framing was confirmed only by the header after it is reported late by
  // the decoder, but was sent when its first byte was).
  std::vector<ScriptPdu> pdus;
  std::map<std::uint32_t, ScriptConnection> connections;
  capture::DecodeSummary summary;
};

struct ScriptLimits {
  // Data segment bytes kept over the whole capture; a larger capture is
  // refused rather than replayed partly.
  std::uint64_t max_total_data = std::uint64_t{1} << 30;
};

wire::Result<CaptureScript, std::string> load_capture_script(const std::string& path,
                                                             const capture::DecoderOptions& options,
                                                             ScriptLimits limits = {});

// The same from a capture held in memory (tests and fuzzing).
wire::Result<CaptureScript, std::string> load_capture_script_bytes(
    wire::ByteView bytes, const capture::DecoderOptions& options, ScriptLimits limits = {});

}  // namespace iscsi::replay
