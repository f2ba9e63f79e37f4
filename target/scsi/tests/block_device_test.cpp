// The mapping of backend errors to sense data and the helpers every backend
// shares.
#include "scsi/block_device.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace iscsi::scsi {
namespace {

TEST(SenseForIoError, MediumErrorsCarryTheFailingLba) {
  // SPC-4 §4.5.6: MEDIUM ERROR, UNRECOVERED READ ERROR 11/00 and WRITE
  // ERROR 0C/00; INFORMATION holds the LBA.
  const Sense r = sense_for_io_error(IoStatus::failure(IoErrc::ReadError, EIO), 42);
  EXPECT_EQ(r.key, SenseKey::MediumError);
  EXPECT_EQ(r.asc, 0x11);
  EXPECT_EQ(r.ascq, 0x00);
  EXPECT_EQ(r.information, 42u);

  const Sense w = sense_for_io_error(IoStatus::failure(IoErrc::WriteError, EIO), 7);
  EXPECT_EQ(w.key, SenseKey::MediumError);
  EXPECT_EQ(w.asc, 0x0c);
  EXPECT_EQ(w.ascq, 0x00);
  EXPECT_EQ(w.information, 7u);
}

TEST(SenseForIoError, OtherConditions) {
  EXPECT_EQ(sense_for_io_error(IoStatus::failure(IoErrc::NoSpace, ENOSPC)),
            sense::space_allocation_failed_write_protect());
  EXPECT_EQ(sense_for_io_error(IoStatus::failure(IoErrc::ReadOnly)), sense::write_protected());
  EXPECT_EQ(sense_for_io_error(IoStatus::failure(IoErrc::OutOfRange)), sense::lba_out_of_range());
  EXPECT_EQ(sense_for_io_error(IoStatus::failure(IoErrc::Internal, EINVAL)),
            sense::internal_target_failure());
}

TEST(IoStatusText, NamesTheErrorAndErrno) {
  EXPECT_EQ(io_status_text(IoStatus::success()), "ok");
  const std::string t = io_status_text(IoStatus::failure(IoErrc::ReadError, EIO));
  EXPECT_NE(t.find("read error"), std::string::npos) << t;
  EXPECT_NE(t.find("Input/output error"), std::string::npos) << t;
}

TEST(TotalLength, SumsAllBuffers) {
  std::uint8_t a[3], b[5];
  const wire::MutableByteView m[] = {wire::MutableByteView(a), wire::MutableByteView(),
                                     wire::MutableByteView(b)};
  EXPECT_EQ(total_length(std::span<const wire::MutableByteView>(m)), 8u);
  const wire::ByteView c[] = {wire::ByteView(a), wire::ByteView(b)};
  EXPECT_EQ(total_length(std::span<const wire::ByteView>(c)), 8u);
}

}  // namespace
}  // namespace iscsi::scsi
