#include "wire/framer.h"

#include <algorithm>
#include <string>

#include "wire/crc32c.h"

namespace iscsi::wire {

Framer::Step Framer::feed(ByteView in) {
  if (state_ == State::Failed) return {0, state_};
  if (state_ == State::Ready) {
    // The previous frame has been handed out; start the next PDU.
    buffer_.clear();
    target_ = kBhsLength;
    have_header_ = false;
    frame_ = Frame{};
    state_ = State::NeedMore;
  }
  std::size_t consumed = 0;
  while (state_ == State::NeedMore && consumed < in.size()) {
    const std::size_t take = std::min(target_ - buffer_.size(), in.size() - consumed);
    buffer_.insert(buffer_.end(), in.begin() + static_cast<std::ptrdiff_t>(consumed),
                   in.begin() + static_cast<std::ptrdiff_t>(consumed + take));
    consumed += take;
    if (buffer_.size() < target_) break;
    state_ = have_header_ ? on_complete() : on_header();
  }
  return {consumed, state_};
}

Framer::State Framer::on_header() {
  have_header_ = true;
  active_digests_ = settings_.digests;
  const std::uint32_t data_length = load_be24(buffer_.data() + 5);
  if (data_length > settings_.max_recv_data_segment_length) {
    // §12.12: the receiver declared the largest data segment it accepts.
    // Nothing past this header is buffered; the stream cannot be skipped
    // safely, so the connection ends.
    return fail(
        {DecodeErrc::DataSegmentTooLong, Reaction::DropConnection, RejectReason::ProtocolError,
         "DataSegmentLength " + std::to_string(data_length) + " exceeds MaxRecvDataSegmentLength " +
             std::to_string(settings_.max_recv_data_segment_length)});
  }
  std::size_t total = kBhsLength + static_cast<std::size_t>(buffer_[4]) * 4;
  if (active_digests_.header) total += kDigestLength;
  if (data_length > 0) {
    total += data_length + pad_length(data_length);
    if (active_digests_.data) total += kDigestLength;
  }
  buffer_.reserve(total);
  target_ = total;
  return buffer_.size() >= target_ ? on_complete() : State::NeedMore;
}

Framer::State Framer::on_complete() {
  const ByteView all(buffer_);
  const std::size_t ahs_length = static_cast<std::size_t>(all[4]) * 4;
  const std::size_t data_length = load_be24(all.data() + 5);
  std::size_t pos = kBhsLength + ahs_length;
  if (active_digests_.header) {
    if (crc32c(all.first(pos)) != load_digest(all.data() + pos)) {
      // §6.7: with a bad header digest nothing in the header can be trusted,
      // including the lengths; at ErrorRecoveryLevel 0 the connection ends.
      return fail({DecodeErrc::HeaderDigestMismatch, Reaction::DropConnection,
                   RejectReason::ProtocolError, "header digest mismatch"});
    }
    pos += kDigestLength;
  }
  frame_.wire = all;
  frame_.bhs = all.first(kBhsLength);
  frame_.ahs = all.subspan(kBhsLength, ahs_length);
  frame_.data = all.subspan(pos, data_length);
  if (data_length > 0 && active_digests_.data) {
    const std::size_t covered = data_length + pad_length(data_length);
    if (crc32c(all.subspan(pos, covered)) != load_digest(all.data() + pos + covered)) {
      // §6.7: "When a target receives any iSCSI PDU with a payload digest
      // error, it MUST answer with a Reject PDU with a reason code of
      // Data-Digest-Error and discard the PDU."
      frame_.error = DecodeError{DecodeErrc::DataDigestMismatch, Reaction::Reject,
                                 RejectReason::DataDigestError, "data digest mismatch"};
    }
  }
  if (!frame_.error) {
    const std::uint8_t op = all[0] & kOpcodeMask;
    switch (classify_opcode(op)) {
      case OpcodeClass::Defined:
        if (settings_.expected_sender && sender_of(op) != *settings_.expected_sender) {
          frame_.error =
              DecodeError{DecodeErrc::WrongDirection, Reaction::Reject, RejectReason::ProtocolError,
                          std::string(*opcode_name(op)) + " sent by the wrong side"};
        }
        break;
      case OpcodeClass::VendorSpecific:
        frame_.error = DecodeError{DecodeErrc::VendorOpcode, Reaction::Reject,
                                   RejectReason::CommandNotSupported, "vendor-specific opcode"};
        break;
      case OpcodeClass::Reserved:
        // §10: "Receipt of reserved code values in defined fields MUST be
        // reported as a protocol error."
        frame_.error = DecodeError{DecodeErrc::ReservedOpcode, Reaction::Reject,
                                   RejectReason::ProtocolError, "reserved opcode"};
        break;
    }
  }
  return State::Ready;
}

Framer::State Framer::fail(DecodeError error) {
  failure_ = std::move(error);
  buffer_.clear();
  buffer_.shrink_to_fit();
  return State::Failed;
}

}  // namespace iscsi::wire
