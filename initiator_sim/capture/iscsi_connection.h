// One TCP connection seen as iSCSI: decides whether it is iSCSI at all,
// which side is the initiator, frames both directions into PDUs, follows the
// login to set digests and limits, decodes each PDU and reports it.
//
// A connection is iSCSI when one of its ports is a target port (3260 by
// default, RFC 3720 §13: the registered port), or when the TCP handshake
// was captured and the client's first bytes are a Login Request header
// (a target never speaks first, §5.3). The initiator is the client when the
// handshake was captured, else the side that does not use a target port,
// else the side whose first PDU is an initiator opcode.
//
// Digests: with the handshake captured the login is expected at offset 0
// and read without digests (§12.1); its outcome sets both directions from
// the next PDU on. When the login was not captured the digests are detected
// from the stream (pdu_stream.h) and the connection is flagged.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "capture/decoded_pdu.h"
#include "capture/login_tracker.h"
#include "capture/pdu_stream.h"
#include "capture/tcp_reassembler.h"

namespace iscsi::capture {

// Memory is bounded by these limits: per tracked connection, two framing
// buffers (a header, `framing.max_retained_data` bytes of one data segment,
// or up to `framing.max_lookahead` bytes while confirming a header) and two
// login texts of at most 64 KiB; for all connections together, the
// out-of-order bytes of `limits.max_buffered_total`.
struct DecoderOptions {
  std::set<std::uint16_t> target_ports{3260};
  FramingOptions framing;
  ReassemblyLimits limits;
};

// State shared by the connections of one capture.
struct DecodeContext {
  DecoderOptions options;
  DecodeSink* sink = nullptr;
  std::uint64_t next_pdu = 1;
  std::uint32_t next_connection = 1;
  std::uint64_t pdus = 0;
  std::uint64_t pdus_with_issues = 0;
  std::uint64_t notes = 0;
};

class IscsiConnection : public ConnectionHandler {
 public:
  IscsiConnection(const TcpConnectionInfo& info, DecodeContext& context);

  void data(int side, wire::ByteView bytes, const PacketRef& at) override;
  void gap(int side, std::uint64_t length, const PacketRef& at, const std::string& why) override;
  void end(const PacketRef& at, const std::array<TcpStreamStats, 2>& stats,
           const std::string& how) override;
  bool ignored() const override { return state_ == State::Ignored; }

 private:
  enum class State : std::uint8_t { Undecided, Iscsi, Ignored };

  struct SideEvents : PduStreamEvents {
    IscsiConnection* conn = nullptr;
    int side = 0;
    void framed(FramedPdu&& pdu) override { conn->on_framed(side, std::move(pdu)); }
    void note(const PacketRef& at, const std::string& kind, const std::string& message) override {
      conn->emit_note(side, at, kind, message);
    }
    void digest_detected(bool header, bool on, const PacketRef& at) override {
      conn->on_digest_detected(header, on, at);
    }
    void sender_found(wire::Sender sender) override { conn->on_sender(side, sender); }
  };

  void classify_by_login(const PacketRef& at);
  void become_iscsi(const PacketRef& at);
  void on_framed(int side, FramedPdu&& framed);
  void on_digest_detected(bool header, bool on, const PacketRef& at);
  void on_sender(int side, wire::Sender sender);
  void emit_note(std::optional<int> side, const PacketRef& at, const std::string& kind,
                 const std::string& message);
  std::optional<PduDirection> direction_of(int side) const;
  void set_digest_modes(DigestMode header, DigestMode data);
  void login_not_captured(const PacketRef& at, const std::string& why);

  DecodeContext& ctx_;
  TcpConnectionInfo info_;
  State state_ = State::Undecided;
  // Which side is the initiator, once known.
  std::optional<int> initiator_side_;
  std::array<SideEvents, 2> events_;
  std::array<std::unique_ptr<PduStream>, 2> streams_;
  std::array<std::uint64_t, 2> offsets_{0, 0};  // stream offset reached per side
  // The client's first bytes, held until they show whether this is iSCSI.
  std::vector<std::pair<wire::Bytes, PacketRef>> held_;
  std::size_t held_bytes_ = 0;
  LoginTracker login_;
  bool first_initiator_pdu_seen_ = false;
  ConnectionReport report_;
  // While a PDU is being reported, notes wait here to follow it.
  std::vector<Note>* deferred_ = nullptr;
};

}  // namespace iscsi::capture
