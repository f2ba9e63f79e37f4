// The typed results and their defaults (RFC 3720 §12, Appendix A).
#include "negotiation/results.h"

#include <gtest/gtest.h>

namespace iscsi::negotiation {
namespace {

TEST(ResultsTest, DefaultsAreTheRfcs) {
  const NegotiatedParameters p;
  EXPECT_EQ(p.session_type, SessionType::Normal);
  EXPECT_EQ(p.auth_method, "None");
  EXPECT_EQ(p.header_digest, Digest::None);
  EXPECT_EQ(p.data_digest, Digest::None);
  EXPECT_EQ(p.max_connections, 1);
  EXPECT_TRUE(p.initial_r2t);
  EXPECT_TRUE(p.immediate_data);
  EXPECT_EQ(p.max_recv_data_segment_length_local, 8192u);
  EXPECT_EQ(p.max_recv_data_segment_length_peer, 8192u);
  EXPECT_EQ(p.max_burst_length, 262144u);
  EXPECT_EQ(p.first_burst_length, 65536u);
  EXPECT_EQ(p.default_time2wait, 2);
  EXPECT_EQ(p.default_time2retain, 20);
  EXPECT_EQ(p.max_outstanding_r2t, 1);
  EXPECT_TRUE(p.data_pdu_in_order);
  EXPECT_TRUE(p.data_sequence_in_order);
  EXPECT_EQ(p.error_recovery_level, 0);
  EXPECT_FALSE(p.target_portal_group_tag.has_value());
  EXPECT_FALSE(p.of_marker);
  EXPECT_FALSE(p.if_marker);
  EXPECT_EQ(p.of_mark_int, 2048);
  EXPECT_EQ(p.if_mark_int, 2048);
}

TEST(ResultsTest, ApplyEveryTypedKey) {
  NegotiatedParameters p;
  EXPECT_TRUE(apply_value(p, Key::AuthMethod, "CHAP", false));
  EXPECT_TRUE(apply_value(p, Key::HeaderDigest, "CRC32C", false));
  EXPECT_TRUE(apply_value(p, Key::DataDigest, "CRC32C", false));
  EXPECT_TRUE(apply_value(p, Key::MaxConnections, "4", false));
  EXPECT_TRUE(apply_value(p, Key::InitialR2T, "No", false));
  EXPECT_TRUE(apply_value(p, Key::ImmediateData, "No", false));
  EXPECT_TRUE(apply_value(p, Key::MaxRecvDataSegmentLength, "262144", false));
  EXPECT_TRUE(apply_value(p, Key::MaxRecvDataSegmentLength, "65536", true));
  EXPECT_TRUE(apply_value(p, Key::MaxBurstLength, "1048576", false));
  EXPECT_TRUE(apply_value(p, Key::FirstBurstLength, "0x40000", false));
  EXPECT_TRUE(apply_value(p, Key::DefaultTime2Wait, "0", false));
  EXPECT_TRUE(apply_value(p, Key::DefaultTime2Retain, "3600", false));
  EXPECT_TRUE(apply_value(p, Key::MaxOutstandingR2T, "16", false));
  EXPECT_TRUE(apply_value(p, Key::DataPDUInOrder, "No", false));
  EXPECT_TRUE(apply_value(p, Key::DataSequenceInOrder, "No", false));
  EXPECT_TRUE(apply_value(p, Key::ErrorRecoveryLevel, "2", false));
  EXPECT_TRUE(apply_value(p, Key::SessionType, "Discovery", true));
  EXPECT_TRUE(apply_value(p, Key::InitiatorName, "iqn.1992-04.com.os-vendor.plan9:cdrom.1", true));
  EXPECT_TRUE(apply_value(p, Key::TargetName, "eui.020000023b040506", true));
  EXPECT_TRUE(apply_value(p, Key::InitiatorAlias, "Web Server 4", true));
  EXPECT_TRUE(apply_value(p, Key::TargetAlias, "Bob-s Disk", true));
  EXPECT_TRUE(apply_value(p, Key::TargetPortalGroupTag, "1", true));
  EXPECT_TRUE(apply_value(p, Key::OFMarker, "Yes", false));
  EXPECT_TRUE(apply_value(p, Key::IFMarker, "Yes", false));
  EXPECT_TRUE(apply_value(p, Key::OFMarkInt, "1024", false));
  EXPECT_TRUE(apply_value(p, Key::IFMarkInt, "4096", false));

  EXPECT_EQ(p.auth_method, "CHAP");
  EXPECT_EQ(p.header_digest, Digest::Crc32c);
  EXPECT_EQ(p.data_digest, Digest::Crc32c);
  EXPECT_EQ(p.max_connections, 4);
  EXPECT_FALSE(p.initial_r2t);
  EXPECT_FALSE(p.immediate_data);
  EXPECT_EQ(p.max_recv_data_segment_length_local, 262144u);
  EXPECT_EQ(p.max_recv_data_segment_length_peer, 65536u);
  EXPECT_EQ(p.max_burst_length, 1048576u);
  EXPECT_EQ(p.first_burst_length, 262144u);
  EXPECT_EQ(p.default_time2wait, 0);
  EXPECT_EQ(p.default_time2retain, 3600);
  EXPECT_EQ(p.max_outstanding_r2t, 16);
  EXPECT_FALSE(p.data_pdu_in_order);
  EXPECT_FALSE(p.data_sequence_in_order);
  EXPECT_EQ(p.error_recovery_level, 2);
  EXPECT_EQ(p.session_type, SessionType::Discovery);
  EXPECT_EQ(p.initiator_name, "iqn.1992-04.com.os-vendor.plan9:cdrom.1");
  EXPECT_EQ(p.target_name, "eui.020000023b040506");
  EXPECT_EQ(p.initiator_alias, "Web Server 4");
  EXPECT_EQ(p.target_alias, "Bob-s Disk");
  EXPECT_EQ(p.target_portal_group_tag, 1);
  EXPECT_TRUE(p.of_marker);
  EXPECT_TRUE(p.if_marker);
  EXPECT_EQ(p.of_mark_int, 1024);
  EXPECT_EQ(p.if_mark_int, 4096);
}

TEST(ResultsTest, RefusesValuesOutsideTheTable) {
  NegotiatedParameters p;
  EXPECT_FALSE(apply_value(p, Key::MaxBurstLength, "100", false));
  EXPECT_FALSE(apply_value(p, Key::HeaderDigest, "MD5", false));
  EXPECT_FALSE(apply_value(p, Key::InitialR2T, "maybe", false));
  EXPECT_FALSE(apply_value(p, Key::SessionType, "Other", false));
  EXPECT_FALSE(apply_value(p, Key::TargetPortalGroupTag, "65536", false));
  EXPECT_FALSE(apply_value(p, Key::InitiatorName, "bad name", false));
  // Keys without a typed field.
  EXPECT_FALSE(apply_value(p, Key::SendTargets, "All", false));
  EXPECT_FALSE(apply_value(p, Key::CHAP_A, "5", false));
  EXPECT_EQ(p, NegotiatedParameters{});
}

}  // namespace
}  // namespace iscsi::negotiation
