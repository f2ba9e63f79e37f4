// Local policy: defaults from the key table, setters that refuse values the
// RFC does not admit, and the wire form of offers.
#include "negotiation/policy.h"

#include <gtest/gtest.h>

namespace iscsi::negotiation {
namespace {

TEST(PolicyTest, StartsFromTheRfcDefaults) {
  const Policy p(Role::Target);
  EXPECT_EQ(p.role(), Role::Target);
  // §12 defaults.
  EXPECT_EQ(p.wire_value(Key::HeaderDigest), "None");
  EXPECT_EQ(p.wire_value(Key::DataDigest), "None");
  EXPECT_EQ(p.wire_value(Key::MaxConnections), "1");
  EXPECT_EQ(p.wire_value(Key::InitialR2T), "Yes");
  EXPECT_EQ(p.wire_value(Key::ImmediateData), "Yes");
  EXPECT_EQ(p.wire_value(Key::MaxRecvDataSegmentLength), "8192");
  EXPECT_EQ(p.wire_value(Key::MaxBurstLength), "262144");
  EXPECT_EQ(p.wire_value(Key::FirstBurstLength), "65536");
  EXPECT_EQ(p.wire_value(Key::DefaultTime2Wait), "2");
  EXPECT_EQ(p.wire_value(Key::DefaultTime2Retain), "20");
  EXPECT_EQ(p.wire_value(Key::MaxOutstandingR2T), "1");
  EXPECT_EQ(p.wire_value(Key::DataPDUInOrder), "Yes");
  EXPECT_EQ(p.wire_value(Key::DataSequenceInOrder), "Yes");
  EXPECT_EQ(p.wire_value(Key::ErrorRecoveryLevel), "0");
  EXPECT_EQ(p.wire_value(Key::SessionType), "Normal");
  EXPECT_EQ(p.wire_value(Key::AuthMethod), "None");
  // Appendix A defaults.
  EXPECT_EQ(p.wire_value(Key::OFMarker), "No");
  EXPECT_EQ(p.wire_value(Key::IFMarker), "No");
  EXPECT_EQ(p.wire_value(Key::OFMarkInt), "2048");
  // No default for names, aliases, tags.
  EXPECT_EQ(p.wire_value(Key::InitiatorName), std::nullopt);
  EXPECT_EQ(p.wire_value(Key::TargetPortalGroupTag), std::nullopt);
  EXPECT_EQ(p.wire_value(Key::CHAP_C), std::nullopt);
}

TEST(PolicyTest, OffersNothingByDefault) {
  const Policy p(Role::Initiator);
  for (std::size_t i = 0; i < kKeyCount; ++i) EXPECT_FALSE(p.offers(static_cast<Key>(i)));
}

TEST(PolicyTest, SetOffer) {
  Policy p(Role::Initiator);
  p.set_offer(Key::MaxBurstLength);
  EXPECT_TRUE(p.offers(Key::MaxBurstLength));
  p.set_offer(Key::MaxBurstLength, false);
  EXPECT_FALSE(p.offers(Key::MaxBurstLength));
}

TEST(PolicyTest, NumbersWithinTheKeysRange) {
  Policy p(Role::Target);
  EXPECT_TRUE(p.set_number(Key::MaxBurstLength, 512));
  EXPECT_TRUE(p.set_number(Key::MaxBurstLength, 16777215));
  EXPECT_FALSE(p.set_number(Key::MaxBurstLength, 511));
  EXPECT_FALSE(p.set_number(Key::MaxBurstLength, 16777216));
  EXPECT_EQ(p.wire_value(Key::MaxBurstLength), "16777215");
  EXPECT_FALSE(p.set_number(Key::ErrorRecoveryLevel, 3));
  EXPECT_TRUE(p.set_number(Key::TargetPortalGroupTag, 65535));
  EXPECT_FALSE(p.set_number(Key::TargetPortalGroupTag, 65536));
  EXPECT_FALSE(p.set_number(Key::InitialR2T, 1));  // not a number key
}

TEST(PolicyTest, Booleans) {
  Policy p(Role::Target);
  EXPECT_TRUE(p.set_boolean(Key::ImmediateData, false));
  EXPECT_EQ(p.wire_value(Key::ImmediateData), "No");
  EXPECT_FALSE(p.set_boolean(Key::MaxBurstLength, true));
}

TEST(PolicyTest, ListsOnlyOfKnownValues) {
  Policy p(Role::Initiator);
  EXPECT_TRUE(p.set_list(Key::HeaderDigest, {"CRC32C", "None"}));
  EXPECT_EQ(p.wire_value(Key::HeaderDigest), "CRC32C,None");
  EXPECT_FALSE(p.set_list(Key::HeaderDigest, {"MD5"}));
  EXPECT_FALSE(p.set_list(Key::HeaderDigest, {}));
  EXPECT_EQ(p.wire_value(Key::HeaderDigest), "CRC32C,None");
  EXPECT_TRUE(p.set_list(Key::AuthMethod, {"CHAP"}));
  EXPECT_FALSE(p.set_list(Key::MaxBurstLength, {"1"}));
}

TEST(PolicyTest, Intervals) {
  Policy p(Role::Initiator);
  EXPECT_TRUE(p.set_interval(Key::OFMarkInt, {1024, 4096}));
  EXPECT_EQ(p.wire_value(Key::OFMarkInt), "1024~4096");
  EXPECT_FALSE(p.set_interval(Key::OFMarkInt, {0, 10}));
  EXPECT_FALSE(p.set_interval(Key::OFMarkInt, {10, 5}));
  EXPECT_FALSE(p.set_interval(Key::MaxBurstLength, {512, 1024}));
}

TEST(PolicyTest, TextsAreChecked) {
  Policy p(Role::Initiator);
  EXPECT_TRUE(p.set_text(Key::InitiatorName, "iqn.1992-04.com.os-vendor.plan9:cdrom.12345"));
  EXPECT_FALSE(p.set_text(Key::InitiatorName, "not a name"));
  EXPECT_TRUE(p.set_text(Key::SessionType, "Discovery"));
  EXPECT_FALSE(p.set_text(Key::SessionType, "Other"));
  EXPECT_TRUE(p.set_text(Key::InitiatorAlias, "Web Server 4"));
  EXPECT_TRUE(p.set_text(Key::SendTargets, "All"));
  EXPECT_FALSE(p.set_text(Key::MaxBurstLength, "512"));
  EXPECT_EQ(p.wire_value(Key::SessionType), "Discovery");
}

TEST(PolicyTest, DefaultLimitsCoverRfcMinimumText) {
  // §5.1: at least 8192 bytes of key=value data; every pair is >= 3 bytes.
  const Limits l;
  EXPECT_GE(l.max_not_understood_keys, 8192u / 3);
  EXPECT_GE(l.max_not_understood_bytes, 8192u + 13u * (8192u / 3));
}

}  // namespace
}  // namespace iscsi::negotiation
