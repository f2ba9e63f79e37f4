// Vocabulary shared by the key table and the negotiation engine: who is
// talking, in which stage of the login (or in full feature phase), and on
// which kind of session.
#pragma once

#include <cstdint>
#include <string_view>

namespace iscsi::negotiation {

enum class Role : std::uint8_t { Initiator, Target };

constexpr Role peer_of(Role r) {
  return r == Role::Initiator ? Role::Target : Role::Initiator;
}

// RFC 3720 §5.3: the login phase has a SecurityNegotiation stage and a
// LoginOperationalNegotiation stage; Text negotiation (§10.10) happens in
// the Full Feature Phase.
enum class Stage : std::uint8_t { SecurityNegotiation, LoginOperationalNegotiation, FullFeature };

constexpr bool is_login(Stage s) {
  return s != Stage::FullFeature;
}

// RFC 3720 §12.21 SessionType=<Discovery|Normal>.
enum class SessionType : std::uint8_t { Normal, Discovery };

constexpr std::string_view session_type_name(SessionType t) {
  return t == SessionType::Discovery ? "Discovery" : "Normal";
}

// What the engine is told about the exchange it is processing.
struct Context {
  Stage stage = Stage::LoginOperationalNegotiation;
  // The connection's login began with TSIH 0 (RFC 3720 §5.3: the leading
  // login). Leading-only keys are admissible only there.
  bool leading = true;
  // The session's type as known to the caller: on a non-leading connection
  // or in full feature phase, the type the leading login established. On a
  // leading login a SessionType key declared in this negotiation overrides it.
  SessionType session_type = SessionType::Normal;
};

}  // namespace iscsi::negotiation
