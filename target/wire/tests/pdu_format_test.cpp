#include "wire/pdu_format.h"

#include <gtest/gtest.h>

#include <sstream>

namespace iscsi::wire {
namespace {

TEST(PduFormat, NamesThePduAndEveryField) {
  ReadyToTransfer r2t;
  r2t.initiator_task_tag = 0x1a;
  r2t.r2t_sn = 2;
  r2t.desired_data_transfer_length = 65536;
  EXPECT_EQ(format_pdu(Pdu(r2t)),
            "R2T LUN=0x0 InitiatorTaskTag=0x1a TargetTransferTag=0x0 StatSN=0x0 ExpCmdSN=0x0 "
            "MaxCmdSN=0x0 R2TSN=0x2 BufferOffset=0 DesiredDataTransferLength=65536 ahs=0 data=0");
}

TEST(PduFormat, ShowsTheCdbAndSegmentSizes) {
  ScsiCommand cmd;
  cmd.cdb[0] = 0x28;
  cmd.data = Bytes(3, 0);
  const std::string s = format_pdu(Pdu(cmd));
  EXPECT_NE(s.find("CDB=28000000000000000000000000000000"), std::string::npos) << s;
  EXPECT_NE(s.find("data=3"), std::string::npos) << s;
}

TEST(PduFormat, StreamsLikeFormat) {
  std::ostringstream os;
  os << Reject{.reason = 9};
  EXPECT_EQ(os.str().rfind("Reject Reason=9 ", 0), 0u) << os.str();
}

}  // namespace
}  // namespace iscsi::wire
