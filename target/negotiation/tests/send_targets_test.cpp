// SendTargets responses, RFC 3720 Appendix D.
#include "negotiation/send_targets.h"

#include <gtest/gtest.h>

namespace iscsi::negotiation {
namespace {

using wire::text::KeyValue;

TEST(SendTargetsTest, ParsesTheAppendixDExample) {
  // Appendix D: two targets, each reachable on two portals.
  const std::vector<KeyValue> text = {
      {"TargetName", "iqn.1993-11.com.acme:diskarray.sn.8675309"},
      {"TargetAddress", "10.1.0.45:3000,1"},
      {"TargetAddress", "10.1.1.45:3000,2"},
      {"TargetName", "iqn.1993-11.com.acme:diskarray.sn.1234567"},
      {"TargetAddress", "10.1.0.45:3000,1"},
      {"TargetAddress", "10.1.1.45:3000,2"},
  };
  const auto r = parse_send_targets_response(text);
  ASSERT_TRUE(r.ok()) << r.error().detail;
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].target_name, "iqn.1993-11.com.acme:diskarray.sn.8675309");
  EXPECT_EQ((*r)[0].addresses, (std::vector<std::string>{"10.1.0.45:3000,1", "10.1.1.45:3000,2"}));
  EXPECT_EQ((*r)[1].target_name, "iqn.1993-11.com.acme:diskarray.sn.1234567");
  EXPECT_EQ(format_send_targets_response(*r), text);
}

TEST(SendTargetsTest, TargetNameAloneAndEmptyResponse) {
  // Appendix D: "All the target had to return in this simple case was the
  // target name"; with no accessible targets the response has no names.
  auto r = parse_send_targets_response({{"TargetName", "iqn.1993-11.com.acme:diskarray.sn.1"}});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE((*r)[0].addresses.empty());
  r = parse_send_targets_response({});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST(SendTargetsTest, Violations) {
  const std::vector<std::vector<KeyValue>> bad = {
      // "A target record begins with the TargetName text key".
      {{"TargetAddress", "10.1.0.45:3000,1"}},
      // "No text keys other than TargetName and TargetAddress are permitted".
      {{"TargetName", "iqn.1993-11.com.acme:a"}, {"TargetAlias", "disk"}},
      // §12.8: within a SendTargets response "the portal group tag MUST be included".
      {{"TargetName", "iqn.1993-11.com.acme:a"}, {"TargetAddress", "10.1.0.45:3000"}},
      {{"TargetName", "iqn.1993-11.com.acme:a"}, {"TargetAddress", "10.1.0.45:x,1"}},
      {{"TargetName", "not-a-name"}},
  };
  for (const auto& text : bad) {
    const auto r = parse_send_targets_response(text);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, Errc::InvalidSendTargetsResponse);
  }
}

}  // namespace
}  // namespace iscsi::negotiation
