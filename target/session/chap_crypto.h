// The cryptographic primitives of CHAP (RFC 1994) as iSCSI uses them
// (RFC 3720 §11.1.4): the MD5 response, random challenges and identifiers,
// and a comparison whose time does not depend on where the inputs differ.
// All of it comes from OpenSSL's libcrypto; nothing here is hand-written
// cryptography.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "wire/bytes.h"

namespace iscsi::session::chap {

// RFC 1994 §2 / RFC 3720 §11.1.4: "5 (CHAP with MD5)", the one algorithm
// an implementation is required to support.
inline constexpr std::uint8_t kAlgorithmMd5 = 5;
inline constexpr std::size_t kMd5Length = 16;

using Md5Digest = std::array<std::uint8_t, kMd5Length>;

// RFC 1994 §2 and §4.1: "The Response Value is the one-way hash calculated
// over a stream of octets consisting of the Identifier, followed by
// (concatenated with) the "secret", followed by (concatenated with) the
// Challenge Value." With MD5 (algorithm 5). nullopt when libcrypto cannot
// compute it (e.g. MD5 disabled by a FIPS configuration).
std::optional<Md5Digest> md5_response(std::uint8_t identifier, std::string_view secret,
                                      wire::ByteView challenge);

// Fills `out` from OpenSSL's CSPRNG; false when it cannot (then `out` must
// not be used).
bool random_bytes(std::span<std::uint8_t> out);

// Equal length and equal contents, in time independent of the contents
// (CRYPTO_memcmp), so a response cannot be guessed byte by byte from timing.
bool constant_time_equal(wire::ByteView a, wire::ByteView b);

}  // namespace iscsi::session::chap
