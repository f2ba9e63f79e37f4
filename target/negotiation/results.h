// The negotiated parameters of a connection and its session, typed. Every
// default comes from the key table.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "negotiation/keys.h"
#include "negotiation/types.h"

namespace iscsi::negotiation {

// §12.1 digests this implementation knows.
enum class Digest : std::uint8_t { None, Crc32c };

namespace detail {
template <class T>
constexpr T default_of(Key k) {
  return static_cast<T>(default_number(k));
}
}  // namespace detail

struct NegotiatedParameters {
  SessionType session_type = SessionType::Normal;
  std::string auth_method{key_def(Key::AuthMethod).default_value};
  Digest header_digest = Digest::None;
  Digest data_digest = Digest::None;
  std::uint16_t max_connections = detail::default_of<std::uint16_t>(Key::MaxConnections);
  bool initial_r2t = default_boolean(Key::InitialR2T);
  bool immediate_data = default_boolean(Key::ImmediateData);
  // §12.12 is declared by each side for its own receiving direction: `local`
  // is what this side declared it can receive, `peer` is what the peer
  // declared, i.e. the limit for the data segments this side sends.
  std::uint32_t max_recv_data_segment_length_local =
      detail::default_of<std::uint32_t>(Key::MaxRecvDataSegmentLength);
  std::uint32_t max_recv_data_segment_length_peer =
      detail::default_of<std::uint32_t>(Key::MaxRecvDataSegmentLength);
  std::uint32_t max_burst_length = detail::default_of<std::uint32_t>(Key::MaxBurstLength);
  std::uint32_t first_burst_length = detail::default_of<std::uint32_t>(Key::FirstBurstLength);
  std::uint16_t default_time2wait = detail::default_of<std::uint16_t>(Key::DefaultTime2Wait);
  std::uint16_t default_time2retain = detail::default_of<std::uint16_t>(Key::DefaultTime2Retain);
  std::uint16_t max_outstanding_r2t = detail::default_of<std::uint16_t>(Key::MaxOutstandingR2T);
  bool data_pdu_in_order = default_boolean(Key::DataPDUInOrder);
  bool data_sequence_in_order = default_boolean(Key::DataSequenceInOrder);
  std::uint8_t error_recovery_level = detail::default_of<std::uint8_t>(Key::ErrorRecoveryLevel);
  std::string initiator_name;
  std::string target_name;
  std::string initiator_alias;
  std::string target_alias;
  std::optional<std::uint16_t> target_portal_group_tag;
  bool of_marker = default_boolean(Key::OFMarker);
  bool if_marker = default_boolean(Key::IFMarker);
  std::uint16_t of_mark_int = detail::default_of<std::uint16_t>(Key::OFMarkInt);
  std::uint16_t if_mark_int = detail::default_of<std::uint16_t>(Key::IFMarkInt);

  bool operator==(const NegotiatedParameters&) const = default;
};

// Stores `value` (the negotiated outcome or a declaration, already checked
// against the table) in the field for `key`. `from_peer` tells whose
// declaration a MaxRecvDataSegmentLength is. Returns false when the key has
// no field here (SendTargets, TargetAddress, the authentication exchange
// keys) or the value does not parse.
bool apply_value(NegotiatedParameters& p, Key key, std::string_view value, bool from_peer);

}  // namespace iscsi::negotiation
