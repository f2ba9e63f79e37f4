// Login status codes, RFC 3720 §10.13.5, and the status each error maps to.
#include "negotiation/status.h"

#include <gtest/gtest.h>

namespace iscsi::negotiation {
namespace {

TEST(StatusTest, ClassAndDetailAreTheRfcs) {
  EXPECT_EQ(status_class(LoginStatus::Success), 0x00);
  EXPECT_EQ(status_class(LoginStatus::TargetMovedTemporarily), 0x01);
  EXPECT_EQ(status_detail(LoginStatus::TargetMovedPermanently), 0x02);
  EXPECT_EQ(status_class(LoginStatus::InitiatorError), 0x02);
  EXPECT_EQ(status_detail(LoginStatus::InitiatorError), 0x00);
  EXPECT_EQ(status_detail(LoginStatus::AuthenticationFailure), 0x01);
  EXPECT_EQ(status_detail(LoginStatus::AuthorizationFailure), 0x02);
  EXPECT_EQ(status_detail(LoginStatus::NotFound), 0x03);
  EXPECT_EQ(status_detail(LoginStatus::TargetRemoved), 0x04);
  EXPECT_EQ(status_detail(LoginStatus::UnsupportedVersion), 0x05);
  EXPECT_EQ(status_detail(LoginStatus::TooManyConnections), 0x06);
  EXPECT_EQ(status_detail(LoginStatus::MissingParameter), 0x07);
  EXPECT_EQ(status_detail(LoginStatus::CantIncludeInSession), 0x08);
  EXPECT_EQ(status_detail(LoginStatus::SessionTypeNotSupported), 0x09);
  EXPECT_EQ(status_detail(LoginStatus::SessionDoesNotExist), 0x0a);
  EXPECT_EQ(status_detail(LoginStatus::InvalidDuringLogin), 0x0b);
  EXPECT_EQ(status_class(LoginStatus::TargetError), 0x03);
  EXPECT_EQ(status_detail(LoginStatus::ServiceUnavailable), 0x01);
  EXPECT_EQ(status_detail(LoginStatus::OutOfResources), 0x02);
}

TEST(StatusTest, ErrorsMapToTheRfcsStatus) {
  // §5.3: renegotiation -> "Login reject (initiator error)".
  EXPECT_EQ(status_for(Errc::RepeatedKey), LoginStatus::InitiatorError);
  EXPECT_EQ(status_for(Errc::WrongStage), LoginStatus::InitiatorError);
  EXPECT_EQ(status_for(Errc::NotLeadingConnection), LoginStatus::InitiatorError);
  EXPECT_EQ(status_for(Errc::WrongSender), LoginStatus::InitiatorError);
  EXPECT_EQ(status_for(Errc::ReservedValueOffered), LoginStatus::InitiatorError);
  EXPECT_EQ(status_for(Errc::InvalidDeclaration), LoginStatus::InitiatorError);
  EXPECT_EQ(status_for(Errc::InvalidAnswer), LoginStatus::InitiatorError);
  // §10.13.5: 0x0207 "Missing parameter", 0x0209 "Session type not supported".
  EXPECT_EQ(status_for(Errc::MissingKey), LoginStatus::MissingParameter);
  EXPECT_EQ(status_for(Errc::UnsupportedSessionType), LoginStatus::SessionTypeNotSupported);
  // §11.1.4: authentication failure.
  EXPECT_EQ(status_for(Errc::InvalidAuthValue), LoginStatus::AuthenticationFailure);
  // A resource bound of the target: "Out of resources".
  EXPECT_EQ(status_for(Errc::TooManyNotUnderstood), LoginStatus::OutOfResources);
}

TEST(StatusTest, MakeErrorCarriesTheMapping) {
  const NegotiationError e = make_error(Errc::MissingKey, "TargetName", "absent");
  EXPECT_EQ(e.code, Errc::MissingKey);
  EXPECT_EQ(e.status, LoginStatus::MissingParameter);
  EXPECT_EQ(e.key, "TargetName");
  EXPECT_EQ(e.detail, "absent");
}

TEST(StatusTest, Names) {
  EXPECT_EQ(login_status_name(LoginStatus::MissingParameter), "Missing parameter");
  EXPECT_EQ(errc_name(Errc::TooManyNotUnderstood), "TooManyNotUnderstood");
  EXPECT_EQ(login_status_name(static_cast<LoginStatus>(0x0999)), "Unknown");
}

}  // namespace
}  // namespace iscsi::negotiation
