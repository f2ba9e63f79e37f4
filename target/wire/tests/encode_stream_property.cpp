// RapidCheck properties of encode_append, the encoder senders use to build
// a stream of many PDUs: the stream is the concatenation of the PDUs'
// encodings, and appending stays linear (geometric growth), so the Data-In
// of a large read costs no more than its bytes.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include "wire/pdu_codec.h"

namespace iscsi::wire {
namespace {

RC_GTEST_PROP(EncodeStream, AppendingIsConcatenation, ()) {
  const DigestSettings d{*rc::gen::arbitrary<bool>(), *rc::gen::arbitrary<bool>()};
  const auto sizes =
      *rc::gen::container<std::vector<std::size_t>>(rc::gen::inRange<std::size_t>(0, 3000));
  Bytes stream;
  Bytes expected;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    ScsiDataIn pdu;
    pdu.data_sn = static_cast<std::uint32_t>(i);
    pdu.data.assign(sizes[i], static_cast<std::uint8_t>(i));
    encode_append(Pdu(pdu), d, stream);
    const Bytes one = encode(Pdu(pdu), d);
    expected.insert(expected.end(), one.begin(), one.end());
  }
  RC_ASSERT(stream == expected);
}

// Found by fuzz_session (a timeout: an R2T of 256 KiB answered in 1-byte
// Data-Out PDUs built into one stream): each append reserved exactly the
// bytes it needed, so every PDU reallocated and copied the whole stream.
// Against that encoder:
// RC_PARAMS="reproduce=BATRuN2bkV2U0JXZh12LBBHcl5GZp52ZSVWYsx2bjFGdlNHTvdWYylGdo1WajFGbslHKGs3ANaIdBgiB7NQjGSXAoYweD0oh0FAKGs3ANaIdBIAACEAAAAwABIgA"
RC_GTEST_PROP(EncodeStream, AppendingReallocatesLogarithmically, ()) {
  const auto count = *rc::gen::inRange<std::size_t>(1, 5000);
  Bytes stream;
  std::size_t reallocations = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const auto before = stream.capacity();
    encode_append(Pdu(ScsiDataOut{.data = {1}}), {}, stream);
    if (stream.capacity() != before) ++reallocations;
  }
  // Doubling from the first PDU's 52 bytes: about log2(count) + 1 steps.
  std::size_t bound = 2;
  for (std::size_t c = 1; c < count; c *= 2) ++bound;
  RC_ASSERT(reallocations <= bound);
}

}  // namespace
}  // namespace iscsi::wire
