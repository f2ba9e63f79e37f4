#include <gtest/gtest.h>

#include "capture/decoded_pdu.h"

namespace iscsi::capture {
namespace {

TEST(DecodedPdu, Names) {
  EXPECT_EQ(direction_name(PduDirection::InitiatorToTarget), "I->T");
  EXPECT_EQ(direction_name(PduDirection::TargetToInitiator), "T->I");
  EXPECT_EQ(digest_check_name(DigestCheck::Absent), "absent");
  EXPECT_EQ(digest_check_name(DigestCheck::Good), "good");
  EXPECT_EQ(digest_check_name(DigestCheck::Bad), "bad");
  EXPECT_EQ(digest_check_name(DigestCheck::Unchecked), "unchecked");
  EXPECT_EQ(digest_source_name(DigestSource::Login), "login");
  EXPECT_EQ(digest_source_name(DigestSource::Detected), "detected");
  EXPECT_EQ(digest_source_name(DigestSource::Undetermined), "undetermined");
}

}  // namespace
}  // namespace iscsi::capture
