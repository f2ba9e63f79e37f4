#include "session/session_table.h"

#include <gtest/gtest.h>

namespace iscsi::session {
namespace {

const SessionKey kKey{"iqn.2025-12.local:i", 0x0000023d000001ULL, "iqn.2025-12.local:t"};

TEST(SessionTable, TsihsAreUniqueAndNonZero) {
  SessionTable t;
  std::uint64_t n1 = 0, n2 = 0;
  auto a = t.create(
      kKey, negotiation::SessionType::Normal, [] {}, &n1);
  SessionKey other = kKey;
  other.isid = 7;
  auto b = t.create(
      other, negotiation::SessionType::Normal, [] {}, &n2);
  ASSERT_TRUE(a && b);
  EXPECT_NE(*a, 0);
  EXPECT_NE(*a, *b);
  EXPECT_NE(n1, n2);  // different initiator ports, different nexuses
  EXPECT_EQ(t.size(), 2u);
}

TEST(SessionTable, ReinstatementClosesTheOldSessionAndKeepsTheNexus) {
  SessionTable t;
  int closed = 0;
  std::uint64_t n1 = 0, n2 = 0;
  bool reinstated = true;
  auto a = t.create(
      kKey, negotiation::SessionType::Normal, [&] { ++closed; }, &n1, &reinstated);
  EXPECT_FALSE(reinstated);
  auto b = t.create(
      kKey, negotiation::SessionType::Normal, [] {}, &n2, &reinstated);
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(reinstated);
  EXPECT_EQ(closed, 1);
  EXPECT_NE(*a, *b);
  EXPECT_EQ(n1, n2);  // same initiator port and target: the same I_T nexus
  EXPECT_FALSE(t.find(*a).has_value());
  // The old connection going away neither removes the new session nor ends
  // the nexus the new session carries on.
  EXPECT_FALSE(t.remove(*a));
  EXPECT_TRUE(t.find(*b).has_value());
  EXPECT_TRUE(t.remove(*b));  // the last session of the nexus
  EXPECT_EQ(t.size(), 0u);
}

TEST(SessionTable, NexusIdsSurviveLogoutAndLogin) {
  SessionTable t;
  std::uint64_t n1 = 0, n2 = 0;
  auto a = t.create(
      kKey, negotiation::SessionType::Normal, [] {}, &n1);
  t.remove(*a);
  t.create(
      kKey, negotiation::SessionType::Normal, [] {}, &n2);
  EXPECT_EQ(n1, n2);
}

TEST(SessionTable, RememberedNexusesAreBounded) {
  SessionTable t;
  std::uint64_t first = 0, again = 0;
  SessionKey k = kKey;
  for (std::uint64_t isid = 1; isid <= 5000; ++isid) {
    k.isid = isid;
    auto tsih = t.create(
        k, negotiation::SessionType::Normal, [] {}, isid == 1 ? &first : nullptr);
    t.remove(*tsih);
  }
  k.isid = 1;  // long forgotten: gets a fresh id
  t.create(
      k, negotiation::SessionType::Normal, [] {}, &again);
  EXPECT_NE(first, again);
}

}  // namespace
}  // namespace iscsi::session
