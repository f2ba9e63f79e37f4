// Writes a capture file (libpcap format, Ethernet link type) of modelled TCP
// connections: open a connection, send bytes in either direction, close it.
// The caller passes every timestamp; the writer reads no clock.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pcap/frame.h"
#include "pcap/tcp_connection.h"
#include "wire/result.h"

namespace iscsi::capture {

// Time since the Unix epoch. Frames are stamped with the time passed in, but
// never earlier than 1 µs after the previous frame of the file, so a capture
// always runs forward even when several frames share one call.
using Timestamp = std::chrono::microseconds;

// Snapshot length of the file: the largest frame the TCP model produces.
constexpr int kSnapshotLength = 65535;

struct PcapError {
  std::string message;
};

// Index of a connection within one writer.
using ConnectionId = std::size_t;

class PcapWriter {
 public:
  // Creates (or truncates) `path`.
  static wire::Result<PcapWriter, PcapError> create(const std::string& path);

  PcapWriter(PcapWriter&&) noexcept;
  PcapWriter& operator=(PcapWriter&&) noexcept;
  ~PcapWriter();  // flushes and closes the file

  // A configuration for the next connection: the defaults of
  // TcpConnectionConfig with a client port distinct from every earlier
  // connection of this writer (49152 + its index), so that no two
  // connections share a 4-tuple.
  TcpConnectionConfig next_connection_config() const;

  // Opens a connection and writes its three-way handshake.
  wire::Result<ConnectionId, PcapError> open_connection(const TcpConnectionConfig& config,
                                                        Timestamp at);
  wire::Result<ConnectionId, PcapError> open_connection(Timestamp at) {
    return open_connection(next_connection_config(), at);
  }

  // Writes `data` as segments from one side, with the peer's ACKs. Returns
  // the number of frames written.
  wire::Result<std::size_t, PcapError> send(ConnectionId id, Direction from, ByteView data,
                                            Timestamp at);

  // Writes the FIN exchange started by `closer`.
  wire::Result<std::size_t, PcapError> close_connection(ConnectionId id, Direction closer,
                                                        Timestamp at);

  // Writes a RST from `sender`.
  wire::Result<std::size_t, PcapError> reset_connection(ConnectionId id, Direction sender,
                                                        Timestamp at);

  // Pushes buffered frames to the file.
  wire::Result<bool, PcapError> flush();

  std::size_t frames_written() const { return frames_written_; }
  const TcpConnection* connection(ConnectionId id) const;

 private:
  struct Handles;
  explicit PcapWriter(std::unique_ptr<Handles> handles);

  // Why a call at time `at` cannot write, if it cannot.
  std::optional<PcapError> check_writable(Timestamp at) const;
  wire::Result<std::size_t, PcapError> write_frames(
      const wire::Result<std::vector<Bytes>, std::string>& frames, Timestamp at);

  std::unique_ptr<Handles> handles_;
  std::vector<TcpConnection> connections_;
  Timestamp last_frame_time_{-1};
  std::size_t frames_written_ = 0;
};

}  // namespace iscsi::capture
