// Splitting read data into SCSI Data-In PDUs (RFC 3720 §10.7): every data
// segment within the initiator's MaxRecvDataSegmentLength (§12.12), every
// sequence within MaxBurstLength (§12.13) and closed with the F bit, DataSN
// counting from 0, offsets contiguous (DataPDUInOrder, DataSequenceInOrder).
#pragma once

#include <cstdint>
#include <vector>

#include "wire/pdu.h"

namespace iscsi::session {

struct DataInLimits {
  std::uint32_t max_segment = 8192;  // the initiator's MaxRecvDataSegmentLength
  std::uint32_t max_burst = 262144;  // MaxBurstLength
};

// Data-In PDUs for `data` of task `itt`. StatSN, ExpCmdSN and MaxCmdSN are
// left for the sender; status is not set (see attach_status).
std::vector<wire::ScsiDataIn> split_data_in(wire::ByteView data, std::uint32_t itt,
                                            const DataInLimits& limits);
// The same, taking the buffer over: data that fits one PDU is moved into it,
// not copied.
std::vector<wire::ScsiDataIn> split_data_in(wire::Bytes&& data, std::uint32_t itt,
                                            const DataInLimits& limits);

// Puts the command's status into the last Data-In (§10.7.3: S only with F;
// only when there is no sense data to send, which needs a SCSI Response).
void attach_status(wire::ScsiDataIn& last, std::uint8_t status, bool underflow, bool overflow,
                   std::uint32_t residual_count);

}  // namespace iscsi::session
