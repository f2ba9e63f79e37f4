#include "negotiation/status.h"

#include <utility>

namespace iscsi::negotiation {

std::string_view login_status_name(LoginStatus s) {
  switch (s) {
    case LoginStatus::Success:
      return "Success";
    case LoginStatus::TargetMovedTemporarily:
      return "Target moved temporarily";
    case LoginStatus::TargetMovedPermanently:
      return "Target moved permanently";
    case LoginStatus::InitiatorError:
      return "Initiator error";
    case LoginStatus::AuthenticationFailure:
      return "Authentication failure";
    case LoginStatus::AuthorizationFailure:
      return "Authorization failure";
    case LoginStatus::NotFound:
      return "Not found";
    case LoginStatus::TargetRemoved:
      return "Target removed";
    case LoginStatus::UnsupportedVersion:
      return "Unsupported version";
    case LoginStatus::TooManyConnections:
      return "Too many connections";
    case LoginStatus::MissingParameter:
      return "Missing parameter";
    case LoginStatus::CantIncludeInSession:
      return "Can't include in session";
    case LoginStatus::SessionTypeNotSupported:
      return "Session type not supported";
    case LoginStatus::SessionDoesNotExist:
      return "Session does not exist";
    case LoginStatus::InvalidDuringLogin:
      return "Invalid during login";
    case LoginStatus::TargetError:
      return "Target error";
    case LoginStatus::ServiceUnavailable:
      return "Service unavailable";
    case LoginStatus::OutOfResources:
      return "Out of resources";
  }
  return "Unknown";
}

std::string_view errc_name(Errc e) {
  switch (e) {
    case Errc::RepeatedKey:
      return "RepeatedKey";
    case Errc::WrongStage:
      return "WrongStage";
    case Errc::NotLeadingConnection:
      return "NotLeadingConnection";
    case Errc::WrongSender:
      return "WrongSender";
    case Errc::MissingKey:
      return "MissingKey";
    case Errc::InvalidDeclaration:
      return "InvalidDeclaration";
    case Errc::UnsupportedSessionType:
      return "UnsupportedSessionType";
    case Errc::ReservedValueOffered:
      return "ReservedValueOffered";
    case Errc::AuthKeyOutOfPlace:
      return "AuthKeyOutOfPlace";
    case Errc::InvalidAuthValue:
      return "InvalidAuthValue";
    case Errc::InvalidAnswer:
      return "InvalidAnswer";
    case Errc::NotUnderstoodStandardKey:
      return "NotUnderstoodStandardKey";
    case Errc::NoAnswer:
      return "NoAnswer";
    case Errc::IntegrityViolation:
      return "IntegrityViolation";
    case Errc::TooManyNotUnderstood:
      return "TooManyNotUnderstood";
    case Errc::InvalidSendTargetsResponse:
      return "InvalidSendTargetsResponse";
  }
  return "Unknown";
}

LoginStatus status_for(Errc e) {
  switch (e) {
    // §5.3.1: a missing InitiatorName/TargetName is "Missing parameter".
    case Errc::MissingKey:
      return LoginStatus::MissingParameter;
    // §10.13.5 0x0209: "The requested iSCSI session type is not supported".
    case Errc::UnsupportedSessionType:
      return LoginStatus::SessionTypeNotSupported;
    // §11.1.4 (and alike for the other methods): "If the initiator
    // authentication fails, the target MUST answer with a Login reject with
    // "Authentication Failure" status".
    case Errc::InvalidAuthValue:
      return LoginStatus::AuthenticationFailure;
    // The bound protects the target's own buffers: a resource limit, not a
    // protocol violation by the peer (unknown keys are legal).
    case Errc::TooManyNotUnderstood:
      return LoginStatus::OutOfResources;
    // §5.3: "If such an attempt is detected by the target, the target MUST
    // respond with Login reject (initiator error)"; the other violations of
    // §5.2/§11/§12 are initiator errors of the same class.
    default:
      return LoginStatus::InitiatorError;
  }
}

NegotiationError make_error(Errc code, std::string_view key, std::string detail) {
  return NegotiationError{code, status_for(code), std::string(key), std::move(detail)};
}

}  // namespace iscsi::negotiation
