// The target side of the login phase of one connection (RFC 3720 §5.3,
// §10.12, §10.13): checks every Login Request, negotiates through the shared
// engine, answers with Login Responses, and on success binds the connection
// to a new session. Sans-I/O: PDUs in, PDUs out.
//
// Authentication (§5.3, §11): when the session requires CHAP (the target's
// settings for a normal session, the discovery settings for a discovery
// session), the login stays in the SecurityNegotiation stage until the CHAP
// exchange has authenticated the initiator. A login that starts in the
// operational stage, tries to leave the security stage early, or never
// selects CHAP ends with 0x0201; an initiator outside the target's ACL
// ends with 0x0202.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "negotiation/negotiator.h"
#include "negotiation/status.h"
#include "session/chap_authenticator.h"
#include "session/session_table.h"
#include "session/target_config.h"
#include "wire/pdu.h"
#include "wire/text.h"

namespace iscsi::session {

// The iSCSI version this target speaks (§10.12.4: 0x00 for RFC 3720).
constexpr std::uint8_t kIscsiVersion = 0x00;

struct LoginResult {
  negotiation::NegotiatedParameters params;
  const TargetNode* node = nullptr;  // null for discovery sessions
  std::uint16_t tsih = 0;
  std::uint64_t nexus_id = 0;
  wire::Isid isid;
  std::uint16_t cid = 0;
  std::uint32_t exp_cmd_sn = 0;    // the next CmdSN expected in full feature phase
  std::uint32_t next_stat_sn = 0;  // the StatSN of the first full-feature response
};

class TargetLogin {
 public:
  struct Step {
    std::vector<wire::Pdu> responses;
    bool close = false;     // send the responses, then close the connection
    bool complete = false;  // the last response moved the connection to full feature phase
  };

  // `close_session` is what reinstatement calls on the session this login
  // creates (it must close this connection, from any thread).
  TargetLogin(const TargetConfig& config, SessionTable& sessions,
              std::function<void()> close_session);

  Step on_request(const wire::LoginRequest& request);
  // §5.3 / §10.13.5: any other PDU during login ends it with 0x020B.
  Step on_other_pdu(std::uint32_t initiator_task_tag);

  // Valid once a Step reported `complete`.
  const LoginResult& result() const { return result_; }
  // The engine, for text negotiation in full feature phase.
  std::unique_ptr<negotiation::Negotiator> take_negotiator() { return std::move(negotiator_); }
  // The reason of the last failure, for logs: the status, the initiator's
  // name when known, and why. Never a secret, challenge or response.
  const std::string& failure() const { return failure_; }
  // The status the failed login was answered with.
  negotiation::LoginStatus failure_status() const { return failure_status_; }

 private:
  Step fail(negotiation::LoginStatus status, std::string why, const wire::LoginRequest* request);
  Step process_text(const wire::LoginRequest& request, std::vector<wire::text::KeyValue> pairs);
  std::optional<negotiation::LoginStatus> check_header(const wire::LoginRequest& request,
                                                       std::string& why);
  std::optional<negotiation::LoginStatus> bind_target(
      const std::vector<wire::text::KeyValue>& pairs, std::string& why);
  wire::LoginResponse response_to(const wire::LoginRequest& request);
  Step respond_with_text(wire::LoginResponse response, const wire::Bytes& text);
  negotiation::Context context() const;
  std::optional<negotiation::LoginStatus> check_budget(const wire::LoginRequest& request,
                                                       std::string& why);
  std::optional<negotiation::LoginStatus> authenticate(
      const std::vector<wire::text::KeyValue>& pairs, std::vector<wire::text::KeyValue>& reply,
      std::string& why);

  const TargetConfig& config_;
  SessionTable& sessions_;
  std::function<void()> close_session_;
  std::unique_ptr<negotiation::Negotiator> negotiator_;
  wire::text::Assembler assembler_;

  bool started_ = false;
  bool failed_ = false;
  wire::Isid isid_;
  std::uint16_t tsih_ = 0;
  std::uint16_t cid_ = 0;
  std::uint32_t cmd_sn_ = 0;
  std::uint32_t stat_sn_ = 0;
  negotiation::Stage stage_ = negotiation::Stage::SecurityNegotiation;
  negotiation::SessionType session_type_ = negotiation::SessionType::Normal;
  const TargetNode* node_ = nullptr;
  std::string initiator_name_;
  // The authentication this login must pass (set with the target).
  const AuthSettings* auth_ = nullptr;
  std::unique_ptr<ChapAuthenticator> chap_;
  bool authenticated_ = false;
  // What the login has consumed of its budget (TargetLimits).
  std::size_t requests_ = 0;
  std::size_t bytes_ = 0;
  std::size_t keys_ = 0;
  // Segments of a response text longer than the initiator's
  // MaxRecvDataSegmentLength, sent one per empty Login Request (C bit).
  std::deque<wire::Bytes> pending_segments_;
  LoginResult result_;
  std::string failure_;
  negotiation::LoginStatus failure_status_ = negotiation::LoginStatus::Success;
};

}  // namespace iscsi::session
