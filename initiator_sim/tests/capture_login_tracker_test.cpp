#include <gtest/gtest.h>

#include "capture/login_tracker.h"
#include "tests/capture_test_support.h"

namespace iscsi::capture {
namespace {

using Event = LoginTracker::Event;

TEST(SplitKeyValues, PairsAndTheContinuingFragment) {
  const wire::Bytes data = test::cat(test::keys({"A=1", "B=two=2"}), wire::Bytes{'C', '=', 'x'});
  std::string fragment;
  const auto kv = split_key_values(data, &fragment);
  ASSERT_EQ(kv.size(), 2u);
  EXPECT_EQ(kv[0].key, "A");
  EXPECT_EQ(kv[0].value, "1");
  EXPECT_EQ(kv[1].key, "B");
  EXPECT_EQ(kv[1].value, "two=2");  // §5.1: the value is everything after the first '='
  EXPECT_EQ(fragment, "C=x");
  const auto odd = split_key_values(wire::Bytes{'n', 'o', 'e', 'q', 0}, nullptr);
  ASSERT_EQ(odd.size(), 1u);
  EXPECT_EQ(odd[0].key, "noeq");
  EXPECT_EQ(odd[0].value, "");
}

TEST(LoginTracker, DigestsAreTheTargetsAnswers) {
  LoginTracker t;
  std::string problem;
  EXPECT_EQ(t.observe(test::login_request(
                          test::keys({"HeaderDigest=CRC32C,None", "DataDigest=CRC32C,None",
                                      "MaxRecvDataSegmentLength=65536"})),
                      true, &problem),
            Event::None);
  EXPECT_FALSE(t.complete());
  EXPECT_EQ(t.observe(test::login_response(test::keys({"HeaderDigest=CRC32C", "DataDigest=None",
                                                       "MaxRecvDataSegmentLength=262144"})),
                      true, &problem),
            Event::LoginComplete);
  EXPECT_TRUE(problem.empty()) << problem;
  EXPECT_TRUE(t.complete());
  EXPECT_TRUE(t.header_digest());
  EXPECT_FALSE(t.data_digest());
  EXPECT_EQ(t.initiator_max_recv_data_segment_length(), 65536u);
  EXPECT_EQ(t.target_max_recv_data_segment_length(), 262144u);
  EXPECT_EQ(t.session_type(), "Normal");
}

TEST(LoginTracker, AnOfferWithoutAnswerIsNotNegotiated) {
  LoginTracker t;
  t.observe(test::login_request(test::keys({"HeaderDigest=CRC32C"})), true, nullptr);
  t.observe(test::login_response(test::keys({"TargetPortalGroupTag=1"})), true, nullptr);
  // §12.1: the default is None.
  EXPECT_FALSE(t.header_digest());
  EXPECT_EQ(t.initiator_max_recv_data_segment_length(), 8192u);  // §12.12 default
}

TEST(LoginTracker, TargetOfferAnsweredByTheInitiator) {
  LoginTracker t;
  t.observe(test::login_request(test::keys({"InitiatorName=iqn.a"}), false), true, nullptr);
  t.observe(test::login_response(test::keys({"DataDigest=CRC32C,None"}), false), true, nullptr);
  t.observe(test::login_request(test::keys({"DataDigest=CRC32C"})), true, nullptr);
  EXPECT_EQ(t.observe(test::login_response({}), true, nullptr), Event::LoginComplete);
  EXPECT_TRUE(t.data_digest());
}

TEST(LoginTracker, TextSpreadOverPdusWithTheContinueBit) {
  LoginTracker t;
  const wire::Bytes text = test::keys({"HeaderDigest=CRC32C", "SessionType=Discovery"});
  auto first = test::login_request(wire::Bytes(text.begin(), text.begin() + 9), false);
  first.continue_ = true;
  first.transit = false;
  t.observe(first, true, nullptr);
  t.observe(test::login_request(wire::Bytes(text.begin() + 9, text.end())), true, nullptr);
  t.observe(test::login_response(test::keys({"HeaderDigest=CRC32C"})), true, nullptr);
  EXPECT_TRUE(t.header_digest());
  EXPECT_EQ(t.session_type(), "Discovery");
}

TEST(LoginTracker, FailedLogin) {
  LoginTracker t;
  auto r = test::login_response({}, false);
  r.status_class = 2;
  r.status_detail = 1;
  EXPECT_EQ(t.observe(r, true, nullptr), Event::LoginFailed);
  EXPECT_FALSE(t.complete());
}

TEST(LoginTracker, TransitToOperationalStageIsNotTheEnd) {
  LoginTracker t;
  auto r = test::login_response({}, true);
  r.csg = 0;
  r.nsg = 1;  // security -> operational negotiation
  EXPECT_EQ(t.observe(r, true, nullptr), Event::None);
  EXPECT_FALSE(t.complete());
}

TEST(LoginTracker, TextNegotiationChangesTheDeclaredLimit) {
  LoginTracker t;
  t.observe(test::login_request({}), true, nullptr);
  t.observe(test::login_response({}), true, nullptr);
  wire::TextRequest req;
  req.data = test::keys({"MaxRecvDataSegmentLength=16384"});
  t.observe(req, true, nullptr);
  EXPECT_EQ(t.initiator_max_recv_data_segment_length(), 16384u);
  wire::TextResponse resp;
  resp.data = test::keys({"MaxRecvDataSegmentLength=100"});  // below the 512 minimum: not believed
  t.observe(resp, true, nullptr);
  EXPECT_EQ(t.target_max_recv_data_segment_length(), 8192u);
}

TEST(LoginTracker, PartlyCapturedTextIsNotUsed) {
  LoginTracker t;
  std::string problem;
  t.observe(test::login_request(test::keys({"HeaderDigest=CRC32C"})), false, &problem);
  EXPECT_FALSE(problem.empty());
  t.observe(test::login_response(test::keys({"HeaderDigest=CRC32C"})), true, nullptr);
  EXPECT_FALSE(t.header_digest());
}

}  // namespace
}  // namespace iscsi::capture
