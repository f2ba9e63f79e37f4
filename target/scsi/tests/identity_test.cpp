// Deterministic identities and the iSCSI target port name.
#include "scsi/identity.h"

#include <gtest/gtest.h>

namespace iscsi::scsi {
namespace {

constexpr const char* kTarget = "iqn.2025-12.local:storage.disk1";

TEST(MakeIdentity, SameInputsGiveTheSameIdentity) {
  const Identity a = make_identity(kTarget, 3, 1);
  const Identity b = make_identity(kTarget, 3, 1);
  EXPECT_EQ(a.serial, b.serial);
  EXPECT_EQ(a.naa, b.naa);
}

TEST(MakeIdentity, DifferentLunsOrTargetsDiffer) {
  const Identity a = make_identity(kTarget, 0, 1);
  const Identity b = make_identity(kTarget, 1, 1);
  const Identity c = make_identity("iqn.2025-12.local:storage.disk2", 0, 1);
  EXPECT_NE(a.naa, b.naa);
  EXPECT_NE(a.serial, b.serial);
  EXPECT_NE(a.naa, c.naa);
}

TEST(MakeIdentity, NaaIsLocallyAssignedAndFieldsAreFilled) {
  const Identity id = make_identity(kTarget, 0, 7);
  // SPC-4 NAA designator: NAA field (top nibble) 3h = locally assigned.
  EXPECT_EQ(id.naa >> 60, 0x3u);
  EXPECT_EQ(id.serial.size(), 16u);
  for (char c : id.serial) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F')) << c;
  EXPECT_EQ(id.vendor, "HARNESS");
  EXPECT_EQ(id.product, "REFERENCE DISK");
  EXPECT_EQ(id.target_name, kTarget);
  EXPECT_EQ(id.portal_group_tag, 7);
  EXPECT_EQ(id.relative_port, 1);  // SPC-4: relative port identifier 0 is reserved
}

TEST(TargetPortName, IsNameCommaTCommaHexTag) {
  // RFC 3720 §3.4.2: iSCSI name + ",t,0x" + TPGT in hex.
  EXPECT_EQ(target_port_name("iqn.x", 1), "iqn.x,t,0x0001");
  EXPECT_EQ(target_port_name("iqn.x", 0xbeef), "iqn.x,t,0xbeef");
}

}  // namespace
}  // namespace iscsi::scsi
