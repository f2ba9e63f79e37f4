// A model of one TCP connection as a capture shows it: handshake, data
// segments split at the MSS with consistent sequence and acknowledgment
// numbers, pure ACKs from the receiving side, and an orderly close. Each call
// returns the frames the exchange puts on the wire, in order. No I/O, no clock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "pcap/frame.h"
#include "wire/result.h"

namespace iscsi::capture {

// Locally administered unicast MACs (IEEE 802: bit 1 of the first octet set,
// bit 0 clear), so they can never be mistaken for a real vendor's.
constexpr MacAddress kClientMac{0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
constexpr MacAddress kServerMac{0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
constexpr Ipv4Address kLoopback{127, 0, 0, 1};
constexpr std::uint16_t kIscsiPort = 3260;  // the IANA-registered iSCSI target port

struct TcpEndpoint {
  MacAddress mac{};
  Ipv4Address ip = kLoopback;
  std::uint16_t port = 0;
  std::uint32_t initial_sequence = 0;
  std::uint16_t initial_ip_id = 0;
};

struct TcpConnectionConfig {
  // The side that opens the connection (the iSCSI initiator).
  TcpEndpoint client{kClientMac, kLoopback, 49152, 0x1a2b3c4d, 0x1000};
  // The side that accepts it (the iSCSI target).
  TcpEndpoint server{kServerMac, kLoopback, kIscsiPort, 0x5e6f7081, 0x2000};
  // Largest TCP payload per segment, announced in both SYNs. 1460 is what an
  // Ethernet MTU of 1500 gives; the ceiling keeps every frame within the
  // 65535-byte IPv4 datagram and capture snapshot length.
  std::uint16_t mss = 1460;
  // Receive window announced by both sides (no window scaling).
  std::uint16_t window = 65535;
  // The receiver acknowledges after this many full data segments of one send.
  unsigned ack_every_segments = 2;
  // The receiver acknowledges the last segment of every send with a pure ACK.
  // When false, ACKs ride on the next data the other side sends, or are sent
  // when the window would otherwise fill.
  bool ack_each_send = true;
};

// Largest MSS the model accepts: Ethernet + IPv4 + TCP headers + MSS must fit
// in 65535 bytes, the capture's snapshot length.
constexpr std::uint16_t kMaxMss = static_cast<std::uint16_t>(65535 - kEthernetHeaderLength -
                                                             kIpv4HeaderLength - kTcpHeaderLength);

enum class Direction : std::uint8_t {
  ClientToServer,  // initiator to target
  ServerToClient,  // target to initiator
};

enum class TcpState : std::uint8_t { Closed, Established, Finished };

class TcpConnection {
 public:
  // Checks the configuration (MSS within 1..kMaxMss, a window above the MSS, at
  // least one segment per ACK, distinct endpoints).
  static wire::Result<TcpConnection, std::string> create(const TcpConnectionConfig& config);

  // The three-way handshake: SYN, SYN-ACK, ACK (RFC 793 §3.4).
  wire::Result<std::vector<Bytes>, std::string> open();

  // `data` from one side, split into segments of at most `mss` bytes; the
  // last one carries PSH. Empty data yields no frame.
  wire::Result<std::vector<Bytes>, std::string> send(Direction from, ByteView data);

  // Orderly release (RFC 793 §3.5): FIN-ACK from `closer`, FIN-ACK from the
  // peer, final ACK from `closer`.
  wire::Result<std::vector<Bytes>, std::string> close(Direction closer);

  // Abortive release (RFC 793 §3.4 "Reset Generation"): one RST-ACK from `sender`.
  wire::Result<std::vector<Bytes>, std::string> reset(Direction sender);

  TcpState state() const { return state_; }
  const TcpConnectionConfig& config() const { return config_; }
  // The sequence number the side will use for its next byte.
  std::uint32_t next_sequence(Direction from) const { return side(from).next_seq; }

 private:
  struct Side {
    TcpEndpoint endpoint;
    std::uint32_t next_seq = 0;       // SND.NXT
    std::uint32_t acked_by_peer = 0;  // highest ACK the peer has sent for this side's data
    std::uint16_t next_ip_id = 0;
  };

  explicit TcpConnection(const TcpConnectionConfig& config);
  Side& side(Direction d) { return d == Direction::ClientToServer ? client_ : server_; }
  const Side& side(Direction d) const { return d == Direction::ClientToServer ? client_ : server_; }
  Side& peer(Direction d) { return d == Direction::ClientToServer ? server_ : client_; }

  // Appends one segment from `from`; sequence space advances by the payload
  // plus one for SYN and FIN. Every segment but the first SYN acknowledges
  // everything the peer has sent.
  wire::Result<bool, std::string> emit(std::vector<Bytes>& out, Direction from, std::uint8_t flags,
                                       ByteView payload, bool with_mss_option = false);

  TcpConnectionConfig config_;
  Side client_;
  Side server_;
  TcpState state_ = TcpState::Closed;
};

}  // namespace iscsi::capture
