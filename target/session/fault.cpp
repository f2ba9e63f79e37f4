#include "session/fault.h"

#include <array>

namespace iscsi::session {

namespace {

constexpr std::array<FaultInfo, 11> kFaults{{
    {Fault::AcceptOutOfWindowCmdSn, "accept-out-of-window-cmdsn", "3.2.2.1",
     "non-immediate commands outside ExpCmdSN..MaxCmdSN are silently ignored"},
    {Fault::SkipReject, "skip-reject", "6.3",
     "a PDU the target cannot accept is answered with a Reject"},
    {Fault::IgnorePeerMaxRecvDataSegmentLength, "ignore-peer-max-recv-data-segment-length", "12.12",
     "no Data-In segment exceeds the initiator's MaxRecvDataSegmentLength"},
    {Fault::AcceptOversizedDataSegment, "accept-oversized-data-segment", "12.12",
     "a data segment beyond the target's declared MaxRecvDataSegmentLength is refused"},
    {Fault::AcceptUnsolicitedDataUnderInitialR2T, "accept-unsolicited-data-under-initial-r2t",
     "12.10", "InitialR2T=Yes forbids unsolicited Data-Out"},
    {Fault::AcceptImmediateDataBeyondLimits, "accept-immediate-data-beyond-limits", "3.2.4.2",
     "immediate data never exceeds FirstBurstLength or the expected transfer length"},
    {Fault::StatSnNotAdvanced, "stat-sn-not-advanced", "3.2.2.2",
     "StatSN advances with every response that carries status"},
    {Fault::AbortUnknownTaskReportsComplete, "abort-unknown-task-reports-complete", "10.6.1",
     "ABORT TASK for a task never received (RefCmdSN outside the window) answers Task does not "
     "exist"},
    {Fault::FinalLoginResponseWithoutTsih, "final-login-response-without-tsih", "10.13.4",
     "the final Login Response of a new session carries the TSIH the target assigned"},
    {Fault::NopInDropsPingData, "nop-in-drops-ping-data", "10.19",
     "the NOP-In answering a ping returns the ping data"},
    {Fault::SkipAuthenticationInOperationalStage, "skip-authentication-in-operational-stage", "5.3",
     "a target that requires authentication does not let a login skip the security stage"},
}};

}  // namespace

std::span<const FaultInfo> all_faults() {
  return kFaults;
}

const FaultInfo& fault_info(Fault fault) {
  return kFaults[static_cast<std::size_t>(fault)];
}

std::optional<Fault> fault_from_name(std::string_view name) {
  for (const FaultInfo& f : kFaults) {
    if (f.name == name) return f.fault;
  }
  return std::nullopt;
}

}  // namespace iscsi::session
