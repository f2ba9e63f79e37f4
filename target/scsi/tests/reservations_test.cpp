#include "scsi/reservations.h"

#include <gtest/gtest.h>

namespace iscsi::scsi {
namespace {

// PERSISTENT RESERVE OUT parameter list (SPC-4): RESERVATION KEY bytes 0-7,
// SERVICE ACTION RESERVATION KEY bytes 8-15, flags byte 20.
wire::Bytes params(std::uint64_t rk, std::uint64_t sark, std::uint8_t flags = 0) {
  wire::Bytes p(24, 0);
  wire::store_be64(&p[0], rk);
  wire::store_be64(&p[8], sark);
  p[20] = flags;
  return p;
}

constexpr std::uint8_t kRegister = 0, kReserve = 1, kRelease = 2, kClear = 3, kPreempt = 4,
                       kIgnore = 6;

Status out_status(Reservations& r, NexusId n, std::uint8_t sa, std::uint8_t type,
                  const wire::Bytes& p) {
  return r.persistent_reserve_out(n, sa, 0, type, p).result.status;
}

TEST(Reservations, RegisterAndReadKeys) {
  Reservations r;
  EXPECT_EQ(out_status(r, 1, kRegister, 0, params(0, 0xabc)), Status::Good);
  // READ KEYS: PRGENERATION 1, ADDITIONAL LENGTH 8, the key.
  const wire::Bytes expected = {0, 0, 0, 1, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0x0a, 0xbc};
  EXPECT_EQ(r.persistent_reserve_in(0x00), expected);
}

TEST(Reservations, UnregisteredRegisterWithKeyConflicts) {
  Reservations r;
  EXPECT_EQ(out_status(r, 1, kRegister, 0, params(5, 6)), Status::ReservationConflict);
  // REGISTER AND IGNORE EXISTING KEY ignores the RESERVATION KEY.
  EXPECT_EQ(out_status(r, 1, kIgnore, 0, params(5, 6)), Status::Good);
}

TEST(Reservations, WriteExclusiveBlocksOtherWriters) {
  Reservations r;
  out_status(r, 1, kRegister, 0, params(0, 1));
  EXPECT_EQ(out_status(r, 1, kReserve, pr_type::kWriteExclusive, params(1, 0)), Status::Good);
  EXPECT_TRUE(r.conflicts(2, ReservationAccess::Write));
  EXPECT_FALSE(r.conflicts(2, ReservationAccess::Read));
  EXPECT_FALSE(r.conflicts(1, ReservationAccess::Write));
  // READ RESERVATION: key 1, scope LU, type 1h at byte 21.
  const wire::Bytes d = r.persistent_reserve_in(0x01);
  ASSERT_EQ(d.size(), 24u);
  EXPECT_EQ(wire::load_be32(&d[4]), 16u);
  EXPECT_EQ(wire::load_be64(&d[8]), 1u);
  EXPECT_EQ(d[21], 0x01);
}

TEST(Reservations, ExclusiveAccessRegistrantsOnlyAdmitsRegistrants) {
  Reservations r;
  out_status(r, 1, kRegister, 0, params(0, 1));
  out_status(r, 2, kRegister, 0, params(0, 2));
  out_status(r, 1, kReserve, pr_type::kExclusiveAccessRegistrantsOnly, params(1, 0));
  EXPECT_FALSE(r.conflicts(2, ReservationAccess::Read));
  EXPECT_TRUE(r.conflicts(3, ReservationAccess::Read));
}

TEST(Reservations, ReleaseWithWrongTypeIsInvalidRelease) {
  Reservations r;
  out_status(r, 1, kRegister, 0, params(0, 1));
  out_status(r, 1, kReserve, pr_type::kWriteExclusive, params(1, 0));
  auto o = r.persistent_reserve_out(1, kRelease, 0, pr_type::kExclusiveAccess, params(1, 0));
  ASSERT_TRUE(o.result.sense);
  EXPECT_EQ(*o.result.sense, sense::invalid_release_of_persistent_reservation());
}

TEST(Reservations, ClearNotifiesOtherRegistrants) {
  Reservations r;
  out_status(r, 1, kRegister, 0, params(0, 1));
  out_status(r, 2, kRegister, 0, params(0, 2));
  auto o = r.persistent_reserve_out(1, kClear, 0, 0, params(1, 0));
  EXPECT_EQ(o.result.status, Status::Good);
  ASSERT_EQ(o.unit_attentions.size(), 1u);
  EXPECT_EQ(o.unit_attentions[0].first, 2u);
  EXPECT_EQ(o.unit_attentions[0].second, sense::reservations_preempted());
}

TEST(Reservations, PreemptTakesTheReservation) {
  Reservations r;
  out_status(r, 1, kRegister, 0, params(0, 1));
  out_status(r, 2, kRegister, 0, params(0, 2));
  out_status(r, 1, kReserve, pr_type::kExclusiveAccess, params(1, 0));
  auto o = r.persistent_reserve_out(2, kPreempt, 0, pr_type::kWriteExclusive, params(2, 1));
  EXPECT_EQ(o.result.status, Status::Good);
  EXPECT_TRUE(r.conflicts(1, ReservationAccess::Write));  // 1 lost its registration
  ASSERT_FALSE(o.unit_attentions.empty());
  EXPECT_EQ(o.unit_attentions[0].second, sense::registrations_preempted());
}

TEST(Reservations, AptplIsNotSupported) {
  Reservations r;
  auto o = r.persistent_reserve_out(1, kRegister, 0, 0, params(0, 1, 0x01));
  ASSERT_TRUE(o.result.sense);
  EXPECT_EQ(*o.result.sense, sense::invalid_field_in_parameter_list(20, 0));
}

TEST(Reservations, Spc2ReserveConflictsAndResetReleases) {
  Reservations r;
  EXPECT_EQ(r.reserve(1).status, Status::Good);
  EXPECT_EQ(r.reserve(2).status, Status::ReservationConflict);
  EXPECT_TRUE(r.conflicts(2, ReservationAccess::UnderPersist));
  EXPECT_FALSE(r.conflicts(2, ReservationAccess::Always));
  // SPC-2 RELEASE from another initiator is GOOD and changes nothing.
  EXPECT_EQ(r.release(2).status, Status::Good);
  EXPECT_TRUE(r.conflicts(2, ReservationAccess::Read));
  r.reset();
  EXPECT_FALSE(r.conflicts(2, ReservationAccess::Read));
}

TEST(Reservations, ReserveConflictsWhileRegistered) {
  Reservations r;
  out_status(r, 1, kRegister, 0, params(0, 1));
  EXPECT_EQ(r.reserve(1).status, Status::ReservationConflict);
}

TEST(Reservations, ReportCapabilities) {
  Reservations r;
  // LENGTH 8, CRH, TMV, type mask WR_EX_AR EX_AC_RO WR_EX_RO EX_AC WR_EX /
  // EX_AC_AR.
  const wire::Bytes expected = {0x00, 0x08, 0x10, 0x80, 0xea, 0x01, 0x00, 0x00};
  EXPECT_EQ(r.persistent_reserve_in(0x02), expected);
}

}  // namespace
}  // namespace iscsi::scsi
