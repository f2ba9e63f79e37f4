// One iSCSI connection on the target side, sans-I/O: bytes in (receive),
// bytes out (pending_output/consume_output), a deadline for timers, and a
// close request. It runs the login phase (login.h) and then the full feature
// phase: the CmdSN window (§3.2.2.1), SCSI commands with immediate,
// unsolicited and solicited data (§3.2.4), Data-In and status (§10.4,
// §10.7), NOP (§10.18, §10.19), text negotiation and SendTargets (§10.10,
// Appendix D), task management (§10.5), logout (§10.14) and Reject (§10.17).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "negotiation/negotiator.h"
#include "session/login.h"
#include "session/session_table.h"
#include "session/target_config.h"
#include "session/write_transfer.h"
#include "wire/framer.h"
#include "wire/pdu.h"
#include "wire/text.h"

namespace iscsi::session {

class TargetConnection {
 public:
  using Clock = std::chrono::steady_clock;
  using TimePoint = Clock::time_point;

  enum class Phase : std::uint8_t { Login, FullFeature, Closed };

  // `wake` is called, from any thread, when request_close() was called so
  // the owner's event loop looks at the connection again.
  TargetConnection(const TargetConfig& config, SessionTable& sessions, TimePoint now,
                   std::function<void()> wake = {});
  ~TargetConnection();
  TargetConnection(const TargetConnection&) = delete;
  TargetConnection& operator=(const TargetConnection&) = delete;

  void receive(wire::ByteView bytes, TimePoint now);
  void on_timer(TimePoint now);
  std::optional<TimePoint> next_deadline() const;

  // Bytes waiting to be sent; the owner writes them and calls consume_output().
  wire::ByteView pending_output() const;
  void consume_output(std::size_t n);

  // True once the connection must be closed after its pending output is sent.
  bool wants_close() const;
  const std::string& close_reason() const { return close_reason_; }
  Phase phase() const { return phase_; }

  // From any thread: close (session reinstatement, target shutdown).
  void request_close();
  // Target shutdown: ask the initiator to log out within `wait` (§10.9.1
  // AsyncEvent 1), closing the connection if it has not by then.
  void request_logout(std::chrono::seconds wait, TimePoint now);

 private:
  struct WriteTask {
    wire::ScsiCommand command;  // without its data segment
    wire::Bytes cdb;
    ScsiPlan plan;
    std::uint32_t read_capacity = 0;
    WriteTransfer transfer;
    // Set once a Data-Out error ended the task: the ASC/ASCQ of its CHECK
    // CONDITION, sent when the last expected Data-Out arrives (§10.17.1).
    std::optional<std::pair<std::uint8_t, std::uint8_t>> failed;
  };
  // A command whose status follows when the logical unit completes the
  // operation it started (ScsiOutcome::deferred).
  struct DeferredTask {
    wire::ScsiCommand command;  // without its data segment
    ScsiPlan plan;
    std::uint32_t read_capacity = 0;
    std::uint32_t r2ts_sent = 0;
    ScsiOutcome::Deferred wait;
  };

  void close(std::string reason);
  void handle_frame(const wire::Frame& frame);
  void handle_login_frame(const wire::Frame& frame);
  void enter_full_feature();
  void handle_pdu(wire::Pdu pdu, const wire::Frame& frame);
  // `header` is the PDU's BHS as received, or empty when it is not at hand.
  void deliver_in_order(wire::Pdu pdu, std::uint32_t cmd_sn, bool immediate, wire::ByteView header);
  void deliver_queued();
  void execute(wire::Pdu pdu, wire::ByteView received_header);

  void on_nop_out(const wire::NopOut& nop, wire::ByteView header);
  void on_scsi_command(wire::ScsiCommand cmd, wire::ByteView header);
  void on_data_out(const wire::ScsiDataOut& data, wire::ByteView header);
  void on_task_management(const wire::TaskManagementRequest& tmf);
  void on_text(const wire::TextRequest& text, wire::ByteView header);
  void on_logout(const wire::LogoutRequest& logout, wire::ByteView header);

  void send_r2ts(WriteTask& task);
  void finish_task(std::uint32_t itt, WriteTask& task);
  // `advance`: tell the logical units the time first (false when plan()
  // just did, at the same time).
  void complete_command(const wire::ScsiCommand& cmd, wire::ByteView cdb, const ScsiPlan& plan,
                        wire::ByteView data_out, std::uint32_t read_capacity,
                        std::uint32_t r2ts_sent, bool advance);
  void send_outcome(const wire::ScsiCommand& cmd, const ScsiPlan& plan, ScsiOutcome outcome,
                    std::uint32_t read_capacity, std::uint32_t r2ts_sent);
  void poll_deferred();
  // Drops the deferred commands of `lun` (all without one) unanswered.
  void forget_deferred(std::optional<std::uint64_t> lun);
  // The session is over (logout or teardown): its deferred commands are
  // dropped and, unless a newer session of the initiator port carries it
  // on, its I_T nexus is lost. Once.
  void end_session();
  void respond_early(const wire::ScsiCommand& cmd, const ScsiOutcome& outcome);
  void terminate_task(std::uint32_t itt, std::uint8_t asc, std::uint8_t ascq);
  void fail_task(std::uint32_t itt, const wire::ScsiDataOut& data, std::uint8_t asc,
                 std::uint8_t ascq);

  void send(wire::Pdu pdu);
  void reject(wire::RejectReason reason, wire::ByteView header);
  template <class T>
  void stamp(T& pdu, bool advance_stat_sn);

  const TargetConfig& config_;
  SessionTable& sessions_;
  std::function<void()> wake_;
  std::shared_ptr<std::atomic<bool>> close_flag_;
  Phase phase_ = Phase::Login;
  std::string close_reason_;
  bool closing_ = false;
  bool session_ended_ = false;

  wire::Framer framer_;
  wire::Bytes out_;
  std::size_t out_sent_ = 0;
  wire::DigestSettings digests_;

  std::unique_ptr<TargetLogin> login_;
  TimePoint login_deadline_;

  // Full feature phase.
  LoginResult session_;
  ScsiPort* scsi_ = nullptr;
  std::unique_ptr<negotiation::Negotiator> negotiator_;
  std::uint32_t exp_cmd_sn_ = 0;
  std::uint32_t stat_sn_ = 0;
  std::map<std::uint32_t, wire::Pdu> queued_;  // in-window commands waiting for a CmdSN gap
  std::set<std::uint32_t> aborted_cmd_sns_;    // queued commands ABORT TASK removed
  std::map<std::uint32_t, WriteTask> tasks_;   // write commands waiting for Data-Out
  std::set<std::uint32_t> terminated_;         // ITTs whose remaining Data-Out is discarded
  std::uint32_t next_ttt_ = 1;
  std::map<std::uint32_t, DeferredTask> deferred_;  // by ITT
  TimePoint now_;  // the time of the latest receive() or on_timer()

  // Text negotiation in full feature phase.
  wire::text::Assembler text_assembler_;
  std::optional<std::uint32_t> text_itt_;
  std::deque<wire::Bytes> text_pending_;
  std::uint32_t text_ttt_ = wire::kReservedTag;

  // Target-initiated NOP-In ping.
  std::optional<std::uint32_t> ping_ttt_;
  TimePoint ping_deadline_;
  TimePoint next_ping_;
  bool logout_requested_ = false;
  TimePoint logout_deadline_;
};

}  // namespace iscsi::session
