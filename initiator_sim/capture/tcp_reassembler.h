// The table of TCP connections of a capture: finds the connection of each
// segment, keeps one TcpStream per direction, and hands the reassembled
// bytes of each direction to a handler made for the connection.
//
// A connection begins with its SYN, or with the first segment carrying data
// when the SYN was not captured. It ends on RST, when both FINs and every
// byte before them have been seen, when a new SYN reuses its addresses, or at
// the end of the capture. Memory is bounded: at most `max_connections` are
// tracked at once (segments of others are counted and reported, not
// stored), and out-of-order bytes are capped per stream and in total.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>

#include "capture/capture_reader.h"
#include "capture/tcp_segment.h"
#include "capture/tcp_stream.h"

namespace iscsi::capture {

// Side 0 is the client (the sender of the SYN) when `client_known`, else the
// sender of the first segment seen; side 1 is the other end.
struct TcpConnectionInfo {
  std::array<Endpoint, 2> endpoints;
  bool client_known = false;
  PacketRef first;
};

class ConnectionHandler {
 public:
  virtual ~ConnectionHandler() = default;
  virtual void data(int side, wire::ByteView bytes, const PacketRef& at) = 0;
  virtual void gap(int side, std::uint64_t length, const PacketRef& at, const std::string& why) = 0;
  // The connection ended: no more calls follow. `how` says why.
  virtual void end(const PacketRef& at, const std::array<TcpStreamStats, 2>& stats,
                   const std::string& how) = 0;
  // True once the handler wants no more bytes (the connection is not one it
  // decodes): the reassembler then stops buffering for it.
  virtual bool ignored() const { return false; }
};

struct ReassemblyLimits {
  std::size_t max_connections = 1024;                          // tracked at once
  std::size_t max_buffered_per_stream = std::size_t{4} << 20;  // out-of-order bytes
  std::size_t max_buffered_total = std::size_t{256} << 20;
};

struct ReassemblyStats {
  std::uint64_t connections = 0;            // connections tracked
  std::uint64_t untracked_connections = 0;  // SYNs refused for the connection limit
  std::uint64_t untracked_segments = 0;     // segments of connections not tracked
  std::uint64_t after_close = 0;            // data segments of connections that had ended
};

class TcpReassembler {
 public:
  using Factory = std::function<std::unique_ptr<ConnectionHandler>(const TcpConnectionInfo&)>;
  using NoteFn = std::function<void(const PacketRef&, const std::string&)>;

  TcpReassembler(const ReassemblyLimits& limits, Factory factory, NoteFn note);
  ~TcpReassembler();

  void add(const TcpSegment& segment, const PacketRef& at);
  // Ends every connection still open (end of the capture).
  void finish(const PacketRef& at);

  const ReassemblyStats& stats() const { return stats_; }
  std::size_t live_connections() const { return live_.size(); }
  std::size_t buffered() const { return buffered_total_; }

 private:
  using Key = std::pair<Endpoint, Endpoint>;  // the two endpoints, lower first
  struct Connection;

  static Key key_of(const Endpoint& a, const Endpoint& b) { return a < b ? Key{a, b} : Key{b, a}; }
  Connection* create(const Key& key, const TcpSegment& segment, const PacketRef& at);
  void close(const Key& key, const PacketRef& at, const std::string& how);
  void enforce_total_limit(const PacketRef& at);

  ReassemblyLimits limits_;
  Factory factory_;
  NoteFn note_;
  std::map<Key, std::unique_ptr<Connection>> live_;
  // Connections that ended, so that late segments are not taken for new
  // connections; the oldest are forgotten first.
  std::set<Key> closed_;
  std::deque<Key> closed_order_;
  std::size_t buffered_total_ = 0;
  ReassemblyStats stats_;
};

}  // namespace iscsi::capture
