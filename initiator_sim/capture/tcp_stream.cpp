#include "capture/tcp_stream.h"

#include <algorithm>
#include <cstring>

namespace iscsi::capture {

namespace {

// A segment that starts this far past the next expected byte is not part of
// this stream's window (RFC 7323 §2.2: a window never exceeds 2^30 bytes).
constexpr std::uint64_t kMaxAhead = std::uint64_t{1} << 30;

}  // namespace

void TcpStream::syn(std::uint32_t isn) {
  if (started_) return;  // a retransmitted SYN, or a SYN after data (ignored)
  started_ = syn_seen_ = true;
  isn_ = isn;
  // RFC 793 §3.3: the SYN occupies one sequence number; data starts after it.
  next_seq_ = isn + 1;
  next_offset_ = 0;
}

void TcpStream::deliver(wire::ByteView bytes, const PacketRef& at, StreamOutput& out) {
  if (bytes.empty()) return;
  next_offset_ += bytes.size();
  next_seq_ += static_cast<std::uint32_t>(bytes.size());
  stats_.delivered += bytes.size();
  out.data(bytes, at);
}

void TcpStream::skip_to(std::uint64_t offset, const PacketRef& at, StreamOutput& out,
                        const std::string& why) {
  if (offset <= next_offset_) return;
  const std::uint64_t length = offset - next_offset_;
  next_offset_ = offset;
  next_seq_ += static_cast<std::uint32_t>(length);
  ++stats_.gaps;
  stats_.gap_bytes += length;
  out.gap(length, at, why);
}

void TcpStream::drain(StreamOutput& out) {
  while (!pending_.empty() && pending_.begin()->first <= next_offset_) {
    auto node = pending_.extract(pending_.begin());
    const std::uint64_t start = node.key();
    Pending& p = node.mapped();
    buffered_ -= p.bytes.size();
    const std::uint64_t end = start + p.bytes.size();
    // Bytes delivered meanwhile (by a segment that overlapped these) are dropped.
    stats_.overlapping += std::min(end, next_offset_) - start;
    if (end <= next_offset_) continue;
    deliver(wire::ByteView(p.bytes).subspan(next_offset_ - start), p.at, out);
  }
}

void TcpStream::store(std::uint64_t start, wire::ByteView bytes, const PacketRef& at) {
  ++stats_.out_of_order;
  // Cut the segment into the pieces that fall between bytes already held;
  // where it overlaps them, the bytes seen first stay.
  std::uint64_t cur = start;
  const std::uint64_t end = start + bytes.size();
  auto it = pending_.upper_bound(start);
  if (it != pending_.begin()) --it;
  for (; it != pending_.end() && it->first < end; ++it) {
    const std::uint64_t held_start = it->first;
    const std::uint64_t held_end = held_start + it->second.bytes.size();
    if (held_end <= cur) continue;
    if (held_start > cur) {
      const auto piece = bytes.subspan(cur - start, held_start - cur);
      pending_.emplace_hint(it, cur, Pending{wire::Bytes(piece.begin(), piece.end()), at});
      buffered_ += piece.size();
      cur = held_start;
    }
    const std::uint64_t overlap_end = std::min(end, held_end);
    const std::size_t n = overlap_end - cur;
    stats_.overlapping += n;
    if (std::memcmp(bytes.data() + (cur - start), it->second.bytes.data() + (cur - held_start),
                    n) != 0) {
      stats_.conflicting += n;
    }
    cur = overlap_end;
  }
  if (cur < end) {
    const auto piece = bytes.subspan(cur - start);
    pending_.emplace(cur, Pending{wire::Bytes(piece.begin(), piece.end()), at});
    buffered_ += piece.size();
  }
}

void TcpStream::segment(std::uint32_t seq, wire::ByteView payload, std::uint32_t payload_length,
                        bool fin, const PacketRef& at, StreamOutput& out) {
  if (!started_) {
    if (payload.empty() && !fin) return;
    // No SYN captured: the first byte seen is offset 0.
    started_ = true;
    next_seq_ = seq;
    next_offset_ = 0;
  }
  const std::int64_t start = offset_of(seq);
  if (fin) {
    const std::int64_t fin_at = start + static_cast<std::int64_t>(payload_length);
    if (fin_at >= 0 && !fin_offset_) fin_offset_ = static_cast<std::uint64_t>(fin_at);
  }
  if (payload.empty()) {
    return;
  }
  const std::int64_t end = start + static_cast<std::int64_t>(payload.size());
  if (end <= 0 && !syn_seen_) {
    stats_.before_start += payload.size();
    return;
  }
  if (end <= static_cast<std::int64_t>(next_offset_)) {
    stats_.retransmitted += payload.size();
    return;
  }
  if (start > static_cast<std::int64_t>(next_offset_ + kMaxAhead)) {
    ++stats_.implausible;
    return;
  }
  // Here end > 0, so a segment starting before offset 0 keeps its tail.
  const std::size_t before = start < 0 ? static_cast<std::size_t>(-start) : 0;
  stats_.before_start += before;
  std::uint64_t s = static_cast<std::uint64_t>(start + static_cast<std::int64_t>(before));
  wire::ByteView bytes = payload.subspan(before);
  while (!bytes.empty()) {
    if (s < next_offset_) {
      const std::uint64_t trim = std::min<std::uint64_t>(next_offset_ - s, bytes.size());
      stats_.overlapping += trim;
      bytes = bytes.subspan(trim);
      s += trim;
      continue;
    }
    if (s == next_offset_) {
      deliver(bytes, at, out);
      drain(out);
      return;
    }
    if (buffered_ + bytes.size() <= max_buffered_) {
      store(s, bytes, at);
      return;
    }
    // The out-of-order buffer is full: the earliest hole will not be waited
    // for any longer.
    ++stats_.buffer_limit_hits;
    const std::uint64_t earliest = pending_.empty() ? s : std::min(s, pending_.begin()->first);
    skip_to(earliest, at, out, "out-of-order buffer limit reached");
    drain(out);
  }
}

void TcpStream::acknowledged(std::uint32_t ack, const PacketRef& at, StreamOutput& out) {
  if (!started_) return;
  std::int64_t a = offset_of(ack);
  if (a <= static_cast<std::int64_t>(next_offset_) ||
      a > static_cast<std::int64_t>(next_offset_ + kMaxAhead)) {
    return;
  }
  std::uint64_t acked = static_cast<std::uint64_t>(a);
  // The FIN occupies one sequence number: its ACK is one past the data.
  if (fin_offset_ && acked > *fin_offset_) acked = *fin_offset_;
  acked_offset_ = std::max(acked_offset_, acked);
  // The receiver has bytes the capture lacks: they are never sent again, so
  // the hole before the held bytes is a gap. Without held bytes the decision
  // waits (the bytes may still appear if the capture reordered frames).
  if (pending_.empty()) return;
  const std::uint64_t until = std::min(acked, pending_.begin()->first);
  skip_to(until, at, out, "acknowledged by the receiver but not captured");
  drain(out);
}

std::size_t TcpStream::release_buffer(const PacketRef& at, StreamOutput& out) {
  if (pending_.empty()) return 0;
  const std::size_t before = buffered_;
  ++stats_.buffer_limit_hits;
  skip_to(pending_.begin()->first, at, out, "buffer limit shared by all streams reached");
  drain(out);
  return before - buffered_;
}

void TcpStream::flush(const PacketRef& at, StreamOutput& out) {
  while (!pending_.empty()) {
    skip_to(pending_.begin()->first, at, out, "not captured");
    drain(out);
  }
  std::uint64_t end = acked_offset_;
  if (fin_offset_) end = std::max(end, *fin_offset_);
  skip_to(end, at, out, "sent (acknowledged or before the FIN) but not captured");
}

}  // namespace iscsi::capture
