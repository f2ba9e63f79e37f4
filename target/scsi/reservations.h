// Reservations of one logical unit: SPC-2 RESERVE/RELEASE and SPC-4
// persistent reservations (PERSISTENT RESERVE IN/OUT), and the reservation
// conflicts they cause for other I_T nexuses. Not thread-safe; the logical
// unit guards it.
//
// Scope: LU_SCOPE only. Not implemented (REPORT CAPABILITIES says so):
// SPEC_I_P, ALL_TG_PT, APTPL (the unit cannot persist across power loss),
// REGISTER AND MOVE. PREEMPT AND ABORT preempts as PREEMPT does; aborting
// the preempted nexuses' tasks is the session layer's part, and commands
// reach the unit one at a time. CRH is 1 (SPC-4 exceptions to SPC-2
// RESERVE and RELEASE behavior): RESERVE and RELEASE conflict while any
// persistent reservation registration exists.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "scsi/command.h"
#include "scsi/sense.h"
#include "wire/bytes.h"

namespace iscsi::scsi {

// How a command fares against reservations (SPC-4 tables of commands
// allowed in the presence of various reservations, SBC-3 likewise).
enum class ReservationAccess : std::uint8_t {
  Always,        // INQUIRY, REPORT LUNS, REQUEST SENSE, REPORT SUPPORTED OPCODES
  UnderPersist,  // allowed with any persistent reservation, not with SPC-2 RESERVE
  Read,          // conflicts with Exclusive Access types
  Write,         // conflicts with Write Exclusive and Exclusive Access types
};

// PERSISTENT RESERVE OUT TYPE codes (SPC-4).
namespace pr_type {
inline constexpr std::uint8_t kWriteExclusive = 0x1;
inline constexpr std::uint8_t kExclusiveAccess = 0x3;
inline constexpr std::uint8_t kWriteExclusiveRegistrantsOnly = 0x5;
inline constexpr std::uint8_t kExclusiveAccessRegistrantsOnly = 0x6;
inline constexpr std::uint8_t kWriteExclusiveAllRegistrants = 0x7;
inline constexpr std::uint8_t kExclusiveAccessAllRegistrants = 0x8;
}  // namespace pr_type

class Reservations {
 public:
  static constexpr std::size_t kMaxRegistrations = 1024;
  static constexpr std::size_t kMaxPortNames = 4096;

  struct Outcome {
    Result result;
    // Unit attentions to queue for other nexuses.
    std::vector<std::pair<NexusId, Sense>> unit_attentions;
  };

  // True when `nexus` may not run a command of this access kind.
  bool conflicts(NexusId nexus, ReservationAccess access) const;

  // SPC-2 RESERVE(6)/(10) and RELEASE(6)/(10) for the whole unit.
  Result reserve(NexusId nexus);
  Result release(NexusId nexus);

  Outcome persistent_reserve_out(NexusId nexus, std::uint8_t service_action, std::uint8_t scope,
                                 std::uint8_t type, wire::ByteView parameters);
  // The complete parameter data of PERSISTENT RESERVE IN.
  wire::Bytes persistent_reserve_in(std::uint8_t service_action) const;

  // LOGICAL UNIT RESET and target resets release the SPC-2 reservation;
  // persistent reservations survive them (SPC-4).
  void reset();
  // I_T nexus loss releases the SPC-2 reservation the nexus held.
  void nexus_lost(NexusId nexus);
  // The initiator port name (iSCSI name ",i,0x" ISID) of a nexus, for the
  // TransportIDs of READ FULL STATUS.
  void register_port(NexusId nexus, std::string initiator_port_name);

  std::uint32_t generation() const { return generation_; }

 private:
  bool registered(NexusId nexus) const { return keys_.count(nexus) != 0; }
  bool all_registrants() const;
  bool holds(NexusId nexus) const;
  void unregister(NexusId nexus, Outcome& out);

  std::map<NexusId, std::uint64_t> keys_;  // registrations
  std::optional<NexusId> holder_;          // persistent reservation holder
  std::uint8_t type_ = 0;
  std::uint32_t generation_ = 0;  // PRGENERATION
  std::optional<NexusId> spc2_holder_;
  std::map<NexusId, std::string> port_names_;
};

}  // namespace iscsi::scsi
