#include "session/write_transfer.h"

#include <algorithm>
#include <cstring>

namespace iscsi::session {

using wire::RejectReason;

WriteTransfer::WriteTransfer(std::uint32_t expected, std::uint32_t wanted, wire::ByteView immediate,
                             const WriteLimits& limits)
    : expected_(expected), wanted_(std::min(wanted, expected)), limits_(limits) {
  buffer_.resize(wanted_);
  // §3.2.4.2: unsolicited data, immediate data included, never exceeds
  // FirstBurstLength (nor the expected length).
  unsolicited_limit_ = std::min(limits_.first_burst_length, expected_);
  store(0, immediate);
  unsolicited_received_ = static_cast<std::uint32_t>(immediate.size());
  unsolicited_open_ = limits_.unsolicited_allowed && unsolicited_received_ < unsolicited_limit_;
  solicit_offset_ = std::min(unsolicited_received_, wanted_);
}

void WriteTransfer::store(std::uint32_t offset, wire::ByteView bytes) {
  if (offset >= wanted_ || bytes.empty()) return;  // beyond what the target needs: discarded
  const std::size_t n = std::min<std::size_t>(bytes.size(), wanted_ - offset);
  std::memcpy(buffer_.data() + offset, bytes.data(), n);
}

void WriteTransfer::drain(const wire::ScsiDataOut& pdu) {
  if (!pdu.final) return;
  if (pdu.target_transfer_tag == wire::kReservedTag) {
    unsolicited_open_ = false;
    return;
  }
  std::erase_if(outstanding_, [&](const Sequence& s) { return s.ttt == pdu.target_transfer_tag; });
}

std::optional<DataOutError> WriteTransfer::on_data_out(const wire::ScsiDataOut& pdu) {
  const auto length = static_cast<std::uint32_t>(pdu.data.size());
  if (pdu.target_transfer_tag == wire::kReservedTag) {
    // Unsolicited Data-Out (§10.7.4: TTT 0xffffffff).
    if (!unsolicited_open_) {
      return DataOutError{RejectReason::ProtocolError, 0x00,
                          "unsolicited Data-Out where none may be sent (InitialR2T, F bit, or "
                          "the unsolicited sequence already ended)"};
    }
    if (pdu.data_sn != unsolicited_next_data_sn_) {
      // §10.7.5: DataSN counts the PDUs of the sequence from 0.
      return DataOutError{RejectReason::ProtocolError, 0x00,
                          "DataSN " + std::to_string(pdu.data_sn) + " where " +
                              std::to_string(unsolicited_next_data_sn_) + " was due"};
    }
    if (pdu.buffer_offset != unsolicited_received_) {
      // DataPDUInOrder=Yes (§12.18): offsets increase without gaps.
      return DataOutError{RejectReason::InvalidPduField, 0x05,
                          "BufferOffset " + std::to_string(pdu.buffer_offset) + " where " +
                              std::to_string(unsolicited_received_) + " was due"};
    }
    if (static_cast<std::uint64_t>(pdu.buffer_offset) + length > unsolicited_limit_) {
      return DataOutError{RejectReason::ProtocolError, 0x02,
                          "unsolicited data beyond FirstBurstLength or the expected length"};
    }
    store(pdu.buffer_offset, pdu.data);
    unsolicited_received_ += length;
    ++unsolicited_next_data_sn_;
    if (pdu.final) {
      unsolicited_open_ = false;
      solicit_offset_ = std::max(solicit_offset_, std::min(unsolicited_received_, wanted_));
    } else if (unsolicited_received_ == unsolicited_limit_) {
      return DataOutError{RejectReason::ProtocolError, 0x00,
                          "the unsolicited sequence reached its end without the F bit"};
    }
    return std::nullopt;
  }

  auto seq = std::find_if(outstanding_.begin(), outstanding_.end(),
                          [&](const Sequence& s) { return s.ttt == pdu.target_transfer_tag; });
  if (seq == outstanding_.end()) {
    // §10.17.1 note 2: an invalid TTT is an "Invalid PDU field".
    return DataOutError{RejectReason::InvalidPduField, 0x01,
                        "Data-Out with a TTT that names no outstanding R2T"};
  }
  if (pdu.data_sn != seq->next_data_sn) {
    return DataOutError{RejectReason::ProtocolError, 0x00,
                        "DataSN " + std::to_string(pdu.data_sn) + " where " +
                            std::to_string(seq->next_data_sn) + " was due"};
  }
  if (pdu.buffer_offset != seq->offset + seq->received) {
    return DataOutError{RejectReason::InvalidPduField, 0x05,
                        "BufferOffset " + std::to_string(pdu.buffer_offset) + " where " +
                            std::to_string(seq->offset + seq->received) + " was due"};
  }
  if (seq->received + length > seq->length) {
    // Data past what the R2T solicited is never written.
    return DataOutError{RejectReason::ProtocolError, 0x02,
                        "Data-Out carries more than its R2T asked for"};
  }
  store(pdu.buffer_offset, pdu.data);
  seq->received += length;
  ++seq->next_data_sn;
  const bool filled = seq->received == seq->length;
  if (pdu.final != filled) {
    // §10.7.1: F marks the last PDU of the sequence the R2T asked for.
    return DataOutError{RejectReason::ProtocolError, 0x00,
                        pdu.final ? "F bit before the R2T's data was complete"
                                  : "the R2T's data is complete but the F bit is 0"};
  }
  if (filled) outstanding_.erase(seq);
  return std::nullopt;
}

}  // namespace iscsi::session
