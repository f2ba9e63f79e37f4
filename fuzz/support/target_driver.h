// Drives a session::TargetConnection in-process the way an initiator would,
// and checks every PDU the target sends against rules RFC 3720 gives a
// target, whatever the initiator sent before:
//   - the output frames and decodes, with the digests the login negotiated
//     (§12.1), and only target opcodes appear (§10.2.1.2);
//   - no data segment exceeds the initiator's MaxRecvDataSegmentLength
//     (§12.12; 8192 during login);
//   - StatSN advances by one with every status and only then (§3.2.2.2);
//   - MaxCmdSN is never below ExpCmdSN - 1, and ExpCmdSN never goes back in
//     full feature phase (§3.2.2.1);
//   - Data-In: DataSN from 0 without gaps, offsets contiguous, S only with F,
//     sequences within MaxBurstLength (§10.7); R2T: R2TSN from 0 without
//     gaps, a valid TTT, 0 < DesiredDataTransferLength <= MaxBurstLength,
//     within the expected transfer length (§10.8); ExpDataSN of the SCSI
//     Response counts them (§10.4.8); one status per command sent;
//   - a Login Response with T=1 moves to a later stage, a non-zero
//     Status-Class closes the connection (§10.13), a Reject carries the
//     rejected header (§10.17), a Text Response never has C and F both set
//     (§10.11.2);
//   - nothing is sent once the connection asked to be closed.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "ram_scsi_port.h"
#include "session/connection.h"
#include "session/session_table.h"
#include "session/target_config.h"
#include "wire/framer.h"
#include "wire/pdu.h"

namespace iscsi::fuzz {

inline constexpr char kTargetName[] = "iqn.2025-12.local:fuzz.disk";
inline constexpr char kInitiatorName[] = "iqn.2025-12.local:fuzz.initiator";

// An R2T the target sent, and how much of it the driver has answered.
struct OpenR2t {
  std::uint64_t lun = 0;
  std::uint32_t itt = 0;
  std::uint32_t ttt = 0;
  std::uint32_t offset = 0;
  std::uint32_t length = 0;
  std::uint32_t sent = 0;
  std::uint32_t next_data_sn = 0;
};

class TargetDriver {
 public:
  using Clock = session::TargetConnection::Clock;

  // With `auth`, the target requires it for normal sessions (and discovery).
  // CHAP challenges come from a fixed pseudo-random sequence, so a fuzz
  // input always meets the same challenge.
  TargetDriver(const session::TargetLimits& limits, const RamLunSetup& lun,
               const session::AuthSettings* auth = nullptr);
  ~TargetDriver();
  TargetDriver(const TargetDriver&) = delete;
  TargetDriver& operator=(const TargetDriver&) = delete;

  // False when the logical units could not be created.
  bool ready() const { return conn_ != nullptr; }

  // Feeds `bytes` in reads of at most `chunk` bytes (0: one read) and checks
  // what the target sends. Bytes not built by send() make the initiator's
  // declared limits unknown to the checks.
  void send_bytes(wire::ByteView bytes, std::size_t chunk = 0);
  // Encodes `pdu` with the digests in force and sends it. Login texts are
  // remembered for the limits they declare; a SCSI Command opens a task.
  void send(const wire::Pdu& pdu, std::size_t chunk = 0);
  // Several PDUs in one stream, as one TCP segment may carry them. The
  // digests in force when the call starts apply to all of them.
  void send_many(const std::vector<wire::Pdu>& pdus, std::size_t chunk = 0);
  // Advances the clock and runs the connection's timers.
  void advance(std::chrono::milliseconds dt);
  void request_logout(std::chrono::seconds wait);

  session::TargetConnection& connection() { return *conn_; }
  bool closed() const { return conn_->wants_close(); }
  bool full_feature() const { return full_feature_; }
  // The PDUs the target sent during the last call.
  const std::vector<wire::Pdu>& received() const { return received_; }

  // What an initiator tracks from the target's PDUs.
  std::uint32_t exp_stat_sn() const { return next_stat_sn_.value_or(0); }
  std::uint32_t exp_cmd_sn() const { return exp_cmd_sn_; }
  std::uint32_t max_cmd_sn() const { return max_cmd_sn_; }
  std::vector<OpenR2t>& open_r2ts() { return r2ts_; }
  std::optional<std::uint32_t> text_ttt() const { return text_ttt_; }
  std::optional<std::uint32_t> ping_ttt() const { return ping_ttt_; }
  wire::DigestSettings digests() const { return digests_; }
  std::uint32_t max_burst_length() const { return max_burst_; }
  // Every Login Response data segment so far, concatenated.
  const wire::Bytes& login_text_received() const { return login_text_received_; }

 private:
  struct TaskSeq {
    int commands = 0;  // SCSI Commands sent and not yet answered with status
    bool started = false;
    std::uint32_t edtl = 0;  // largest ExpectedDataTransferLength of those commands
    std::uint32_t next_data_sn = 0;
    std::uint32_t next_offset = 0;
    std::uint32_t burst = 0;
    std::uint32_t next_r2t_sn = 0;
  };

  void collect(bool was_closed);
  void check(const wire::Pdu& pdu, wire::ByteView bhs);
  void check_sequence_numbers(const wire::Pdu& pdu);
  void on_login_response(const wire::LoginResponse& r);
  void on_data_in(const wire::ScsiDataIn& d);
  void on_r2t(const wire::ReadyToTransfer& r);
  void on_status(std::uint32_t itt, std::optional<std::uint32_t> exp_data_sn);
  TaskSeq& task_for(std::uint32_t itt, std::uint32_t sn);

  session::TargetConfig config_;
  session::SessionTable sessions_;
  std::unique_ptr<RamScsiPort> port_;
  Clock::time_point now_;
  std::unique_ptr<session::TargetConnection> conn_;

  wire::Framer framer_;
  wire::DigestSettings digests_;
  bool full_feature_ = false;
  bool login_failed_ = false;
  bool encoded_ = false;              // send() is sending bytes it encoded
  bool untracked_ = false;            // bytes the driver did not encode were sent during login
  bool raw_in_full_feature_ = false;  // ... or in full feature phase
  bool mrdsl_unknown_ = false;        // ... and may have declared a new limit
  wire::Bytes text_sent_;             // the Text Request sequence being sent
  // MaxRecvDataSegmentLength declared by complete Text Requests, by ITT,
  // until the target answers them.
  std::map<std::uint32_t, std::uint32_t> text_declarations_;
  wire::Bytes login_text_sent_;
  wire::Bytes login_text_received_;
  std::uint32_t initiator_mrdsl_ = 8192;
  std::uint32_t max_burst_ = 262144;

  std::vector<wire::Pdu> received_;
  std::optional<std::uint32_t> next_stat_sn_;
  std::uint32_t exp_cmd_sn_ = 0;
  std::uint32_t max_cmd_sn_ = 0;
  bool have_cmd_sn_ = false;
  std::map<std::uint32_t, TaskSeq> tasks_;
  std::vector<OpenR2t> r2ts_;
  std::optional<std::uint32_t> text_ttt_;
  std::optional<std::uint32_t> ping_ttt_;
};

}  // namespace iscsi::fuzz
