// The simulator's initiator: one connection to a target, with the
// bookkeeping an initiator keeps (CmdSN, ExpStatSN, ITTs, the negotiated
// parameters, digests) so scenarios need only state what they change.
// Blocking with explicit timeouts; the protocol work is pure functions of
// the wire codec, so the same engine runs over TCP or in-process.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/chap_client.h"
#include "negotiation/results.h"
#include "transport/transport.h"
#include "wire/framer.h"
#include "wire/pdu.h"
#include "wire/text.h"

namespace iscsi::sim {

using Millis = std::chrono::milliseconds;

// One PDU as it crossed the wire, for reports and captures.
struct WireRecord {
  bool to_target;
  wire::Bytes bytes;
  std::string summary;
};

struct Received {
  enum class Kind { Pdu, Timeout, Closed, Error } kind = Kind::Timeout;
  wire::Pdu pdu;
  wire::Bytes bytes;
  std::string error;
};

// Whether the target advanced StatSN for this PDU (§3.2.2.2): responses and
// Rejects, Data-In with status, NOP-In answering a NOP-Out.
bool carries_status_sn(const wire::Pdu& pdu);

struct LoginRequestSpec {
  bool security_stage = false;
  std::vector<wire::text::KeyValue> security_keys;
  std::vector<wire::text::KeyValue> operational_keys;
  wire::Isid isid{0, 0x3d, 0x0001, 0,
                  0x0001};  // random-format ISID (§10.12.5, T=00b OUI... A=0x3d)
  std::uint16_t tsih = 0;
  std::uint16_t cid = 0;
  // With security_stage: authenticate with CHAP (mutual when `chap->target`
  // is set). `security_keys` then carries AuthMethod=CHAP; the CHAP keys
  // are the engine's.
  std::optional<ChapSecrets> chap;
};

struct LoginOutcome {
  bool completed = false;         // reached full feature phase
  std::uint8_t status_class = 0;  // of the last Login Response
  std::uint8_t status_detail = 0;
  std::vector<wire::text::KeyValue> answers;  // every pair the target sent
  std::string error;                          // harness-level failure (no response, closed, ...)
};

struct ScsiRequest {
  wire::Bytes cdb;
  std::uint32_t expected_length = 0;  // ExpectedDataTransferLength
  bool read = false;
  bool write = false;
  wire::Bytes data_out;
  std::uint64_t lun = 0;
  std::uint8_t attr = wire::ScsiCommand::Simple;
};

struct ScsiResult {
  bool completed = false;
  std::uint8_t response = 0;
  std::uint8_t status = 0;
  wire::Bytes sense;  // without the SenseLength prefix
  wire::Bytes data_in;
  bool underflow = false;
  bool overflow = false;
  std::uint32_t residual = 0;
  std::uint32_t r2ts = 0;
  std::uint32_t data_ins = 0;
  std::string error;
};

class InitiatorSession {
 public:
  explicit InitiatorSession(std::unique_ptr<Transport> transport);

  // Observes every byte exchanged (for --pcap).
  void set_tap(std::function<void(bool to_target, wire::ByteView)> tap) { tap_ = std::move(tap); }

  // Fills the fields an initiator keeps: CmdSN, ExpStatSN, a fresh ITT for
  // tasks, the session's LUN. Fields the caller overrides afterwards win.
  void fill_auto_fields(wire::Pdu& pdu);
  // Sends the bytes of `pdu` (typed view given for bookkeeping and logs):
  // a non-immediate command whose CmdSN is the current one advances CmdSN.
  bool send(const wire::Pdu& pdu, const wire::Bytes& bytes);
  bool send(const wire::Pdu& pdu) { return send(pdu, encode(pdu)); }
  wire::Bytes encode(const wire::Pdu& pdu) const;

  // The next PDU from the target within `timeout`. Target NOP-In pings are
  // answered and skipped when `answer_pings`.
  Received receive(Millis timeout, bool answer_pings = false);
  // True when the target closes the connection within `timeout` (PDUs
  // arriving meanwhile are collected into `seen`).
  bool wait_closed(Millis timeout, std::vector<wire::Pdu>* seen = nullptr);

  LoginOutcome login(const LoginRequestSpec& spec, Millis timeout);
  ScsiResult scsi(const ScsiRequest& request, Millis timeout);
  // Logout (reason close session) and wait for the connection to close.
  bool logout(Millis timeout);

  // Enters full feature phase after a login driven PDU by PDU (capture
  // replay): `sent` are the pairs the initiator sent, `answers` the target's.
  void enter_full_feature(const std::vector<wire::text::KeyValue>& sent,
                          const std::vector<wire::text::KeyValue>& answers, std::uint16_t tsih);

  const negotiation::NegotiatedParameters& params() const { return params_; }
  wire::DigestSettings digests() const { return digests_; }
  std::uint32_t cmd_sn() const { return cmd_sn_; }
  std::uint32_t exp_stat_sn() const { return exp_stat_sn_; }
  std::uint32_t max_cmd_sn() const { return max_cmd_sn_; }
  std::uint32_t exp_cmd_sn() const { return exp_cmd_sn_; }
  std::uint32_t last_itt() const { return next_itt_ - 1; }
  std::uint16_t tsih() const { return tsih_; }
  bool full_feature() const { return full_feature_; }
  void set_lun(std::uint64_t lun) { lun_ = lun; }
  const std::deque<WireRecord>& log() const { return log_; }
  void close() { transport_->close(); }

 private:
  void record(bool to_target, const wire::Bytes& bytes, const std::string& summary);
  void observe(const wire::Pdu& pdu);
  void answer_ping(const wire::NopIn& ping);

  std::unique_ptr<Transport> transport_;
  std::function<void(bool, wire::ByteView)> tap_;
  wire::Framer framer_;
  wire::Bytes inbox_;
  std::size_t inbox_used_ = 0;
  wire::DigestSettings digests_;
  negotiation::NegotiatedParameters params_;
  bool full_feature_ = false;
  std::uint32_t cmd_sn_ = 1;
  std::uint32_t exp_stat_sn_ = 0;
  std::uint32_t exp_cmd_sn_ = 1;
  std::uint32_t max_cmd_sn_ = 1;
  std::uint32_t next_itt_ = 0x10;
  std::uint64_t lun_ = 0;
  std::uint16_t tsih_ = 0;
  std::deque<WireRecord> log_;
};

}  // namespace iscsi::sim
