// Runs one scenario against a target and decides its verdict. A failing
// case says which step failed, what was expected and what came back, with
// the bytes.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/initiator_session.h"
#include "scenario/scenario.h"
#include "session/chap_credentials.h"
#include "session/fault.h"

namespace iscsi::sim {

enum class Verdict { Pass, Fail, NotApplicable, Error };
std::string_view verdict_name(Verdict v);

struct CaseResult {
  std::string id;
  Verdict verdict = Verdict::Error;
  std::size_t step = 0;  // 1-based step that decided a non-pass verdict
  std::string message;
  std::vector<WireRecord> exchange;  // the PDUs of the connection that decided it
  double seconds = 0;
};

// The authentication a target is configured with (for --target runs, what
// the user says the live target has; --spawn runs configure the in-process
// target from each case's preconditions with harness_auth()).
struct AuthSpec {
  std::optional<session::ChapCredentials> chap;              // initiator, normal sessions
  std::optional<session::ChapCredentials> mutual;            // target, normal sessions
  std::optional<session::ChapCredentials> discovery_chap;    // initiator, discovery sessions
  std::optional<session::ChapCredentials> discovery_mutual;  // target, discovery sessions
  bool acl = false;  // the target admits only the harness's InitiatorName
};

// The harness's own credentials for in-process targets: every secret is
// distinct and at least 12 bytes (RFC 3720 §8.2.1).
AuthSpec harness_auth();

// The InitiatorName the harness logs in with.
inline constexpr std::string_view kHarnessInitiatorName = "iqn.2025-12.local:iscsi-sim";

// Where the cases run: a portal reached over TCP, or the reference target in
// this process (a fresh one per case).
struct TargetSpec {
  std::string host = "127.0.0.1";
  std::uint16_t port = 3260;
  std::string iqn = "iqn.2025-12.local:storage.disk1";
  std::uint64_t lun = 0;
  bool in_process = false;
  std::chrono::milliseconds timeout{2000};  // default wait for an expected answer
  AuthSpec auth;                            // for --target runs
  // Rules the in-process target breaks on purpose (conformance/fault_injection.json).
  session::FaultSet faults;
};

using TransportFactory = std::function<std::unique_ptr<Transport>(std::string& error)>;

class Runner {
 public:
  explicit Runner(TargetSpec target);
  CaseResult run(const Scenario& scenario);

  // Observes every byte of every connection (for --pcap): (connection, to_target, bytes).
  void set_tap(std::function<void(int, bool, wire::ByteView)> tap) { tap_ = std::move(tap); }

 private:
  TargetSpec target_;
  std::function<void(int, bool, wire::ByteView)> tap_;
  int connections_opened_ = 0;
};

}  // namespace iscsi::sim
