// Reassembly of one direction of a TCP connection from captured segments
// into the byte stream the receiver saw.
//
// Positions are stream offsets: 0 is the byte after the SYN when the SYN was
// captured, else the first payload byte seen. Sequence numbers wrap modulo
// 2^32 (RFC 793 §3.3); offsets do not.
//
// - Retransmitted bytes (already delivered) are dropped and counted.
// - Overlapping segments: the bytes seen first are kept.
// - Out-of-order segments wait in a bounded buffer until the hole before
//   them fills.
// - A hole becomes a gap, reported with its exact length and never filled
//   with guessed bytes, when it can no longer fill: the peer acknowledged
//   bytes past it (the receiver got bytes the capture missed), the buffer
//   limit is reached, or the stream ends.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "capture/capture_reader.h"
#include "wire/bytes.h"

namespace iscsi::capture {

// Receives the reassembled stream.
class StreamOutput {
 public:
  virtual ~StreamOutput() = default;
  // The next `bytes` of the stream, carried by frame `at`.
  virtual void data(wire::ByteView bytes, const PacketRef& at) = 0;
  // `length` bytes of the stream that the capture does not hold.
  virtual void gap(std::uint64_t length, const PacketRef& at, const std::string& why) = 0;
};

struct TcpStreamStats {
  std::uint64_t delivered = 0;      // bytes handed on
  std::uint64_t retransmitted = 0;  // duplicate bytes dropped
  std::uint64_t overlapping = 0;    // bytes of partly new segments already held or delivered
  std::uint64_t conflicting = 0;    // overlapping bytes that differed from those kept
  std::uint64_t out_of_order = 0;   // segments that waited for a hole to fill
  std::uint64_t gaps = 0;
  std::uint64_t gap_bytes = 0;
  std::uint64_t before_start = 0;  // bytes sent before the first byte this capture holds
  std::uint64_t implausible = 0;   // segments far outside the window, dropped
  std::uint64_t buffer_limit_hits = 0;
};

class TcpStream {
 public:
  // `max_buffered`: largest number of out-of-order bytes held.
  explicit TcpStream(std::size_t max_buffered) : max_buffered_(max_buffered) {}

  // The SYN of this direction (its sequence number is the ISN).
  void syn(std::uint32_t isn);
  // A segment of this direction. `payload` is the captured part of a
  // payload of `payload_length` bytes; `fin` marks the FIN flag.
  void segment(std::uint32_t seq, wire::ByteView payload, std::uint32_t payload_length, bool fin,
               const PacketRef& at, StreamOutput& out);
  // The peer acknowledged everything before `ack` (the ACK field of a
  // segment of the other direction).
  void acknowledged(std::uint32_t ack, const PacketRef& at, StreamOutput& out);
  // The stream will get no more segments: every hole becomes a gap and the
  // buffer empties. Bytes the peer acknowledged or the FIN covered but the
  // capture lacks become a final gap.
  void flush(const PacketRef& at, StreamOutput& out);
  // Forces the earliest hole to become a gap (to free buffer space when a
  // limit shared between streams is reached). Returns the bytes freed.
  std::size_t release_buffer(const PacketRef& at, StreamOutput& out);

  bool started() const { return started_; }
  bool syn_seen() const { return syn_seen_; }
  std::optional<std::uint32_t> isn() const {
    return syn_seen_ ? std::optional<std::uint32_t>(isn_) : std::nullopt;
  }
  // Every byte up to the FIN has been delivered (or reported as a gap).
  bool finished() const { return fin_offset_ && next_offset_ >= *fin_offset_; }
  std::size_t buffered() const { return buffered_; }
  std::uint64_t next_offset() const { return next_offset_; }
  const TcpStreamStats& stats() const { return stats_; }

 private:
  struct Pending {
    wire::Bytes bytes;
    PacketRef at;
  };

  // Offset of `seq` relative to the next expected byte.
  std::int64_t offset_of(std::uint32_t seq) const {
    return static_cast<std::int64_t>(next_offset_) + static_cast<std::int32_t>(seq - next_seq_);
  }
  void deliver(wire::ByteView bytes, const PacketRef& at, StreamOutput& out);
  void drain(StreamOutput& out);
  void skip_to(std::uint64_t offset, const PacketRef& at, StreamOutput& out,
               const std::string& why);
  void store(std::uint64_t start, wire::ByteView bytes, const PacketRef& at);

  std::size_t max_buffered_;
  bool started_ = false;
  bool syn_seen_ = false;
  std::uint32_t isn_ = 0;
  std::uint32_t next_seq_ = 0;     // sequence number of the next expected byte
  std::uint64_t next_offset_ = 0;  // its stream offset
  std::optional<std::uint64_t> fin_offset_;
  std::uint64_t acked_offset_ = 0;            // highest offset the peer acknowledged
  std::map<std::uint64_t, Pending> pending_;  // out-of-order bytes by start offset
  std::size_t buffered_ = 0;
  TcpStreamStats stats_;
};

}  // namespace iscsi::capture
