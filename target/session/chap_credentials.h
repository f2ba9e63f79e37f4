// CHAP credentials and what one kind of session requires of them, with the
// rules RFC 3720 §8.2.1 sets for secrets.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace iscsi::session {

struct ChapCredentials {
  std::string user;    // CHAP_N (§11.1.4: a text string)
  std::string secret;  // the shared secret, never logged
};

// What a login must do to be admitted. Initiator authentication is required
// exactly when `chap` is set (AuthMethod=CHAP is then the only acceptable
// method). Target authentication (mutual CHAP) is configured explicitly by
// `mutual`: when set, the initiator must ask for it (CHAP_I and CHAP_C in
// its response); when unset, an initiator that asks for it is refused,
// because the target has no credentials to prove itself with.
struct AuthSettings {
  std::optional<ChapCredentials> chap;
  std::optional<ChapCredentials> mutual;
  bool required() const { return chap.has_value(); }
};

// §8.2.1: "Implementations MUST support use of up to 128 bit random CHAP
// secrets"; 255 bytes is this target's upper bound, far above that.
inline constexpr std::size_t kMaxSecretLength = 255;
// §8.2.1: secrets of less than 96 random bits require IPsec, which this
// target does not provide.
inline constexpr std::size_t kMinStrongSecretLength = 12;
// §11.1.4: N is a text string; §5.1 bounds a simple text-value at 255 bytes.
inline constexpr std::size_t kMaxUserLength = 255;

// Parses "USER:SECRET" (the command-line form); the user ends at the first
// colon, so a secret may contain colons.
std::optional<ChapCredentials> parse_credentials(std::string_view text);

enum class SecretUse {
  InitiatorAuthentication,  // the target verifies the initiator's CHAP_R with it
  TargetAuthentication,     // the target computes its own CHAP_R with it (mutual)
};

struct CredentialCheck {
  std::vector<std::string> errors;    // the configuration must be refused
  std::vector<std::string> warnings;  // accepted, but an administrator should know
};

// Checks one set of credentials; `what` names them in the messages (never
// the secret itself).
void check_credentials(const ChapCredentials& c, SecretUse use, std::string_view what,
                       CredentialCheck& out);

// Checks the credentials of one kind of session, including §8.2.1's rule
// that a secret used in one direction is not used in the other.
void check_auth_settings(const AuthSettings& a, std::string_view what, CredentialCheck& out);

}  // namespace iscsi::session
