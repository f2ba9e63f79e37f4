// REPORT SUPPORTED OPERATION CODES parameter data (SPC-4): the command
// descriptors of every implemented command (REPORTING OPTIONS 000b) and the
// one_command format with CDB USAGE DATA (001b, 010b, 011b), each with an
// optional command timeouts descriptor (RCTD).
#pragma once

#include <cstdint>

#include "scsi/sense.h"
#include "wire/bytes.h"
#include "wire/result.h"

namespace iscsi::scsi {

struct SupportedOpcodesRequest {
  std::uint8_t reporting_options = 0;
  bool rctd = false;
  std::uint8_t opcode = 0;
  std::uint16_t service_action = 0;
};

// `thin`: the unit implements UNMAP and GET LBA STATUS. Errors: INVALID
// FIELD IN CDB for REPORTING OPTIONS 001b naming a command with service
// actions, or 010b naming one without (SPC-4).
wire::Result<wire::Bytes, Sense> report_supported_opcodes(const SupportedOpcodesRequest& req,
                                                          bool thin);

}  // namespace iscsi::scsi
