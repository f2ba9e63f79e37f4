#include "capture/tcp_reassembler.h"

#include <algorithm>
#include <vector>

namespace iscsi::capture {

namespace {

constexpr std::uint8_t kFin = 0x01;
constexpr std::uint8_t kSyn = 0x02;
constexpr std::uint8_t kRst = 0x04;
constexpr std::uint8_t kAck = 0x10;

}  // namespace

struct TcpReassembler::Connection {
  struct SideOutput : StreamOutput {
    Connection* conn = nullptr;
    int side = 0;
    void data(wire::ByteView bytes, const PacketRef& at) override {
      conn->handler->data(side, bytes, at);
    }
    void gap(std::uint64_t length, const PacketRef& at, const std::string& why) override {
      conn->handler->gap(side, length, at, why);
    }
  };

  explicit Connection(std::size_t limit) : streams{TcpStream(limit), TcpStream(limit)} {
    for (int i = 0; i < 2; ++i) {
      outputs[i].conn = this;
      outputs[i].side = i;
    }
  }

  int side_of(const Endpoint& source) const { return source == info.endpoints[0] ? 0 : 1; }

  TcpConnectionInfo info;
  std::uint64_t order = 0;  // creation order, for ending connections in order
  std::array<TcpStream, 2> streams;
  std::array<SideOutput, 2> outputs;
  std::unique_ptr<ConnectionHandler> handler;
  std::size_t buffered = 0;  // out-of-order bytes held by both streams
  // Set when the handler declines the connection: no bytes are kept, only
  // FINs are watched to see it end.
  bool ignored = false;
  std::array<bool, 2> fin{false, false};
};

TcpReassembler::TcpReassembler(const ReassemblyLimits& limits, Factory factory, NoteFn note)
    : limits_(limits), factory_(std::move(factory)), note_(std::move(note)) {}

TcpReassembler::~TcpReassembler() = default;

TcpReassembler::Connection* TcpReassembler::create(const Key& key, const TcpSegment& segment,
                                                   const PacketRef& at) {
  auto conn = std::make_unique<Connection>(limits_.max_buffered_per_stream);
  const bool syn = segment.flags & kSyn;
  const bool ack = segment.flags & kAck;
  if (syn && ack) {
    // The SYN-ACK comes from the server: the client is its destination.
    conn->info.endpoints = {segment.destination, segment.source};
    conn->info.client_known = true;
  } else {
    conn->info.endpoints = {segment.source, segment.destination};
    conn->info.client_known = syn;
  }
  conn->info.first = at;
  conn->order = stats_.connections++;
  conn->handler = factory_(conn->info);
  Connection* raw = conn.get();
  live_.emplace(key, std::move(conn));
  return raw;
}

void TcpReassembler::close(const Key& key, const PacketRef& at, const std::string& how) {
  auto it = live_.find(key);
  if (it == live_.end()) return;
  Connection& c = *it->second;
  if (!c.ignored) {
    for (int i = 0; i < 2; ++i) c.streams[i].flush(at, c.outputs[i]);
  }
  c.handler->end(at, {c.streams[0].stats(), c.streams[1].stats()}, how);
  buffered_total_ -= c.buffered;
  live_.erase(it);
  if (closed_.insert(key).second) closed_order_.push_back(key);
  // Remember at most as many ended connections as live ones may exist.
  while (closed_order_.size() > limits_.max_connections) {
    closed_.erase(closed_order_.front());
    closed_order_.pop_front();
  }
}

void TcpReassembler::add(const TcpSegment& segment, const PacketRef& at) {
  const Key key = key_of(segment.source, segment.destination);
  const bool syn = segment.flags & kSyn;
  const bool ack = segment.flags & kAck;
  const bool opening = syn && !ack;
  auto it = live_.find(key);
  Connection* c = it == live_.end() ? nullptr : it->second.get();
  if (c && opening) {
    // A SYN on addresses in use: unless it repeats the SYN already seen, the
    // old connection is gone and a new one starts.
    const TcpStream& s = c->streams[c->side_of(segment.source)];
    if (s.started() && !(s.isn() && *s.isn() == segment.seq)) {
      close(key, at, "its addresses were reused by a new connection");
      c = nullptr;
    }
  }
  if (!c) {
    if (closed_.count(key)) {
      if (!opening) {
        // Late data (retransmissions after the close); the last ACK of an
        // orderly close is no news.
        if (segment.payload_length > 0) ++stats_.after_close;
        return;
      }
      closed_.erase(key);
      std::erase(closed_order_, key);
    }
    // Only a SYN or data starts a connection; lone ACKs, FINs and RSTs do not.
    if (!syn && segment.payload_length == 0) return;
    if (live_.size() >= limits_.max_connections) {
      ++stats_.untracked_segments;
      if (opening) {
        ++stats_.untracked_connections;
        note_(at, "connection " + segment.source.to_string() + " -> " +
                      segment.destination.to_string() + " not decoded: " +
                      std::to_string(limits_.max_connections) + " connections already open");
      }
      return;
    }
    c = create(key, segment, at);
  }

  const int side = c->side_of(segment.source);
  const int other = 1 - side;
  if (c->ignored) {
    if (segment.flags & kFin) c->fin[side] = true;
    if ((segment.flags & kRst) || (c->fin[0] && c->fin[1])) close(key, at, "ended");
    return;
  }
  TcpStream& stream = c->streams[side];
  if (syn) stream.syn(segment.seq);
  if (ack && c->streams[other].started()) {
    c->streams[other].acknowledged(segment.ack, at, c->outputs[other]);
  }
  // RFC 793 §3.3: a SYN's data starts one sequence number after it.
  const std::uint32_t data_seq = syn ? segment.seq + 1 : segment.seq;
  stream.segment(data_seq, segment.payload, segment.payload_length, segment.flags & kFin, at,
                 c->outputs[side]);
  if (segment.flags & kFin) c->fin[side] = true;

  if (c->handler->ignored()) {
    // Not a connection the handler decodes: drop what is buffered.
    c->ignored = true;
    c->streams = {TcpStream(0), TcpStream(0)};
  }
  const std::size_t now = c->streams[0].buffered() + c->streams[1].buffered();
  buffered_total_ = buffered_total_ - c->buffered + now;
  c->buffered = now;

  if (segment.flags & kRst) {
    close(key, at, "reset");
  } else if (c->ignored ? (c->fin[0] && c->fin[1])
                        : (c->streams[0].finished() && c->streams[1].finished())) {
    close(key, at, "closed");
  } else {
    enforce_total_limit(at);
  }
}

void TcpReassembler::enforce_total_limit(const PacketRef& at) {
  while (buffered_total_ > limits_.max_buffered_total) {
    Connection* largest = nullptr;
    int side = 0;
    for (auto& [key, conn] : live_) {
      for (int i = 0; i < 2; ++i) {
        if (!largest || conn->streams[i].buffered() > largest->streams[side].buffered()) {
          largest = conn.get();
          side = i;
        }
      }
    }
    if (!largest || largest->streams[side].buffered() == 0) return;
    largest->streams[side].release_buffer(at, largest->outputs[side]);
    const std::size_t now = largest->streams[0].buffered() + largest->streams[1].buffered();
    buffered_total_ = buffered_total_ - largest->buffered + now;
    largest->buffered = now;
  }
}

void TcpReassembler::finish(const PacketRef& at) {
  std::vector<std::pair<std::uint64_t, Key>> open;
  for (const auto& [key, conn] : live_) open.emplace_back(conn->order, key);
  std::sort(open.begin(), open.end());
  for (const auto& [order, key] : open) close(key, at, "the capture ended");
}

}  // namespace iscsi::capture
