// Deliberate violations of RFC 3720, for testing the conformance suite
// itself: a suite earns trust only if it fails on a target that breaks the
// rule a case checks. Each fault breaks exactly one rule; the reference
// target never enables one unless asked to on its command line
// (`--inject-fault NAME`, or `iscsi-sim run --spawn --inject-fault NAME`).
// conformance/fault_injection.json names the cases each fault must fail.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace iscsi::session {

enum class Fault : std::uint8_t {
  AcceptOutOfWindowCmdSn,
  SkipReject,
  IgnorePeerMaxRecvDataSegmentLength,
  AcceptOversizedDataSegment,
  AcceptUnsolicitedDataUnderInitialR2T,
  AcceptImmediateDataBeyondLimits,
  StatSnNotAdvanced,
  AbortUnknownTaskReportsComplete,
  FinalLoginResponseWithoutTsih,
  NopInDropsPingData,
  SkipAuthenticationInOperationalStage,
};

struct FaultInfo {
  Fault fault;
  std::string_view name;     // the command-line spelling
  std::string_view section;  // the RFC 3720 section whose rule it breaks
  std::string_view rule;     // the rule, in a few words
};

// Every fault, in declaration order.
std::span<const FaultInfo> all_faults();
const FaultInfo& fault_info(Fault fault);
std::optional<Fault> fault_from_name(std::string_view name);

class FaultSet {
 public:
  void add(Fault f) { bits_ |= bit(f); }
  bool has(Fault f) const { return (bits_ & bit(f)) != 0; }
  bool empty() const { return bits_ == 0; }

 private:
  static std::uint32_t bit(Fault f) { return std::uint32_t{1} << static_cast<unsigned>(f); }
  std::uint32_t bits_ = 0;
};

}  // namespace iscsi::session
