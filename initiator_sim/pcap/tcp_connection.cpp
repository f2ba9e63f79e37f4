#include "pcap/tcp_connection.h"

#include <algorithm>

namespace iscsi::capture {

namespace {

Direction opposite(Direction d) {
  return d == Direction::ClientToServer ? Direction::ServerToClient : Direction::ClientToServer;
}

wire::Unexpected<std::string> fail(std::string message) {
  return wire::Unexpected(std::move(message));
}

}  // namespace

wire::Result<TcpConnection, std::string> TcpConnection::create(const TcpConnectionConfig& config) {
  if (config.mss == 0 || config.mss > kMaxMss) {
    return fail("MSS " + std::to_string(config.mss) + " is outside 1.." + std::to_string(kMaxMss));
  }
  if (config.window <= config.mss) {
    return fail("the receive window must exceed the MSS, or no full segment could be sent");
  }
  if (config.ack_every_segments == 0) return fail("ack_every_segments must be at least 1");
  if (config.client.ip == config.server.ip && config.client.port == config.server.port) {
    return fail("client and server endpoints are the same address and port");
  }
  return TcpConnection(config);
}

TcpConnection::TcpConnection(const TcpConnectionConfig& config) : config_(config) {
  client_.endpoint = config.client;
  client_.next_seq = config.client.initial_sequence;
  client_.acked_by_peer = config.client.initial_sequence;
  client_.next_ip_id = config.client.initial_ip_id;
  server_.endpoint = config.server;
  server_.next_seq = config.server.initial_sequence;
  server_.acked_by_peer = config.server.initial_sequence;
  server_.next_ip_id = config.server.initial_ip_id;
}

wire::Result<bool, std::string> TcpConnection::emit(std::vector<Bytes>& out, Direction from,
                                                    std::uint8_t flags, ByteView payload,
                                                    bool with_mss_option) {
  Side& me = side(from);
  Side& other = peer(from);
  TcpSegmentSpec spec;
  spec.src_mac = me.endpoint.mac;
  spec.dst_mac = other.endpoint.mac;
  spec.src_ip = me.endpoint.ip;
  spec.dst_ip = other.endpoint.ip;
  spec.ip_id = me.next_ip_id;
  spec.src_port = me.endpoint.port;
  spec.dst_port = other.endpoint.port;
  spec.seq = me.next_seq;
  spec.flags = flags;
  spec.window = config_.window;
  if (flags & tcp_flag::kAck) {
    spec.ack = other.next_seq;
    other.acked_by_peer = other.next_seq;
  }
  if (with_mss_option) spec.mss_option = config_.mss;
  spec.payload = payload;
  auto frame = build_tcp_frame(spec);
  if (!frame) return fail(frame.error());
  out.push_back(std::move(frame.value()));
  // RFC 793 §3.3: SYN and FIN each occupy one sequence number.
  std::uint32_t advance = static_cast<std::uint32_t>(payload.size());
  if (flags & tcp_flag::kSyn) ++advance;
  if (flags & tcp_flag::kFin) ++advance;
  me.next_seq += advance;  // modulo 2^32, as sequence arithmetic is (RFC 793 §3.3)
  ++me.next_ip_id;
  return true;
}

wire::Result<std::vector<Bytes>, std::string> TcpConnection::open() {
  if (state_ != TcpState::Closed) return fail("the connection was already opened");
  std::vector<Bytes> out;
  // Segments without payload always fit in a frame: these cannot fail.
  emit(out, Direction::ClientToServer, tcp_flag::kSyn, {}, true);
  emit(out, Direction::ServerToClient, tcp_flag::kSyn | tcp_flag::kAck, {}, true);
  emit(out, Direction::ClientToServer, tcp_flag::kAck, {});
  state_ = TcpState::Established;
  return out;
}

wire::Result<std::vector<Bytes>, std::string> TcpConnection::send(Direction from, ByteView data) {
  if (state_ != TcpState::Established) return fail("send on a connection that is not open");
  std::vector<Bytes> out;
  const Direction to = opposite(from);
  unsigned unacked_segments = 0;
  std::size_t offset = 0;
  while (offset < data.size()) {
    const std::size_t length = std::min<std::size_t>(config_.mss, data.size() - offset);
    const bool last = offset + length == data.size();
    // Bytes in flight after this segment must stay below the peer's window:
    // a sender never overruns the offered window (RFC 793 §3.7), and filling
    // it exactly is what analyzers report as "window full".
    const Side& me = side(from);
    const std::uint32_t in_flight = me.next_seq - me.acked_by_peer;
    if (static_cast<std::uint64_t>(in_flight) + length >= config_.window) {
      auto ack = emit(out, to, tcp_flag::kAck, {});
      if (!ack) return fail(ack.error());
      unacked_segments = 0;
    }
    const std::uint8_t flags = tcp_flag::kAck | (last ? tcp_flag::kPsh : 0);
    auto seg = emit(out, from, flags, data.subspan(offset, length));
    if (!seg) return fail(seg.error());
    offset += length;
    ++unacked_segments;
    if (!last && unacked_segments >= config_.ack_every_segments) {
      auto ack = emit(out, to, tcp_flag::kAck, {});
      if (!ack) return fail(ack.error());
      unacked_segments = 0;
    }
  }
  if (!data.empty() && config_.ack_each_send) {
    auto ack = emit(out, to, tcp_flag::kAck, {});
    if (!ack) return fail(ack.error());
  }
  return out;
}

wire::Result<std::vector<Bytes>, std::string> TcpConnection::close(Direction closer) {
  if (state_ != TcpState::Established) return fail("close on a connection that is not open");
  std::vector<Bytes> out;
  const std::uint8_t fin_ack = tcp_flag::kFin | tcp_flag::kAck;
  emit(out, closer, fin_ack, {});
  emit(out, opposite(closer), fin_ack, {});
  emit(out, closer, tcp_flag::kAck, {});
  state_ = TcpState::Finished;
  return out;
}

wire::Result<std::vector<Bytes>, std::string> TcpConnection::reset(Direction sender) {
  if (state_ != TcpState::Established) return fail("reset on a connection that is not open");
  std::vector<Bytes> out;
  emit(out, sender, tcp_flag::kRst | tcp_flag::kAck, {});
  state_ = TcpState::Finished;
  return out;
}

}  // namespace iscsi::capture
