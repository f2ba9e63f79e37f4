// Framing one direction of a reassembled iSCSI connection into PDUs
// (RFC 3720 §10.2), as a passive observer: nothing is refused, everything
// is reported.
//
// In step, each header gives the length of its PDU. A header is believed
// when its header digest matches (digests on), or when it passes the format
// checks of bhs_check.h; a header that fails them (a reserved opcode, a
// reserved bit set, a PDU of the wrong side) is believed only when the next
// header, where its lengths put it, passes the loose form of the checks (or
// the stream ends exactly there). Otherwise framing is lost, and the stream
// is scanned byte by byte for a plausible header (with a matching header
// digest when digests are on, else confirmed by the header after it); the
// bytes skipped are reported.
//
// Capture gaps are exact (their length is known): a gap inside a data
// segment leaves the framing intact and marks the PDU incomplete; a gap
// over a header loses the framing.
//
// Digests: each setting is Off, On, or Unknown. Unknown (the login was not
// captured) is settled from the stream: a header digest is present when the
// 4 bytes after the header are its CRC32C; a data digest when the 4 bytes
// after the padded data are theirs (or, with the data partly lost, when a
// plausible header follows 4 bytes later and not at once). Login PDUs never
// carry digests (§12.1: digests are in effect only after the login).
//
// Memory: a PDU's header and at most `max_retained_data` bytes of its data
// segment are kept; the rest streams through (digest computed on the fly).
// Looking ahead to confirm a header waits for at most `max_lookahead` bytes.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>

#include "capture/capture_reader.h"
#include "capture/decoded_pdu.h"
#include "wire/bytes.h"
#include "wire/opcode.h"

namespace iscsi::capture {

enum class DigestMode : std::uint8_t { Off, On, Unknown };

struct FramingOptions {
  std::size_t max_retained_data = 64 * 1024;
  // Largest DataSegmentLength believed while looking for a header, when the
  // receiver's MaxRecvDataSegmentLength was not captured.
  std::uint32_t hunt_max_data_segment = 1024 * 1024;
  std::size_t max_lookahead = 256 * 1024;
};

class PduStreamEvents {
 public:
  virtual ~PduStreamEvents() = default;
  virtual void framed(FramedPdu&& pdu) = 0;
  virtual void note(const PacketRef& at, const std::string& kind, const std::string& message) = 0;
  // The stream settled a digest setting that was Unknown.
  virtual void digest_detected(bool header, bool on, const PacketRef& at) = 0;
  // The first PDU framed settled which side sends on this stream.
  virtual void sender_found(wire::Sender sender) = 0;
};

class PduStream {
 public:
  PduStream(const FramingOptions& options, PduStreamEvents& events)
      : options_(options), events_(&events) {}

  void set_sender(wire::Sender sender) { sender_ = sender; }
  std::optional<wire::Sender> sender() const { return sender_; }
  // Applies from the next header on.
  void set_digests(DigestMode header, DigestMode data) {
    header_mode_ = header;
    data_mode_ = data;
  }
  DigestMode header_digest() const { return header_mode_; }
  DigestMode data_digest() const { return data_mode_; }
  // The receiving side's MaxRecvDataSegmentLength (§12.12), when known.
  void set_receiver_limit(std::optional<std::uint32_t> limit) { receiver_limit_ = limit; }
  // Starts by looking for a header instead of expecting one at offset 0
  // (the capture joined the connection after its first byte).
  void start_unsynchronised();

  void push(wire::ByteView bytes, const PacketRef& at);
  void gap(std::uint64_t length, const PacketRef& at);
  void end(const PacketRef& at);

  std::uint64_t garbage_bytes() const { return garbage_total_; }

 private:
  enum class Phase : std::uint8_t { Header, Data, Hunt };
  enum class Confirm : std::uint8_t { Yes, No, NeedMore, TooFar };

  std::size_t avail() const { return buf_.size() - head_; }
  const std::uint8_t* at(std::size_t i) const { return buf_.data() + head_ + i; }
  void consume(std::size_t n);
  PacketRef packet_at(std::uint64_t offset) const;

  void process();
  bool step_header();
  bool step_data();
  bool step_hunt();
  bool decide_data_digest();
  bool header_crc_ok(std::size_t pos) const;
  bool next_header_plausible(std::size_t pos, bool header_digest) const;
  Confirm confirm(std::size_t pos, bool header_digest) const;
  std::uint32_t hunt_limit() const;
  void accept(bool header_digest, DigestCheck check);
  void finish(const PacketRef& last);
  void lose_sync(const std::string& why);
  void drop(std::size_t n);
  void report_skipped(const PacketRef& at, const std::string& what);

  FramingOptions options_;
  PduStreamEvents* events_;
  std::optional<wire::Sender> sender_;
  DigestMode header_mode_ = DigestMode::Off;
  DigestMode data_mode_ = DigestMode::Off;
  std::optional<std::uint32_t> receiver_limit_;

  wire::Bytes buf_;
  std::size_t head_ = 0;
  std::uint64_t offset_ = 0;  // stream offset of buf_[head_]
  // (stream offset, frame) of each push, to find the frame of any byte.
  std::deque<std::pair<std::uint64_t, PacketRef>> marks_;
  bool ended_ = false;
  Phase phase_ = Phase::Header;

  // The PDU whose data segment is being read.
  FramedPdu cur_;
  std::uint64_t data_left_ = 0;    // data and padding bytes still to come
  std::uint64_t digest_left_ = 0;  // data digest bytes still to come (digest On)
  std::uint8_t digest_bytes_[4] = {};
  DigestMode cur_data_mode_ = DigestMode::Off;
  std::uint32_t crc_ = 0;
  bool crc_valid_ = true;  // false once bytes the digest covers were lost
  bool retaining_ = true;  // false once a gap interrupted the kept data
  bool resync_next_ = false;

  // Looking for a header.
  std::size_t scan_ = 0;          // next position to test, relative to head_
  std::uint64_t skipped_ = 0;     // bytes dropped since framing was lost
  std::uint64_t skip_start_ = 0;  // stream offset where framing was lost
  std::uint64_t garbage_total_ = 0;
};

}  // namespace iscsi::capture
