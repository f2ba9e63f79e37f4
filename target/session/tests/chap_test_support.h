// A random source that replays fixed draws, so CHAP exchanges reproduce
// vectors computed outside this project.
#pragma once

#include <cstring>
#include <deque>
#include <memory>

#include "session/chap_authenticator.h"

namespace iscsi::session::testing {

// Each call takes the next draw, which must have the size asked for;
// otherwise (or when the draws are used up) the call fails.
inline RandomSource scripted_random(std::deque<wire::Bytes> draws) {
  auto queue = std::make_shared<std::deque<wire::Bytes>>(std::move(draws));
  return [queue](std::span<std::uint8_t> out) {
    if (queue->empty() || queue->front().size() != out.size()) return false;
    if (!out.empty()) std::memcpy(out.data(), queue->front().data(), out.size());
    queue->pop_front();
    return true;
  };
}

// Identifier 0x2a and the challenge 00 01 ... 0f.
inline RandomSource fixed_challenge() {
  wire::Bytes challenge(16);
  for (std::size_t i = 0; i < 16; ++i) challenge[i] = static_cast<std::uint8_t>(i);
  return scripted_random({wire::Bytes{0x2a}, challenge});
}

// printf '\x2asecret\x00\x01...\x0f' | openssl dgst -md5
inline constexpr const char* kResponseSecret = "0x03dc98c5a832692b49df73cf48fcb4e9";
// printf '\x2atargetsecret99\x00\x01...\x0f' | openssl dgst -md5: what the
// target would answer to its own challenge with the mutual secret.
inline constexpr const char* kReflectedResponse = "0x0b622e7cfab6da3b27a47547b07d7a1e";
// printf '\x07targetsecret99\xa0\xa1...\xaf' | openssl dgst -md5
inline constexpr const char* kMutualResponse = "0x1da476f8922bf192ac0409cc3d219ce2";
inline constexpr const char* kInitiatorChallenge = "0xa0a1a2a3a4a5a6a7a8a9aaabacadaeaf";

}  // namespace iscsi::session::testing
