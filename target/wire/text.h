// The iSCSI text format, RFC 3720 §5.1: key=value pairs, each followed by one
// NUL, carried in the data segment of Login and Text PDUs, possibly spread
// over several PDUs with the C bit (§10.10.2, §10.12.2).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "wire/bytes.h"
#include "wire/result.h"

namespace iscsi::wire::text {

struct KeyValue {
  std::string key;
  std::string value;
  bool operator==(const KeyValue&) const = default;
};

enum class TextErrc {
  MissingTerminator,  // the last pair is not followed by a NUL
  MissingEquals,      // a pair without '='
  InvalidKeyName,     // key name syntax (§5.1 standard-label, §12.22 extensions)
  KeyTooLong,         // key name over 63 characters
  ValueTooLong,       // value over the configured limit
  TooManyPairs,       // more pairs than the configured limit
  TooLarge,           // assembled text over the configured limit
  ContinuationError,  // C-bit misuse (e.g. C=1 with F=1, §10.10.2)
};

std::string_view text_errc_name(TextErrc code);

struct TextError {
  TextErrc code;
  std::size_t pair_index;  // which pair (0-based) was bad, when applicable
  std::string detail;
};

struct ParseLimits {
  // Longest value accepted. Not 255: some values (CHAP_C, CHAP_R, SendTargets
  // responses) are legitimately longer; key semantics enforce 255 where it
  // applies.
  std::size_t max_value_length = 65536;
  std::size_t max_pairs = 1024;
};

// Parses a complete text (all PDUs of a sequence assembled). Empty input is
// an empty list. Key-name syntax is checked here; values are checked by the
// negotiation layer, which knows each key's type.
Result<std::vector<KeyValue>, TextError> parse(ByteView text, const ParseLimits& limits = {});

// Encodes pairs as "key=value\0key=value\0".
Bytes encode(const std::vector<KeyValue>& pairs);

// Assembles the text of a multi-PDU sequence (C bit). Bounded: more than
// `max_total` bytes is an error before any of it is stored. §5.1: "Any iSCSI
// target or initiator MUST support receiving at least 8192 bytes of
// key=value data in a negotiation sequence".
class Assembler {
 public:
  explicit Assembler(std::size_t max_total = 65536) : max_total_(max_total) {}

  // Adds one PDU's data segment. `continues` is the PDU's C bit. Returns
  // whether the sequence is now complete (C=0). Errors leave the assembler
  // unchanged: TooLarge when the total would exceed the limit (nothing of the
  // segment is stored), ContinuationError when a segment follows the final
  // one before take() or reset().
  Result<bool, TextError> add(ByteView segment, bool continues);
  // True after a segment with C=0 was added.
  bool complete() const { return complete_; }
  // The assembled text; resets the assembler.
  Bytes take();
  // Discards any partial text (e.g. after an error or a negotiation reset).
  void reset();
  std::size_t size() const { return buffer_.size(); }

 private:
  std::size_t max_total_;
  Bytes buffer_;
  bool complete_ = false;
};

// Splits an encoded text into data segments of at most `max_segment` bytes
// (the peer's MaxRecvDataSegmentLength); every segment but the last is sent
// with C=1. A key=value pair may straddle segments (§5.1). An empty text is
// one empty segment; a `max_segment` of 0 with a non-empty text yields no
// segments (no valid split exists).
std::vector<Bytes> split(ByteView text, std::size_t max_segment);

}  // namespace iscsi::wire::text
