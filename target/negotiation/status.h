// Login status codes (RFC 3720 §10.13.5) and the errors the negotiation
// engine reports. Errors are values: every condition that ends a login names
// the Status-Class/Status-Detail the target answers with. An initiator that
// detects the same condition closes the connection instead (RFC 3720 §5.3).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace iscsi::negotiation {

// Status-Class in the high byte, Status-Detail in the low byte.
enum class LoginStatus : std::uint16_t {
  Success = 0x0000,
  TargetMovedTemporarily = 0x0101,
  TargetMovedPermanently = 0x0102,
  InitiatorError = 0x0200,
  AuthenticationFailure = 0x0201,
  AuthorizationFailure = 0x0202,
  NotFound = 0x0203,
  TargetRemoved = 0x0204,
  UnsupportedVersion = 0x0205,
  TooManyConnections = 0x0206,
  MissingParameter = 0x0207,
  CantIncludeInSession = 0x0208,
  SessionTypeNotSupported = 0x0209,
  SessionDoesNotExist = 0x020a,
  InvalidDuringLogin = 0x020b,
  TargetError = 0x0300,
  ServiceUnavailable = 0x0301,
  OutOfResources = 0x0302,
};

constexpr std::uint8_t status_class(LoginStatus s) {
  return static_cast<std::uint8_t>(static_cast<std::uint16_t>(s) >> 8);
}
constexpr std::uint8_t status_detail(LoginStatus s) {
  return static_cast<std::uint8_t>(static_cast<std::uint16_t>(s) & 0xff);
}

std::string_view login_status_name(LoginStatus s);

enum class Errc : std::uint8_t {
  // §5.3: a key negotiated or declared twice within one negotiation.
  RepeatedKey,
  // The key's "Use" forbids it in this stage: an operational key in the
  // SecurityNegotiation stage (§11), a security key outside it, an IO/LO key
  // in full feature phase, an FFPO key during login (§12).
  WrongStage,
  // A leading-only (LO) key on a non-leading connection (§5.3, §12).
  NotLeadingConnection,
  // The peer's role may not send this key (e.g. an initiator sending TargetAlias).
  WrongSender,
  // A key the first Login Request must carry is absent (§5.3.1).
  MissingKey,
  // A declarative key with a malformed or out-of-range value.
  InvalidDeclaration,
  // SessionType names a type the target does not offer (§12.21).
  UnsupportedSessionType,
  // §5.2: "Reject", "Irrelevant" or "NotUnderstood" used as a proposed value.
  ReservedValueOffered,
  // An authentication exchange key that does not belong to the selected
  // AuthMethod (§11.1).
  AuthKeyOutOfPlace,
  // An authentication exchange value that is malformed or over its length
  // limit (§11.1.1-§11.1.4): the authentication cannot succeed.
  InvalidAuthValue,
  // §5.2.1/§5.2.2: the responder selected a value the selection rules do not
  // admit (a list value not proposed, a minimum above the offer, ...).
  InvalidAnswer,
  // §5.2: standard keys used as specified "MUST NOT be answered with NotUnderstood".
  NotUnderstoodStandardKey,
  // An offer that required an answer got none in the peer's next text.
  NoAnswer,
  // A cross-key rule does not hold after negotiation (§12.14, §12.19).
  IntegrityViolation,
  // The NotUnderstood answers of one reply exceed the configured bound.
  TooManyNotUnderstood,
  // A SendTargets response that does not follow Appendix D.
  InvalidSendTargetsResponse,
};

std::string_view errc_name(Errc e);

struct NegotiationError {
  Errc code;
  LoginStatus status;  // what a target answers with; an initiator drops the connection
  std::string key;     // the offending key, when there is one
  std::string detail;  // human-readable, for logs and reports
};

// The login status each error maps to.
LoginStatus status_for(Errc e);

NegotiationError make_error(Errc code, std::string_view key, std::string detail);

}  // namespace iscsi::negotiation
