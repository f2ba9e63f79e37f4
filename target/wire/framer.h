// Incremental framing of a byte stream into PDUs (RFC 3720 §10.2).
//
// The framer is fed whatever a read returned. It takes bytes only up to the
// end of the PDU being assembled, so the caller can change the settings
// between two PDUs (digests start after login, §12.1; limits change with
// MaxRecvDataSegmentLength, §12.12). Before it buffers a data segment it
// checks the announced DataSegmentLength against the limit: a PDU that
// announces more than the receiver declared is refused, not allocated.
#pragma once

#include <cstdint>
#include <optional>

#include "wire/bytes.h"
#include "wire/error.h"
#include "wire/opcode.h"
#include "wire/pdu.h"
#include "wire/pdu_codec.h"

namespace iscsi::wire {

struct FramerSettings {
  DigestSettings digests;
  // The MaxRecvDataSegmentLength this side declared (§12.12; 8192 until
  // declared otherwise).
  std::uint32_t max_recv_data_segment_length = 8192;
  // When set, PDUs whose opcode belongs to the other sender are framed but
  // flagged with a protocol-error Reject (a target never receives target
  // opcodes).
  std::optional<Sender> expected_sender;
};

// One framed PDU. The views point into the framer and stay valid until the
// next call to feed().
struct Frame {
  ByteView wire;  // every byte of the PDU as received, digests included
  ByteView bhs;
  ByteView ahs;
  ByteView data;  // without padding
  // Set when the PDU was framed but must not be executed; its reaction is
  // always Reaction::Reject (the stream stays in step).
  std::optional<DecodeError> error;

  Opcode opcode() const { return static_cast<Opcode>(bhs[0] & kOpcodeMask); }
  Result<Pdu, DecodeError> decode() const { return decode_parts(bhs, ahs, data); }
};

class Framer {
 public:
  enum class State : std::uint8_t {
    NeedMore,  // feed more bytes; needed() says how many complete the next step
    Ready,     // frame() holds a PDU
    Failed,    // failure() says why; the connection must be dropped
  };

  struct Step {
    std::size_t consumed;
    State state;
  };

  explicit Framer(FramerSettings settings = {}) : settings_(settings) {}

  // Applies from the next PDU on.
  void set_settings(const FramerSettings& settings) { settings_ = settings; }
  const FramerSettings& settings() const { return settings_; }

  Step feed(ByteView in);

  State state() const { return state_; }
  // Bytes still missing before the header, or the whole PDU, is complete.
  std::size_t needed() const { return target_ - buffer_.size(); }
  const Frame& frame() const { return frame_; }
  const DecodeError& failure() const { return *failure_; }

 private:
  State on_header();
  State on_complete();
  State fail(DecodeError error);

  FramerSettings settings_;
  DigestSettings active_digests_;  // the settings in force for the current PDU
  Bytes buffer_;
  std::size_t target_ = kBhsLength;  // bytes the current step needs in buffer_
  bool have_header_ = false;
  State state_ = State::NeedMore;
  Frame frame_;
  std::optional<DecodeError> failure_;
};

}  // namespace iscsi::wire
