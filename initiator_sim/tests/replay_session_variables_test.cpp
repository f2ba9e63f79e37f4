#include <gtest/gtest.h>

#include "replay/session_variables.h"
#include "session/chap_crypto.h"
#include "session/chap_value.h"
#include "wire/text.h"

namespace iscsi::replay {
namespace {

TEST(SessionVariables, ExpStatSnAcknowledgesTheLiveCounterpart) {
  SessionVariables v;
  // Nothing learned: the first Login Request's ExpStatSN is sent as captured.
  EXPECT_EQ(v.exp_stat_sn(17), 17u);
  v.learn_stat_sn(100, 5000);
  v.learn_stat_sn(101, 5001);
  EXPECT_EQ(v.exp_stat_sn(101), 5001u);  // acknowledges recorded 100
  EXPECT_EQ(v.exp_stat_sn(102), 5002u);
  // Past what was learned: the last pair's offset carries on.
  EXPECT_EQ(v.exp_stat_sn(110), 5010u);
  EXPECT_EQ(v.expected_stat_sn(105), 5005u);
}

TEST(SessionVariables, StatSnOffsetWrapsInSerialArithmetic) {
  SessionVariables v;
  v.learn_stat_sn(0xfffffffe, 3);
  EXPECT_EQ(v.expected_stat_sn(0xffffffff), 4u);
  EXPECT_EQ(v.expected_stat_sn(0), 5u);
}

TEST(SessionVariables, DataOutTakesTheLiveR2tsTag) {
  SessionVariables v;
  v.learn_ttt(0x1000, 0x77);
  wire::Pdu pdu = wire::ScsiDataOut{};
  std::get<wire::ScsiDataOut>(pdu).target_transfer_tag = 0x1000;
  std::string why;
  ASSERT_TRUE(v.rewrite(pdu, {}, {}, why));
  EXPECT_EQ(std::get<wire::ScsiDataOut>(pdu).target_transfer_tag, 0x77u);
}

TEST(SessionVariables, UnsolicitedDataKeepsTheReservedTag) {
  SessionVariables v;
  wire::Pdu pdu = wire::ScsiDataOut{};  // TTT 0xffffffff (§10.7.4)
  std::string why;
  ASSERT_TRUE(v.rewrite(pdu, {}, {}, why));
  EXPECT_EQ(std::get<wire::ScsiDataOut>(pdu).target_transfer_tag, wire::kReservedTag);
}

TEST(SessionVariables, AnswerToAPingNeverSentIsNotSent) {
  SessionVariables v;
  wire::NopOut answer;
  answer.target_transfer_tag = 0x42;
  answer.initiator_task_tag = wire::kReservedTag;
  wire::Pdu pdu = answer;
  std::string why;
  EXPECT_FALSE(v.rewrite(pdu, {}, {}, why));
  EXPECT_NE(why.find("did not send"), std::string::npos);
}

TEST(SessionVariables, LoginTsihAndTargetNameAreMapped) {
  SessionVariables v;
  wire::LoginRequest req;
  req.tsih = 12;
  req.data = wire::text::encode({{"InitiatorName", "iqn.x"}, {"TargetName", "iqn.recorded"}});
  wire::Pdu pdu = req;
  RewriteRules rules;
  rules.target_name = "iqn.live";
  std::string why;
  ASSERT_TRUE(v.rewrite(pdu, rules, {{12, 0x301}}, why));
  const auto& out = std::get<wire::LoginRequest>(pdu);
  EXPECT_EQ(out.tsih, 0x301);
  auto keys = wire::text::parse(out.data);
  ASSERT_TRUE(keys);
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].value, "iqn.x");
  EXPECT_EQ((*keys)[1].value, "iqn.live");
}

TEST(SessionVariables, ChapResponseAnswersTheLiveChallenge) {
  SessionVariables v;
  v.learn_challenge({{"CHAP_A", "5"}, {"CHAP_I", "7"}, {"CHAP_C", "0x00112233"}});
  wire::LoginRequest req;
  req.data = wire::text::encode({{"CHAP_N", "recorded-user"}, {"CHAP_R", "0xdeadbeef"}});
  wire::Pdu pdu = req;
  RewriteRules rules;
  rules.chap = session::ChapCredentials{"alice", "alice-secret-12"};
  std::string why;
  ASSERT_TRUE(v.rewrite(pdu, rules, {}, why));
  auto keys = wire::text::parse(std::get<wire::LoginRequest>(pdu).data);
  ASSERT_TRUE(keys);
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].value, "alice");
  // RFC 1994: MD5 over the identifier, the secret and the challenge.
  const wire::Bytes challenge{0x00, 0x11, 0x22, 0x33};
  const auto wanted = session::chap::md5_response(7, "alice-secret-12", challenge);
  ASSERT_TRUE(wanted);
  EXPECT_EQ((*keys)[1].value, session::chap::encode_binary(*wanted));
}

TEST(NegotiationOutcome, TargetAnswersToNegotiatedKeysOnly) {
  const auto outcome = negotiation_outcome(
      {{{"TargetPortalGroupTag", "1"}, {"InitialR2T", "Yes"}, {"MaxBurstLength", "Reject"}},
       {{"FirstBurstLength", "65536"}, {"MaxRecvDataSegmentLength", "8192"}}});
  const std::map<std::string, std::string> want{{"FirstBurstLength", "65536"},
                                                {"InitialR2T", "Yes"}};
  EXPECT_EQ(outcome, want);  // declarative keys and non-answers left out
}

TEST(NegotiationOutcome, OffersThatForceTheOutcomeAreReplaced) {
  std::vector<wire::text::KeyValue> offers{{"InitialR2T", "No"},             // OR: Yes forces Yes
                                           {"ImmediateData", "Yes"},         // AND: No forces No
                                           {"FirstBurstLength", "262144"},   // min
                                           {"DefaultTime2Wait", "0"},        // max
                                           {"HeaderDigest", "CRC32C,None"},  // list
                                           {"MaxRecvDataSegmentLength", "262144"},  // declarative
                                           {"InitiatorName", "iqn.x"}};
  const std::map<std::string, std::string> outcome{
      {"InitialR2T", "Yes"},     {"ImmediateData", "No"},  {"FirstBurstLength", "65536"},
      {"DefaultTime2Wait", "2"}, {"HeaderDigest", "None"}, {"MaxRecvDataSegmentLength", "8192"}};
  ASSERT_TRUE(adopt_outcome(offers, outcome));
  EXPECT_EQ(offers[0].value, "Yes");
  EXPECT_EQ(offers[1].value, "No");
  EXPECT_EQ(offers[2].value, "65536");
  EXPECT_EQ(offers[3].value, "2");
  EXPECT_EQ(offers[4].value, "None");
  EXPECT_EQ(offers[5].value, "262144");  // the initiator's own declaration stays
  EXPECT_EQ(offers[6].value, "iqn.x");
  EXPECT_FALSE(adopt_outcome(offers, outcome));  // nothing left to change
}

TEST(SessionVariables, LunsAreRenumberedInTheirAddressingMethod) {
  const std::map<std::uint16_t, std::uint16_t> luns{{1, 0}, {2, 300}};
  EXPECT_EQ(map_lun(0x0001000000000000ull, luns), 0u);                     // peripheral LUN 1 -> 0
  EXPECT_EQ(map_lun(0x0002000000000000ull, luns), 0x412c000000000000ull);  // 300: flat space
  EXPECT_EQ(map_lun(0x0005000000000000ull, luns), 0x0005000000000000ull);  // not mapped
  EXPECT_EQ(map_lun(0x0001000000000000ull, {}), 0x0001000000000000ull);
  wire::Pdu pdu = wire::ScsiCommand{};
  std::get<wire::ScsiCommand>(pdu).lun = 0x0001000000000000ull;
  SessionVariables v;
  std::string why;
  RewriteRules rules;
  rules.luns = luns;
  ASSERT_TRUE(v.rewrite(pdu, rules, {}, why));
  EXPECT_EQ(std::get<wire::ScsiCommand>(pdu).lun, 0u);
}

}  // namespace
}  // namespace iscsi::replay
