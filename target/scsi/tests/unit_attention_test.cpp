// Pending unit attention conditions per I_T nexus.
#include "scsi/unit_attention.h"

#include <gtest/gtest.h>

namespace iscsi::scsi {
namespace {

TEST(UnitAttentionTable, NewNexusGetsPowerOnResetOnce) {
  UnitAttentionTable t;
  EXPECT_EQ(t.peek(1), sense::power_on_reset_or_bus_device_reset());
  EXPECT_EQ(t.tracked(), 0u);  // peeking does not register the nexus
  EXPECT_EQ(t.take(1), sense::power_on_reset_or_bus_device_reset());
  EXPECT_FALSE(t.take(1).has_value());
  EXPECT_FALSE(t.peek(1).has_value());
  EXPECT_EQ(t.take(2), sense::power_on_reset_or_bus_device_reset());  // each nexus its own
}

TEST(UnitAttentionTable, EstablishAllReachesSeenNexusesExceptOne) {
  UnitAttentionTable t;
  t.take(1);
  t.take(2);
  t.take(3);
  t.establish_all(sense::mode_parameters_changed(), 2);
  EXPECT_EQ(t.take(1), sense::mode_parameters_changed());
  EXPECT_FALSE(t.take(2).has_value());
  EXPECT_EQ(t.take(3), sense::mode_parameters_changed());
  // A nexus not seen before still gets the power-on condition first.
  EXPECT_EQ(t.take(4), sense::power_on_reset_or_bus_device_reset());
  EXPECT_FALSE(t.take(4).has_value());
}

TEST(UnitAttentionTable, QueuedInOrderWithoutDuplicates) {
  UnitAttentionTable t;
  t.take(1);
  t.establish(1, sense::mode_parameters_changed());
  t.establish(1, sense::reported_luns_data_has_changed());
  t.establish(1, sense::mode_parameters_changed());
  EXPECT_EQ(t.take(1), sense::mode_parameters_changed());
  EXPECT_EQ(t.take(1), sense::reported_luns_data_has_changed());
  EXPECT_FALSE(t.take(1).has_value());
}

TEST(UnitAttentionTable, ResetConditionReplacesTheQueue) {
  UnitAttentionTable t;
  t.take(1);
  t.establish(1, sense::mode_parameters_changed());
  t.establish_all(sense::bus_device_reset_function_occurred());
  EXPECT_EQ(t.take(1), sense::bus_device_reset_function_occurred());
  EXPECT_FALSE(t.take(1).has_value());
  // A later non-reset condition queues behind a reset one.
  t.establish_all(sense::scsi_bus_reset_occurred());
  t.establish_all(sense::reported_luns_data_has_changed());
  EXPECT_EQ(t.take(1), sense::scsi_bus_reset_occurred());
  EXPECT_EQ(t.take(1), sense::reported_luns_data_has_changed());
}

TEST(UnitAttentionTable, QueueIsBounded) {
  UnitAttentionTable t;
  t.take(1);
  for (std::uint8_t i = 0; i < 20; ++i) {
    Sense s = sense::mode_parameters_changed();
    s.ascq = i;  // distinct conditions
    t.establish(1, s);
  }
  std::size_t n = 0;
  while (t.take(1)) ++n;
  EXPECT_EQ(n, UnitAttentionTable::kMaxQueued);
}

TEST(UnitAttentionTable, ClearRemovesOneCondition) {
  UnitAttentionTable t;
  t.take(1);
  t.establish(1, sense::reported_luns_data_has_changed());
  t.establish(1, sense::mode_parameters_changed());
  t.clear(1, 0x3f, 0x0e);
  EXPECT_EQ(t.take(1), sense::mode_parameters_changed());
  EXPECT_FALSE(t.take(1).has_value());
  t.clear(99, 0x3f, 0x0e);  // unknown nexus: nothing happens
  EXPECT_EQ(t.tracked(), 1u);
}

TEST(UnitAttentionTable, LostNexusLearnsOfTheLossWhenItReturns) {
  UnitAttentionTable t;
  t.take(1);
  t.nexus_lost(1);
  EXPECT_EQ(t.take(1), sense::i_t_nexus_loss_occurred());
  EXPECT_FALSE(t.take(1).has_value());
}

TEST(UnitAttentionTable, LostNexusesAreBounded) {
  UnitAttentionTable t(4);
  for (NexusId id = 1; id <= 10; ++id) {
    t.take(id);
    t.nexus_lost(id);
  }
  EXPECT_EQ(t.tracked(), 4u);
  // The four most recent keep their loss condition; older ones were
  // forgotten and look new.
  EXPECT_EQ(t.take(10), sense::i_t_nexus_loss_occurred());
  EXPECT_EQ(t.take(7), sense::i_t_nexus_loss_occurred());
  EXPECT_EQ(t.take(1), sense::power_on_reset_or_bus_device_reset());
}

TEST(UnitAttentionTable, ReturningNexusesDoNotGrowTheTable) {
  UnitAttentionTable t(2);
  for (int round = 0; round < 1000; ++round) {
    t.nexus_lost(5);
    t.take(5);  // came back
  }
  t.nexus_lost(6);
  t.nexus_lost(7);
  t.nexus_lost(8);
  EXPECT_LE(t.tracked(), 3u);  // 5 (live) plus at most two lost
  EXPECT_EQ(t.take(8), sense::i_t_nexus_loss_occurred());
}

TEST(UnitAttentionTable, TrackedNexusesAreBounded) {
  // A fresh nexus id per session and no nexus_lost(): the table still stays
  // within max_tracked, forgetting the longest-known nexus first.
  UnitAttentionTable t(256, 100);
  for (NexusId id = 1; id <= 10000; ++id) t.take(id);
  EXPECT_EQ(t.tracked(), 100u);
  EXPECT_FALSE(t.take(10000).has_value());  // recent: still known, nothing pending
  EXPECT_EQ(t.take(1), sense::power_on_reset_or_bus_device_reset());  // forgotten
}

}  // namespace
}  // namespace iscsi::scsi
