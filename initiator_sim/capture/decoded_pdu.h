// What decoding a capture reports: each PDU with where and when it was seen,
// its fields, text keys and problems; notes about the capture (gaps, skipped
// bytes, IP fragments, limits); and one report per iSCSI connection.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "capture/capture_reader.h"
#include "capture/tcp_segment.h"
#include "capture/tcp_stream.h"
#include "wire/bytes.h"
#include "wire/pdu.h"
#include "wire/text.h"

namespace iscsi::capture {

enum class PduDirection : std::uint8_t { InitiatorToTarget, TargetToInitiator };

// "I->T" or "T->I".
std::string_view direction_name(PduDirection d);

// The verdict on one digest of a PDU.
enum class DigestCheck : std::uint8_t {
  Absent,     // digests are off for this PDU (or it has no data segment)
  Good,       // the CRC32C matches
  Bad,        // the CRC32C differs
  Unchecked,  // bytes it covers were lost in a capture gap
};

std::string_view digest_check_name(DigestCheck c);

struct PduIssue {
  std::string code;    // short and stable, e.g. "header-digest-mismatch"
  std::string detail;  // for people
};

// One PDU as the framing found it in the stream.
struct FramedPdu {
  std::uint64_t stream_offset = 0;  // of the first header byte, in its direction's stream
  std::uint64_t wire_length = 0;    // bytes spanned, digests and padding included
  PacketRef first;                  // frame of the first header byte
  PacketRef last;                   // frame of the last byte
  std::array<std::uint8_t, 48> bhs{};
  wire::Bytes ahs;                        // TotalAHSLength * 4 bytes
  std::uint32_t data_segment_length = 0;  // as the header announces it
  // The leading bytes of the data segment that were captured and kept
  // (bounded by FramingOptions::max_retained_data; none past a gap).
  wire::Bytes data;
  std::uint64_t missing = 0;  // bytes of the PDU lost in capture gaps or past the stream's end
  DigestCheck header_digest = DigestCheck::Absent;
  DigestCheck data_digest = DigestCheck::Absent;
  std::uint32_t header_digest_value = 0;  // the digest field as sent, read big-endian
  std::uint32_t data_digest_value = 0;
  bool resynchronised = false;  // the first PDU found after framing was lost
  std::vector<PduIssue> issues;
};

struct DecodedPdu {
  std::uint64_t index = 0;       // 1-based, in the order PDUs complete in the capture
  std::uint32_t connection = 0;  // 1-based iSCSI connection number
  PduDirection direction = PduDirection::InitiatorToTarget;
  FramedPdu framed;
  // The typed PDU, when the header decodes (its data segment is what was kept).
  std::optional<wire::Pdu> pdu;
  // Login and Text PDUs: the NUL-terminated key=value pairs of this PDU's
  // data segment, and the unterminated text that continues in the next PDU
  // of the sequence (C bit, §10.10.2, §10.12.2).
  std::vector<wire::text::KeyValue> keys;
  std::string key_fragment;
  std::vector<PduIssue> issues;  // every problem: framing, decoding, negotiation limits
};

struct Note {
  std::uint32_t connection = 0;  // 0 for notes about the capture as a whole
  std::optional<PduDirection> direction;
  PacketRef at;
  std::string kind;  // "gap", "garbage", "resync", "ip-fragment", "digests", "limit", ...
  std::string message;
};

// Where a connection's digest settings came from.
enum class DigestSource : std::uint8_t {
  Login,         // the HeaderDigest/DataDigest answers of the captured login
  Detected,      // found by checking the CRC32C placements (login not captured)
  Undetermined,  // login not captured and no PDU settled it
};

std::string_view digest_source_name(DigestSource s);

struct ConnectionReport {
  std::uint32_t id = 0;
  Endpoint initiator;  // when roles are unknown: the first sender seen
  Endpoint target;
  bool roles_known = false;
  bool syn_seen = false;        // the TCP handshake was captured
  bool login_captured = false;  // the login, from its first PDU, was captured
  DigestSource digest_source = DigestSource::Undetermined;
  std::optional<bool> header_digest;  // nullopt while undetermined
  std::optional<bool> data_digest;
  std::string session_type;  // "Normal", "Discovery" or empty when not seen
  std::uint64_t pdus = 0;
  std::uint64_t pdus_with_issues = 0;
  std::uint64_t garbage_bytes = 0;      // bytes skipped while looking for a PDU header
  std::array<TcpStreamStats, 2> tcp{};  // [0] initiator to target, [1] target to initiator
  PacketRef first;
  PacketRef last;
  std::string end;  // how the TCP connection ended
};

// Receives the decoder's output, in capture order.
class DecodeSink {
 public:
  virtual ~DecodeSink() = default;
  // The first packet of the capture (relative times count from it).
  virtual void begin(const PacketRef&) {}
  // A TCP connection was recognised as iSCSI (before its first PDU).
  virtual void connection_start(const ConnectionReport&) {}
  virtual void pdu(const DecodedPdu&) {}
  virtual void note(const Note&) {}
  // The connection ended; the report holds its final flags and counts.
  virtual void connection_end(const ConnectionReport&) {}
};

}  // namespace iscsi::capture
