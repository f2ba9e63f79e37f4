#include "session/chap_crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <limits>
#include <memory>

namespace iscsi::session::chap {

std::optional<Md5Digest> md5_response(std::uint8_t identifier, std::string_view secret,
                                      wire::ByteView challenge) {
  Md5Digest out{};
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  unsigned int length = 0;
  const bool ok = ctx && EVP_DigestInit_ex(ctx.get(), EVP_md5(), nullptr) == 1 &&
                  EVP_DigestUpdate(ctx.get(), &identifier, 1) == 1 &&
                  EVP_DigestUpdate(ctx.get(), secret.data(), secret.size()) == 1 &&
                  EVP_DigestUpdate(ctx.get(), challenge.data(), challenge.size()) == 1 &&
                  EVP_DigestFinal_ex(ctx.get(), out.data(), &length) == 1 && length == kMd5Length;
  if (!ok) return std::nullopt;
  return out;
}

bool random_bytes(std::span<std::uint8_t> out) {
  if (out.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) return false;
  return RAND_bytes(out.data(), static_cast<int>(out.size())) == 1;
}

bool constant_time_equal(wire::ByteView a, wire::ByteView b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace iscsi::session::chap
