#include "session/chap_credentials.h"

#include "negotiation/value_check.h"

namespace iscsi::session {

std::optional<ChapCredentials> parse_credentials(std::string_view text) {
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  return ChapCredentials{std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
}

void check_credentials(const ChapCredentials& c, SecretUse use, std::string_view what,
                       CredentialCheck& out) {
  const std::string name(what);
  // §11.1.4: CHAP_N is a text string; it travels as a key value, so it must
  // be UTF-8 without NUL and fit a simple value.
  if (c.user.empty() || c.user.size() > kMaxUserLength || !negotiation::is_utf8_text(c.user)) {
    out.errors.push_back(name + ": the CHAP user name must be 1 to 255 bytes of UTF-8 text");
  }
  if (c.secret.empty()) {
    out.errors.push_back(name + ": the CHAP secret is empty");
    return;
  }
  if (c.secret.size() > kMaxSecretLength) {
    out.errors.push_back(name + ": the CHAP secret is longer than 255 bytes");
    return;
  }
  if (c.secret.size() >= kMinStrongSecretLength) return;
  if (use == SecretUse::TargetAuthentication) {
    // §8.2.1: "A compliant implementation SHOULD NOT continue with the login
    // step in which it should send a CHAP response (CHAP_R ...) unless it
    // can verify that the CHAP secret is at least 96 bits, or that IPsec
    // encryption is being used". This target has no IPsec, so the secret it
    // answers with is held to 96 bits.
    out.errors.push_back(name +
                         ": the secret the target answers with must be at least 12 bytes "
                         "(96 bits, RFC 3720 §8.2.1)");
  } else {
    // §8.2.1: a secret of "less than 96 random bits" needs IPsec; the
    // initiator's secret is its own to choose, so this is a warning.
    out.warnings.push_back(name +
                           ": the CHAP secret is shorter than 12 bytes (96 bits); RFC 3720 "
                           "§8.2.1 requires IPsec for such secrets");
  }
}

void check_auth_settings(const AuthSettings& a, std::string_view what, CredentialCheck& out) {
  const std::string name(what);
  if (a.mutual && !a.chap) {
    // §11.1.4: the initiator asks for target authentication in its answer
    // to the target's challenge, so there is no mutual CHAP without CHAP.
    out.errors.push_back(name + ": mutual CHAP needs CHAP credentials for the initiator too");
  }
  if (a.chap) check_credentials(*a.chap, SecretUse::InitiatorAuthentication, name + " CHAP", out);
  if (a.mutual) {
    check_credentials(*a.mutual, SecretUse::TargetAuthentication, name + " mutual CHAP", out);
  }
  if (a.chap && a.mutual && a.chap->secret == a.mutual->secret) {
    // §8.2.1: "Any CHAP secret used for initiator authentication MUST NOT be
    // configured for authentication of any target".
    out.errors.push_back(name +
                         ": the mutual CHAP secret equals the initiator's secret (RFC 3720 "
                         "§8.2.1 forbids one secret in both directions)");
  }
}

}  // namespace iscsi::session
