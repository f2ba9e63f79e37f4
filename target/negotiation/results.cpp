#include "negotiation/results.h"

#include "negotiation/value_check.h"
#include "wire/text_value.h"

namespace iscsi::negotiation {

namespace txt = iscsi::wire::text;

namespace {

template <class T>
bool set_number(T& field, Key key, std::string_view value) {
  const auto n = parse_number(key_def(key), value);
  if (!n) return false;
  field = static_cast<T>(*n);
  return true;
}

bool set_boolean(bool& field, std::string_view value) {
  const auto b = txt::parse_boolean(value);
  if (!b) return false;
  field = *b;
  return true;
}

bool set_digest(Digest& field, std::string_view value) {
  if (value == "CRC32C") {
    field = Digest::Crc32c;
  } else if (value == "None") {
    field = Digest::None;
  } else {
    return false;
  }
  return true;
}

}  // namespace

bool apply_value(NegotiatedParameters& p, Key key, std::string_view value, bool from_peer) {
  switch (key) {
    case Key::AuthMethod:
      if (check_answer(key_def(key), value) != ValueCheck::Ok) return false;
      p.auth_method = std::string(value);
      return true;
    case Key::HeaderDigest:
      return set_digest(p.header_digest, value);
    case Key::DataDigest:
      return set_digest(p.data_digest, value);
    case Key::MaxConnections:
      return set_number(p.max_connections, key, value);
    case Key::InitialR2T:
      return set_boolean(p.initial_r2t, value);
    case Key::ImmediateData:
      return set_boolean(p.immediate_data, value);
    case Key::MaxRecvDataSegmentLength:
      return set_number(
          from_peer ? p.max_recv_data_segment_length_peer : p.max_recv_data_segment_length_local,
          key, value);
    case Key::MaxBurstLength:
      return set_number(p.max_burst_length, key, value);
    case Key::FirstBurstLength:
      return set_number(p.first_burst_length, key, value);
    case Key::DefaultTime2Wait:
      return set_number(p.default_time2wait, key, value);
    case Key::DefaultTime2Retain:
      return set_number(p.default_time2retain, key, value);
    case Key::MaxOutstandingR2T:
      return set_number(p.max_outstanding_r2t, key, value);
    case Key::DataPDUInOrder:
      return set_boolean(p.data_pdu_in_order, value);
    case Key::DataSequenceInOrder:
      return set_boolean(p.data_sequence_in_order, value);
    case Key::ErrorRecoveryLevel:
      return set_number(p.error_recovery_level, key, value);
    case Key::SessionType:
      if (value == "Discovery") {
        p.session_type = SessionType::Discovery;
      } else if (value == "Normal") {
        p.session_type = SessionType::Normal;
      } else {
        return false;
      }
      return true;
    case Key::InitiatorName:
    case Key::TargetName:
    case Key::InitiatorAlias:
    case Key::TargetAlias: {
      if (check_offer(key_def(key), value) != ValueCheck::Ok) return false;
      std::string& field = key == Key::InitiatorName    ? p.initiator_name
                           : key == Key::TargetName     ? p.target_name
                           : key == Key::InitiatorAlias ? p.initiator_alias
                                                        : p.target_alias;
      field = std::string(value);
      return true;
    }
    case Key::TargetPortalGroupTag: {
      const auto tag = parse_binary16(value);
      if (!tag) return false;
      p.target_portal_group_tag = *tag;
      return true;
    }
    case Key::OFMarker:
      return set_boolean(p.of_marker, value);
    case Key::IFMarker:
      return set_boolean(p.if_marker, value);
    case Key::OFMarkInt:
      return set_number(p.of_mark_int, key, value);
    case Key::IFMarkInt:
      return set_number(p.if_mark_int, key, value);
    default:
      return false;
  }
}

}  // namespace iscsi::negotiation
