// Human-readable rendering of typed PDUs, for logs, reports and test failures.
#pragma once

#include <ostream>
#include <string>

#include "wire/pdu.h"

namespace iscsi::wire {

// One line: the PDU's name, then every BHS field as Name=value (hex for tags
// and sequence numbers), then the AHS and data segment sizes.
// e.g. "R2T LUN=0x0 InitiatorTaskTag=0x7 ... DesiredDataTransferLength=65536 ahs=0 data=0"
std::string format_pdu(const Pdu& pdu);

// GoogleTest and iostream printing of each PDU type.
#define ISCSI_WIRE_DECLARE_PRINT(T) std::ostream& operator<<(std::ostream& os, const T& p)
ISCSI_WIRE_DECLARE_PRINT(NopOut);
ISCSI_WIRE_DECLARE_PRINT(ScsiCommand);
ISCSI_WIRE_DECLARE_PRINT(TaskManagementRequest);
ISCSI_WIRE_DECLARE_PRINT(LoginRequest);
ISCSI_WIRE_DECLARE_PRINT(TextRequest);
ISCSI_WIRE_DECLARE_PRINT(ScsiDataOut);
ISCSI_WIRE_DECLARE_PRINT(LogoutRequest);
ISCSI_WIRE_DECLARE_PRINT(SnackRequest);
ISCSI_WIRE_DECLARE_PRINT(NopIn);
ISCSI_WIRE_DECLARE_PRINT(ScsiResponse);
ISCSI_WIRE_DECLARE_PRINT(TaskManagementResponse);
ISCSI_WIRE_DECLARE_PRINT(LoginResponse);
ISCSI_WIRE_DECLARE_PRINT(TextResponse);
ISCSI_WIRE_DECLARE_PRINT(ScsiDataIn);
ISCSI_WIRE_DECLARE_PRINT(LogoutResponse);
ISCSI_WIRE_DECLARE_PRINT(ReadyToTransfer);
ISCSI_WIRE_DECLARE_PRINT(AsyncMessage);
ISCSI_WIRE_DECLARE_PRINT(Reject);
#undef ISCSI_WIRE_DECLARE_PRINT

}  // namespace iscsi::wire
