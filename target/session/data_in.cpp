#include "session/data_in.h"

#include <algorithm>

namespace iscsi::session {

std::vector<wire::ScsiDataIn> split_data_in(wire::ByteView data, std::uint32_t itt,
                                            const DataInLimits& limits) {
  std::vector<wire::ScsiDataIn> out;
  const std::uint32_t segment = std::max<std::uint32_t>(1, limits.max_segment);
  const std::uint32_t burst = std::max<std::uint32_t>(1, limits.max_burst);
  std::uint32_t offset = 0;
  std::uint32_t in_burst = 0;
  const auto total = static_cast<std::uint32_t>(data.size());
  while (offset < total) {
    const std::uint32_t n = std::min({segment, burst - in_burst, total - offset});
    wire::ScsiDataIn pdu;
    pdu.initiator_task_tag = itt;
    pdu.target_transfer_tag = wire::kReservedTag;  // A=0: no acknowledgement asked
    pdu.data_sn = static_cast<std::uint32_t>(out.size());
    pdu.buffer_offset = offset;
    pdu.data.assign(data.begin() + offset, data.begin() + offset + n);
    offset += n;
    in_burst += n;
    // §10.7.1: F closes each Data-In sequence; a sequence is at most MaxBurstLength.
    if (in_burst == burst || offset == total) {
      pdu.final = true;
      in_burst = 0;
    }
    out.push_back(std::move(pdu));
  }
  return out;
}

std::vector<wire::ScsiDataIn> split_data_in(wire::Bytes&& data, std::uint32_t itt,
                                            const DataInLimits& limits) {
  const std::uint32_t segment = std::max<std::uint32_t>(1, limits.max_segment);
  const std::uint32_t burst = std::max<std::uint32_t>(1, limits.max_burst);
  if (data.empty() || data.size() > std::min(segment, burst)) {
    return split_data_in(wire::ByteView(data), itt, limits);
  }
  // One PDU, closing the only sequence; as the general case builds it.
  std::vector<wire::ScsiDataIn> out(1);
  wire::ScsiDataIn& pdu = out.front();
  pdu.initiator_task_tag = itt;
  pdu.target_transfer_tag = wire::kReservedTag;
  pdu.data_sn = 0;
  pdu.buffer_offset = 0;
  pdu.final = true;
  pdu.data = std::move(data);
  return out;
}

void attach_status(wire::ScsiDataIn& last, std::uint8_t status, bool underflow, bool overflow,
                   std::uint32_t residual_count) {
  last.final = true;
  last.status_present = true;
  last.status = status;
  last.residual_underflow = underflow;
  last.residual_overflow = overflow;
  last.residual_count = (underflow || overflow) ? residual_count : 0;
}

}  // namespace iscsi::session
