// The Data-Out side of one write command (RFC 3720 §3.2.4, §10.7, §10.8):
// immediate data, the unsolicited sequence, R2T generation within
// MaxBurstLength and MaxOutstandingR2T, and the checks every Data-Out must
// pass. Bytes beyond what the target asked for are never stored.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "wire/bytes.h"
#include "wire/error.h"
#include "wire/pdu.h"

namespace iscsi::session {

struct WriteLimits {
  std::uint32_t first_burst_length = 65536;
  std::uint32_t max_burst_length = 262144;
  std::uint16_t max_outstanding_r2t = 1;
  bool unsolicited_allowed = false;  // InitialR2T=No and the command's F bit is 0
};

// Why a Data-Out was refused: the Reject reason and the additional sense
// code qualifier of the ABORTED COMMAND that ends the task (SPC-4: 4Bh/xxh).
struct DataOutError {
  wire::RejectReason reject_reason;
  std::uint8_t ascq;  // with ASC 0x4B: 0x00 data phase error, 0x01 invalid TTT,
                      // 0x02 too much write data, 0x05 data offset error
  std::string detail;
};

struct R2tRequest {
  std::uint32_t target_transfer_tag;
  std::uint32_t r2t_sn;
  std::uint32_t buffer_offset;
  std::uint32_t desired_length;
};

class WriteTransfer {
 public:
  // `expected` is the command's ExpectedDataTransferLength (what the
  // initiator intends to send); `wanted` the bytes the target needs
  // (min(expected, the CDB's transfer length)); `immediate` the data segment
  // of the command itself.
  WriteTransfer(std::uint32_t expected, std::uint32_t wanted, wire::ByteView immediate,
                const WriteLimits& limits);

  // Checks and takes one Data-Out of this task.
  std::optional<DataOutError> on_data_out(const wire::ScsiDataOut& pdu);

  // R2Ts to send now; `next_ttt` hands out target transfer tags.
  template <class NextTtt>
  std::vector<R2tRequest> take_r2ts(NextTtt&& next_ttt) {
    std::vector<R2tRequest> out;
    while (!unsolicited_open_ && solicit_offset_ < wanted_ &&
           outstanding_.size() < limits_.max_outstanding_r2t) {
      const std::uint32_t length = std::min(limits_.max_burst_length, wanted_ - solicit_offset_);
      R2tRequest r{next_ttt(), r2t_sn_++, solicit_offset_, length};
      outstanding_.push_back(
          Sequence{r.target_transfer_tag, r.buffer_offset, r.desired_length, 0, 0});
      solicit_offset_ += length;
      out.push_back(r);
    }
    return out;
  }

  // After an error ended the task (§10.17.1): takes a Data-Out only to see
  // which sequences it closes (F=1); nothing is stored and no R2T follows.
  void drain(const wire::ScsiDataOut& pdu);
  // No unsolicited sequence and no solicited one is still open: the last
  // expected Data-Out with F=1 has arrived.
  bool drained() const { return !unsolicited_open_ && outstanding_.empty(); }

  // All the data the target wants has arrived and no sequence is open.
  bool complete() const {
    return !unsolicited_open_ && outstanding_.empty() && solicit_offset_ >= wanted_;
  }
  std::uint32_t r2ts_sent() const { return r2t_sn_; }
  const wire::Bytes& data() const { return buffer_; }
  std::uint32_t wanted() const { return wanted_; }

 private:
  struct Sequence {
    std::uint32_t ttt;
    std::uint32_t offset;  // where the sequence starts
    std::uint32_t length;  // what it carries in all
    std::uint32_t received;
    std::uint32_t next_data_sn;
  };

  void store(std::uint32_t offset, wire::ByteView bytes);

  std::uint32_t expected_;
  std::uint32_t wanted_;
  WriteLimits limits_;
  wire::Bytes buffer_;  // `wanted_` bytes
  // The unsolicited sequence (§3.2.4.2): immediate data, then Data-Out PDUs
  // with TTT 0xffffffff until one carries F=1.
  bool unsolicited_open_ = false;
  std::uint32_t unsolicited_received_ = 0;  // immediate data included
  std::uint32_t unsolicited_next_data_sn_ = 0;
  std::uint32_t unsolicited_limit_ = 0;
  std::uint32_t solicit_offset_ = 0;  // everything below is received or requested
  std::uint32_t r2t_sn_ = 0;
  std::vector<Sequence> outstanding_;
};

}  // namespace iscsi::session
