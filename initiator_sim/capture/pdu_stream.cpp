#include "capture/pdu_stream.h"

#include <algorithm>
#include <iterator>

#include "capture/bhs_check.h"
#include "wire/crc32c.h"
#include "wire/pdu.h"

namespace iscsi::capture {

namespace {

using wire::kBhsLength;
using wire::kDigestLength;

bool is_login(std::uint8_t byte0) {
  const auto op = static_cast<wire::Opcode>(byte0 & wire::kOpcodeMask);
  return op == wire::Opcode::LoginRequest || op == wire::Opcode::LoginResponse;
}

// RFC 3720 §12.1 (HeaderDigest, DataDigest): digests are negotiated during
// the login and in effect only after it, so Login PDUs carry none. A login
// PDU seen while the setting is Unknown is read without digests.
DigestMode effective(DigestMode mode, std::uint8_t byte0) {
  return mode == DigestMode::Unknown && is_login(byte0) ? DigestMode::Off : mode;
}

std::string number(std::uint64_t v) {
  return std::to_string(v);
}

}  // namespace

void PduStream::start_unsynchronised() {
  phase_ = Phase::Hunt;
  scan_ = 0;
  skip_start_ = offset_;
}

void PduStream::consume(std::size_t n) {
  head_ += n;
  offset_ += n;
  // Keep the mark of the last consumed byte (finish() asks for it).
  while (marks_.size() >= 2 && marks_[1].first < offset_) marks_.pop_front();
}

PacketRef PduStream::packet_at(std::uint64_t offset) const {
  if (marks_.empty()) return {};
  auto it = std::upper_bound(marks_.begin(), marks_.end(), offset,
                             [](std::uint64_t v, const auto& m) { return v < m.first; });
  if (it == marks_.begin()) return it->second;
  return std::prev(it)->second;
}

void PduStream::drop(std::size_t n) {
  skipped_ += n;
  garbage_total_ += n;
  consume(n);
  scan_ = scan_ > n ? scan_ - n : 0;
}

void PduStream::push(wire::ByteView bytes, const PacketRef& at) {
  if (ended_ || bytes.empty()) return;
  if (head_ > 0 && head_ * 2 >= buf_.size()) {
    buf_.erase(buf_.begin(), buf_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
  marks_.emplace_back(offset_ + avail(), at);
  buf_.insert(buf_.end(), bytes.begin(), bytes.end());
  process();
}

void PduStream::process() {
  for (;;) {
    bool progressed = false;
    switch (phase_) {
      case Phase::Header:
        progressed = step_header();
        break;
      case Phase::Data:
        progressed = step_data();
        break;
      case Phase::Hunt:
        progressed = step_hunt();
        break;
    }
    if (!progressed) return;
  }
}

bool PduStream::header_crc_ok(std::size_t pos) const {
  const std::size_t covered = kBhsLength + static_cast<std::size_t>(at(pos)[4]) * 4;
  return wire::crc32c(wire::ByteView(at(pos), covered)) == wire::load_digest(at(pos) + covered);
}

std::uint32_t PduStream::hunt_limit() const {
  // §12.12: 512 is the smallest MaxRecvDataSegmentLength a side may declare;
  // a declared value is trusted only above the 8192 default.
  return receiver_limit_ ? std::max<std::uint32_t>(*receiver_limit_, 8192)
                         : options_.hunt_max_data_segment;
}

bool PduStream::next_header_plausible(std::size_t pos, bool header_digest) const {
  if (pos + kBhsLength > avail()) return false;
  const std::uint8_t* h = at(pos);
  if (check_header(wire::ByteView(h, kBhsLength), sender_, hunt_limit(), true) !=
      HeaderFault::None) {
    return false;
  }
  if (!header_digest || effective(DigestMode::Unknown, h[0]) == DigestMode::Off) return true;
  if (pos + kBhsLength + static_cast<std::size_t>(h[4]) * 4 + kDigestLength > avail()) return false;
  return header_crc_ok(pos);
}

PduStream::Confirm PduStream::confirm(std::size_t pos, bool header_digest) const {
  const std::uint8_t* h = at(pos);
  const wire::ByteView bhs(h, kBhsLength);
  const DigestMode data_mode = effective(data_mode_, h[0]);
  const bool has_data = wire::load_be24(h + 5) > 0;
  std::uint64_t lengths[2];
  int count = 0;
  if (!has_data || data_mode != DigestMode::On)
    lengths[count++] = pdu_wire_length(bhs, header_digest, false);
  if (has_data && data_mode != DigestMode::Off)
    lengths[count++] = pdu_wire_length(bhs, header_digest, true);
  bool need_more = false;
  bool too_far = false;
  for (int i = 0; i < count; ++i) {
    if (lengths[i] > options_.max_lookahead) {
      too_far = true;
      continue;
    }
    const std::size_t next = pos + static_cast<std::size_t>(lengths[i]);
    if (ended_ && next == avail()) return Confirm::Yes;
    if (next_header_plausible(next, header_digest)) return Confirm::Yes;
    // Not enough bytes to judge the next header yet?
    std::size_t needed = next + kBhsLength;
    if (header_digest && needed <= avail())
      needed += static_cast<std::size_t>(at(next)[4]) * 4 + kDigestLength;
    if (needed > avail() && !ended_) need_more = true;
  }
  if (need_more) return Confirm::NeedMore;
  return too_far ? Confirm::TooFar : Confirm::No;
}

void PduStream::lose_sync(const std::string& why) {
  events_->note(packet_at(offset_), "resync",
                "framing lost at offset " + number(offset_) + " (" + why +
                    "); looking for the next PDU header");
  phase_ = Phase::Hunt;
  scan_ = 1;
  skip_start_ = offset_;
}

void PduStream::report_skipped(const PacketRef& at, const std::string& what) {
  events_->note(at, "resync",
                "PDU header found at offset " + number(offset_) + " after skipping " +
                    number(skipped_) + " captured bytes since offset " + number(skip_start_) +
                    what);
  skipped_ = 0;
}

bool PduStream::step_header() {
  if (avail() < kBhsLength) return false;
  const std::uint8_t* h = at(0);
  const std::size_t ahs = static_cast<std::size_t>(h[4]) * 4;
  const DigestMode hd = effective(header_mode_, h[0]);
  if (avail() < kBhsLength + ahs + (hd == DigestMode::Off ? 0 : kDigestLength)) return false;

  if (hd != DigestMode::Off && header_crc_ok(0)) {
    if (hd == DigestMode::Unknown) {
      header_mode_ = DigestMode::On;
      events_->digest_detected(true, true, packet_at(offset_));
    }
    accept(true, DigestCheck::Good);
    return true;
  }
  if (hd == DigestMode::On) {
    // RFC 3720 §6.7: with a bad header digest none of the header can be
    // trusted; its lengths are believed only when a header with a good
    // digest follows where they point.
    const Confirm c = confirm(0, true);
    if (c == Confirm::NeedMore) return false;
    if (c == Confirm::Yes) {
      accept(true, DigestCheck::Bad);
      return true;
    }
    lose_sync("header digest mismatch");
    return true;
  }
  // No header digest: Off, or Unknown without a CRC32C where it would be.
  const HeaderFault fault =
      check_header(wire::ByteView(h, kBhsLength), sender_, wire::kMaxDataSegmentLength);
  if (fault == HeaderFault::None && hd == DigestMode::Off) {
    accept(false, DigestCheck::Absent);
    return true;
  }
  const Confirm c = confirm(0, false);
  if (c == Confirm::NeedMore) return false;
  if (c == Confirm::Yes || (c == Confirm::TooFar && fault == HeaderFault::None)) {
    if (hd == DigestMode::Unknown && c == Confirm::Yes && fault == HeaderFault::None) {
      header_mode_ = DigestMode::Off;
      events_->digest_detected(true, false, packet_at(offset_));
    }
    accept(false, DigestCheck::Absent);
    return true;
  }
  lose_sync(fault == HeaderFault::None ? "no plausible header where its lengths point"
                                       : std::string(header_fault_text(fault)));
  return true;
}

void PduStream::accept(bool header_digest, DigestCheck check) {
  const std::uint8_t* h = at(0);
  const std::size_t ahs = static_cast<std::size_t>(h[4]) * 4;
  cur_ = FramedPdu{};
  cur_.stream_offset = offset_;
  cur_.first = packet_at(offset_);
  std::copy(h, h + kBhsLength, cur_.bhs.begin());
  cur_.ahs.assign(h + kBhsLength, h + kBhsLength + ahs);
  cur_.data_segment_length = wire::load_be24(h + 5);
  if (header_digest) {
    cur_.header_digest = check;
    cur_.header_digest_value = wire::load_be32(h + kBhsLength + ahs);
    if (check == DigestCheck::Bad) {
      cur_.issues.push_back(
          {"header-digest-mismatch", "the header digest is not the CRC32C of the header"});
    }
  }
  cur_.resynchronised = resync_next_;
  resync_next_ = false;
  const std::uint8_t op = h[0] & wire::kOpcodeMask;
  cur_data_mode_ = cur_.data_segment_length == 0 ? DigestMode::Off : effective(data_mode_, h[0]);
  consume(kBhsLength + ahs + (header_digest ? kDigestLength : 0));
  data_left_ = cur_.data_segment_length + wire::pad_length(cur_.data_segment_length);
  digest_left_ = cur_data_mode_ == DigestMode::On ? kDigestLength : 0;
  crc_ = wire::kCrc32cInit;
  crc_valid_ = true;
  retaining_ = true;
  phase_ = Phase::Data;
  if (!sender_ && wire::classify_opcode(op) == wire::OpcodeClass::Defined) {
    sender_ = wire::sender_of(op);
    events_->sender_found(*sender_);
  }
}

void PduStream::finish(const PacketRef& last) {
  cur_.wire_length = offset_ - cur_.stream_offset;
  cur_.last = last;
  phase_ = Phase::Header;
  FramedPdu done = std::move(cur_);
  cur_ = FramedPdu{};
  events_->framed(std::move(done));
}

bool PduStream::step_data() {
  if (data_left_ > 0) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(avail(), data_left_));
    if (n == 0) return false;
    const std::uint64_t padded =
        cur_.data_segment_length + wire::pad_length(cur_.data_segment_length);
    const std::uint64_t pos = padded - data_left_;
    if (retaining_ && pos < cur_.data_segment_length &&
        cur_.data.size() < options_.max_retained_data) {
      const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(
          {n, cur_.data_segment_length - pos, options_.max_retained_data - cur_.data.size()}));
      cur_.data.insert(cur_.data.end(), at(0), at(0) + want);
    }
    if (crc_valid_ && cur_data_mode_ != DigestMode::Off) {
      crc_ = wire::crc32c_update(crc_, wire::ByteView(at(0), n));
    }
    consume(n);
    data_left_ -= n;
    return true;
  }
  if (digest_left_ > 0) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(avail(), digest_left_));
    if (n == 0) return false;
    std::copy(at(0), at(0) + n, digest_bytes_ + (kDigestLength - digest_left_));
    consume(n);
    digest_left_ -= n;
    if (digest_left_ > 0) return true;
    cur_.data_digest_value = wire::load_be32(digest_bytes_);
    if (!crc_valid_) {
      cur_.data_digest = DigestCheck::Unchecked;
    } else if (wire::crc32c_finish(crc_) == wire::load_digest(digest_bytes_)) {
      cur_.data_digest = DigestCheck::Good;
    } else {
      cur_.data_digest = DigestCheck::Bad;
      cur_.issues.push_back(
          {"data-digest-mismatch", "the data digest is not the CRC32C of the data segment"});
    }
    finish(packet_at(offset_ - 1));
    return true;
  }
  if (cur_data_mode_ == DigestMode::Unknown) return decide_data_digest();
  finish(packet_at(offset_ == 0 ? 0 : offset_ - 1));
  return true;
}

bool PduStream::decide_data_digest() {
  // The data segment has been read; whether a digest follows is not known.
  if (avail() < kDigestLength + kBhsLength && !ended_) return false;
  const PacketRef here_at = packet_at(offset_);
  if (crc_valid_ && avail() >= kDigestLength &&
      wire::crc32c_finish(crc_) == wire::load_digest(at(0))) {
    if (data_mode_ == DigestMode::Unknown) {
      data_mode_ = DigestMode::On;
      events_->digest_detected(false, true, here_at);
    }
    cur_.data_digest = DigestCheck::Good;
    cur_.data_digest_value = wire::load_be32(at(0));
    consume(kDigestLength);
    finish(packet_at(offset_ - 1));
    return true;
  }
  const bool header_digest = header_mode_ == DigestMode::On;
  const bool next_here = next_header_plausible(0, header_digest) || (ended_ && avail() == 0);
  const bool next_after =
      next_header_plausible(kDigestLength, header_digest) || (ended_ && avail() == kDigestLength);
  if (next_after && !next_here) {
    // A digest is there, but it does not match (or covers lost bytes).
    if (data_mode_ == DigestMode::Unknown) {
      data_mode_ = DigestMode::On;
      events_->digest_detected(false, true, here_at);
    }
    cur_.data_digest_value = wire::load_be32(at(0));
    cur_.data_digest = crc_valid_ ? DigestCheck::Bad : DigestCheck::Unchecked;
    if (crc_valid_) {
      cur_.issues.push_back(
          {"data-digest-mismatch", "the data digest is not the CRC32C of the data segment"});
    }
    consume(kDigestLength);
    finish(packet_at(offset_ - 1));
    return true;
  }
  if (next_here && !next_after && crc_valid_ && data_mode_ == DigestMode::Unknown) {
    data_mode_ = DigestMode::Off;
    events_->digest_detected(false, false, here_at);
  }
  finish(packet_at(offset_ == 0 ? 0 : offset_ - 1));
  return true;
}

bool PduStream::step_hunt() {
  const std::uint32_t limit = hunt_limit();
  std::size_t p = scan_;
  while (p + kBhsLength <= avail()) {
    const std::uint8_t* h = at(p);
    const std::uint8_t op = h[0] & wire::kOpcodeMask;
    // Most positions fail on byte 0 alone.
    if ((h[0] & 0x80) || wire::classify_opcode(op) != wire::OpcodeClass::Defined ||
        (sender_ && wire::sender_of(op) != *sender_) ||
        check_header(wire::ByteView(h, kBhsLength), sender_, limit) != HeaderFault::None) {
      ++p;
      continue;
    }
    const DigestMode hd = effective(header_mode_, h[0]);
    if (hd != DigestMode::Off) {
      const std::size_t end = p + kBhsLength + static_cast<std::size_t>(h[4]) * 4 + kDigestLength;
      if (end > avail() && !ended_) {
        drop(p);
        scan_ = 0;
        return false;
      }
      if (end > avail()) {
        // The stream ends before a digest could follow: with digests known
        // to be on this is no header; while unknown, it may be one without.
        if (hd == DigestMode::On) {
          ++p;
          continue;
        }
      } else if (header_crc_ok(p)) {
        drop(p);
        if (hd == DigestMode::Unknown) {
          header_mode_ = DigestMode::On;
          events_->digest_detected(true, true, packet_at(offset_));
        }
        report_skipped(packet_at(offset_), " (its header digest matches)");
        resync_next_ = true;
        accept(true, DigestCheck::Good);
        return true;
      } else if (hd == DigestMode::On) {
        ++p;
        continue;
      }
    }
    // Read without a header digest: the whole header (with its AHS) must be here.
    if (p + kBhsLength + static_cast<std::size_t>(h[4]) * 4 > avail()) {
      if (ended_) {
        ++p;
        continue;
      }
      drop(p);
      scan_ = 0;
      return false;
    }
    const Confirm c = confirm(p, false);
    if (c == Confirm::NeedMore) {
      drop(p);
      scan_ = 0;
      return false;
    }
    if (c == Confirm::Yes || c == Confirm::TooFar) {
      drop(p);
      report_skipped(packet_at(offset_),
                     c == Confirm::Yes ? " (the next header is where its lengths point)"
                                       : " (its PDU is too long to confirm by the next header)");
      resync_next_ = true;
      accept(false, DigestCheck::Absent);
      return true;
    }
    ++p;
  }
  // No header starts before the last 47 bytes; they may begin one.
  if (!ended_) {
    const std::size_t keep = std::min<std::size_t>(avail(), kBhsLength - 1);
    drop(avail() - keep);
    scan_ = 0;
  } else {
    scan_ = p;
  }
  return false;
}

void PduStream::gap(std::uint64_t length, const PacketRef& at) {
  if (ended_ || length == 0) return;
  if (phase_ == Phase::Data) {
    if (data_left_ > 0 || digest_left_ > 0) {
      // The data phase takes every byte it is given, so nothing is buffered.
      const std::uint64_t n = std::min(length, data_left_);
      const std::uint64_t d = std::min(length - n, digest_left_);
      cur_.missing += n + d;
      data_left_ -= n;
      digest_left_ -= d;
      offset_ += n + d;
      length -= n + d;
      crc_valid_ = false;
      if (n > 0) retaining_ = false;
      if (data_left_ > 0 || digest_left_ > 0) return;  // the PDU goes on after the gap
      if (cur_data_mode_ == DigestMode::Unknown && length == 0) return;  // settled by what follows
      if (cur_data_mode_ == DigestMode::On) cur_.data_digest = DigestCheck::Unchecked;
      cur_.issues.push_back(
          {"data-missing", number(cur_.missing) + " bytes of this PDU were not captured"});
      finish(at);
      if (length == 0) return;  // the next header starts right after the gap
    } else {
      // Waiting to settle an unknown data digest: it stays unsettled.
      finish(packet_at(offset_ == 0 ? 0 : offset_ - 1));
    }
  }
  if (phase_ == Phase::Header) {
    const std::uint64_t lost_at = offset_;
    drop(avail());
    offset_ += length;
    events_->note(at, "resync",
                  "the PDU header at offset " + number(lost_at) +
                      " is in a capture gap; looking for the next PDU header");
    phase_ = Phase::Hunt;
    scan_ = 0;
    skip_start_ = lost_at;
    return;
  }
  // Looking for a header: what was buffered cannot be confirmed across the gap.
  drop(avail());
  offset_ += length;
  scan_ = 0;
}

void PduStream::end(const PacketRef& at) {
  if (ended_) return;
  ended_ = true;
  process();  // decisions that were waiting for more bytes
  // A header whose AHS or digest would run past the end cannot be checked:
  // it is not believed, and what follows it is searched for headers.
  while (phase_ == Phase::Header && avail() >= kBhsLength) {
    lose_sync("the stream ends before the end of this header");
    process();
  }
  switch (phase_) {
    case Phase::Data: {
      const std::uint64_t left = data_left_ + digest_left_;
      cur_.missing += left;
      if (cur_data_mode_ == DigestMode::On) cur_.data_digest = DigestCheck::Unchecked;
      cur_.issues.push_back(
          {"truncated", "the stream ends " + number(left) + " bytes before the end of this PDU"});
      finish(at);
      break;
    }
    case Phase::Header:
      if (avail() > 0) {
        events_->note(at, "truncated",
                      "the stream ends inside a PDU header (" + number(avail()) +
                          " bytes at offset " + number(offset_) + ")");
        drop(avail());
      }
      break;
    case Phase::Hunt:
      drop(avail());
      if (skipped_ > 0) {
        events_->note(at, "garbage",
                      number(skipped_) + " captured bytes from offset " + number(skip_start_) +
                          " to the end of the stream hold no PDU header");
      }
      break;
  }
  skipped_ = 0;
}

}  // namespace iscsi::capture
