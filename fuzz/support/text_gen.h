// Key=value texts built from fuzz input: mostly the keys of RFC 3720 §11/§12
// with values of their own syntax (so the negotiation goes deep), mixed with
// unknown keys, answer constants, malformed and over-long values.
#pragma once

#include <fuzzer/FuzzedDataProvider.h>

#include <string>
#include <vector>

#include "wire/text.h"

namespace iscsi::fuzz {

// One key name: a key of the table, an extension key, an unknown key or
// arbitrary bytes.
std::string fuzz_key(FuzzedDataProvider& in);

// A value for `key`: one that fits the key's type, a reserved constant, or
// arbitrary text.
std::string fuzz_value(FuzzedDataProvider& in, const std::string& key);

// Up to `max_pairs` pairs.
std::vector<wire::text::KeyValue> fuzz_pairs(FuzzedDataProvider& in, std::size_t max_pairs);

// The keys a login of `session_type` ("Normal"/"Discovery") needs in its
// first request (§5.3.1), followed by fuzzed pairs.
std::vector<wire::text::KeyValue> fuzz_login_pairs(FuzzedDataProvider& in, bool first,
                                                   std::size_t max_pairs);

}  // namespace iscsi::fuzz
