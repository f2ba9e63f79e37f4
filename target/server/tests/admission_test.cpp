// Connection limits per portal and per initiator address, and the
// failed-login rate log.
#include "server/admission.h"

#include <gtest/gtest.h>

namespace iscsi::server {
namespace {

using Verdict = ConnectionLimiter::Verdict;

TEST(ConnectionLimiter, PerAddressLimit) {
  ConnectionLimits l;
  l.per_portal = 100;
  l.per_address = 2;
  ConnectionLimiter limiter(l, 1);
  EXPECT_EQ(limiter.admit(0, "10.0.0.1"), Verdict::Admitted);
  EXPECT_EQ(limiter.admit(0, "10.0.0.1"), Verdict::Admitted);
  EXPECT_EQ(limiter.admit(0, "10.0.0.1"), Verdict::AddressFull);
  EXPECT_EQ(limiter.admit(0, "10.0.0.2"), Verdict::Admitted);  // another host
  EXPECT_EQ(limiter.from_address("10.0.0.1"), 2u);
  limiter.release(0, "10.0.0.1");
  EXPECT_EQ(limiter.admit(0, "10.0.0.1"), Verdict::Admitted);
}

TEST(ConnectionLimiter, PerPortalLimit) {
  ConnectionLimits l;
  l.per_portal = 2;
  l.per_address = 100;
  ConnectionLimiter limiter(l, 2);
  EXPECT_EQ(limiter.admit(0, "a"), Verdict::Admitted);
  EXPECT_EQ(limiter.admit(0, "b"), Verdict::Admitted);
  EXPECT_EQ(limiter.admit(0, "c"), Verdict::PortalFull);
  EXPECT_EQ(limiter.admit(1, "c"), Verdict::Admitted);  // the other portal has room
  EXPECT_EQ(limiter.on_portal(0), 2u);
  EXPECT_EQ(limiter.admit(7, "c"), Verdict::PortalFull);  // no such portal
  // A refusal counts nothing.
  EXPECT_EQ(limiter.from_address("c"), 1u);
}

TEST(ConnectionLimiter, SlotReleasesOnceWhenDestroyedOrMoved) {
  ConnectionLimits l;
  l.per_address = 1;
  ConnectionLimiter limiter(l, 1);
  ASSERT_EQ(limiter.admit(0, "h"), Verdict::Admitted);
  {
    ConnectionSlot slot(&limiter, 0, "h");
    ConnectionSlot moved(std::move(slot));
    EXPECT_EQ(moved.address(), "h");
    EXPECT_EQ(limiter.from_address("h"), 1u);
  }
  EXPECT_EQ(limiter.from_address("h"), 0u);
  EXPECT_EQ(limiter.on_portal(0), 0u);
  EXPECT_EQ(limiter.admit(0, "h"), Verdict::Admitted);
}

TEST(FailedLoginMonitor, LogsEachFailureUntilTheThresholdThenTheRate) {
  FailedLoginMonitor m(3, std::chrono::seconds(60));
  const auto t0 = FailedLoginMonitor::Clock::time_point{} + std::chrono::hours(1);
  auto r1 = m.record(t0, "10.0.0.9");
  EXPECT_TRUE(r1.log_failure);
  EXPECT_FALSE(r1.summary.has_value());
  EXPECT_TRUE(m.record(t0 + std::chrono::seconds(1), "10.0.0.9").log_failure);
  auto r3 = m.record(t0 + std::chrono::seconds(2), "10.0.0.9");
  EXPECT_TRUE(r3.log_failure);
  ASSERT_TRUE(r3.summary.has_value());
  EXPECT_NE(r3.summary->find("3 failed logins"), std::string::npos);
  EXPECT_NE(r3.summary->find("10.0.0.9"), std::string::npos);
  auto r4 = m.record(t0 + std::chrono::seconds(3), "10.0.0.9");
  EXPECT_FALSE(r4.log_failure);  // counted, not logged
  EXPECT_FALSE(r4.summary.has_value());
  // The next window reports the previous one's total and logs again.
  auto r5 = m.record(t0 + std::chrono::seconds(61), "10.0.0.8");
  EXPECT_TRUE(r5.log_failure);
  ASSERT_TRUE(r5.summary.has_value());
  EXPECT_NE(r5.summary->find("4 failed logins in the previous 60 s"), std::string::npos);
  EXPECT_EQ(m.total(), 5u);
}

}  // namespace
}  // namespace iscsi::server
