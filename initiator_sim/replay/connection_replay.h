// One connection of a capture replayed against the live target: sends the
// recorded initiator's PDUs rewritten for the live session, awaits and
// matches the live answers to the recorded ones, and records every
// difference (see replayer.h for the whole picture).
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/initiator_session.h"
#include "replay/capture_script.h"
#include "replay/replayer.h"
#include "replay/session_variables.h"

namespace iscsi::replay {

// State shared by the connections of one replay.
struct ReplayShared {
  const CaptureScript* script = nullptr;
  const ReplayOptions* options = nullptr;
  const Connector* connect = nullptr;
  std::map<std::uint16_t, std::uint16_t> tsih;  // recorded -> live
};

class ConnectionReplay {
 public:
  ConnectionReplay(const ScriptConnection& script, ReplayShared& shared);

  void send(const ScriptPdu& recorded);
  void expect(const ScriptPdu& recorded);
  // One live PDU within `timeout`, kept for finish(); false when none came.
  bool poll(std::chrono::milliseconds timeout);
  // The recorded connection ended here (its TCP connection closed or was
  // reset). The answers the live target still owes for requests sent on it
  // are collected until they came, it closed the connection or sent nothing
  // for `quiet`, within `limit`; then the connection is finished and closed,
  // as it was in the capture, before later PDUs of other connections (a
  // login reinstating its session) are sent.
  void end_as_recorded(std::chrono::milliseconds quiet, std::chrono::milliseconds limit);
  // The capture is over: live PDUs nothing matched are differences. Once.
  void finish();

  ConnectionOutcome& outcome() { return outcome_; }

 private:
  struct LivePdu {
    wire::Pdu pdu;
    std::string summary;
  };
  // A read's Data-In as the live target sent it (by-task comparison).
  struct LiveTask {
    wire::Bytes data;
    std::uint32_t end = 0;  // highest byte offset received
    std::uint64_t live_pdus = 0;
    bool compared = false;          // a recorded Data-In was compared with it
    std::optional<LivePdu> status;  // the Data-In with S=1
    bool status_used = false;
  };
  struct RecordedCommand {
    std::uint8_t opcode = 0;  // CDB byte 0
    std::uint32_t expected_length = 0;
  };

  bool open();
  // One PDU (or the end) from the live target within `timeout`; false when
  // nothing more can come.
  bool pump(std::chrono::milliseconds timeout);
  template <class Pred>
  bool wait_for(Pred ready);
  void absorb(wire::Pdu&& pdu, std::string summary);

  void expect_exchange(const ScriptPdu& recorded);
  void expect_data_in(const ScriptPdu& recorded, const wire::ScsiDataIn& d);
  void expect_status(const ScriptPdu& recorded);
  void compare(const ScriptPdu& recorded, const LivePdu& live);
  void compare_status(const ScriptPdu& recorded, const LivePdu& live);
  void check_live_stat_sn(const wire::Pdu& pdu, const std::string& summary);
  void learn_stat_sn(const ScriptPdu& recorded, const LivePdu& live);
  void learn_login(const ScriptPdu& recorded, const LivePdu& live);

  void differ(const ScriptPdu* recorded, const LivePdu* live, std::string kind, std::string field,
              std::string rec_value, std::string live_value);
  void stop(const ScriptPdu& recorded, std::string kind, std::string why);

  const ScriptConnection& script_;
  ReplayShared& shared_;
  const ReplayOptions& options_;
  ConnectionOutcome outcome_;
  std::unique_ptr<sim::InitiatorSession> session_;
  bool opened_ = false;
  bool stopped_ = false;       // nothing more is sent or awaited
  bool live_closed_ = false;   // the live target closed the connection
  bool finished_ = false;      // finish() ran: nothing more is collected
  std::deque<LivePdu> inbox_;  // live PDUs not matched yet
  std::optional<std::uint32_t> last_live_stat_sn_;
  SessionVariables vars_;
  std::map<std::uint32_t, LiveTask> tasks_;
  std::map<std::uint32_t, RecordedCommand> commands_;  // by ITT
  // ITTs of requests sent live whose answer (status, response or Reject)
  // has not come yet.
  std::set<std::uint32_t> owed_;
  std::map<std::string, std::string> recorded_outcome_;
  std::vector<wire::text::KeyValue> login_sent_;
  std::vector<wire::text::KeyValue> login_answers_;
  // The recorded initiator's own CHAP challenge (mutual CHAP).
  std::optional<std::string> own_chap_i_;
  std::optional<std::string> own_chap_c_;
};

}  // namespace iscsi::replay
