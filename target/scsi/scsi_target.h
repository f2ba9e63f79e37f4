// The SCSI target device: its LUN table and the commands that concern the
// target rather than one logical unit. The session layer addresses every
// command with the 8-byte LUN field of the PDU:
// - REPORT LUNS is answered here for any LUN, known or not (SPC-4 REPORT
//   LUNS command; single level LUN structure of SAM-5).
// - A LUN without a logical unit (or not decodable) answers INQUIRY with
//   PERIPHERAL QUALIFIER 011b / DEVICE TYPE 1Fh, REQUEST SENSE with GOOD
//   status and LOGICAL UNIT NOT SUPPORTED sense data (SPC-4 REQUEST SENSE:
//   "addressed to an incorrect logical unit"), and every other command with
//   CHECK CONDITION, ILLEGAL REQUEST, LOGICAL UNIT NOT SUPPORTED (25/00).
// - Everything else goes to the logical unit (see logical_unit.h for the
//   plan/execute flow).
// Logical units are added before the target serves commands; the table is
// not changed afterwards, so lookups need no lock.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "scsi/block_device.h"
#include "scsi/command.h"
#include "scsi/identity.h"
#include "scsi/logical_unit.h"
#include "scsi/lun_spec.h"

namespace iscsi::scsi {

class ScsiTarget {
 public:
  ScsiTarget(std::string target_name, std::uint16_t portal_group_tag);

  // Each returns an error message for a duplicate or too large LUN number
  // (or, for a spec, a backend that cannot be opened).
  std::optional<std::string> add(std::uint16_t lun, std::shared_ptr<LogicalUnit> unit);
  // Identity from make_identity(target name, lun, portal group tag).
  std::optional<std::string> add(std::uint16_t lun, std::unique_ptr<BlockDevice> device,
                                 const LunOptions& options);
  std::optional<std::string> add(const LunSpec& spec);

  CommandInfo inspect(std::uint64_t lun_field, wire::ByteView cdb) const;
  CommandInfo plan(std::uint64_t lun_field, NexusId nexus, wire::ByteView cdb,
                   std::optional<std::uint32_t> expected_data_out = std::nullopt);
  Result execute(std::uint64_t lun_field, const Request& request);

  // LOGICAL UNIT RESET resets the addressed unit (nothing when it does not
  // exist); TARGET WARM/COLD RESET reset every unit.
  void reset(ResetKind kind, std::uint64_t lun_field);
  // The I_T nexus ended (logout, connection loss, session reinstatement).
  void nexus_lost(NexusId nexus);
  // Long operations of the units (see LogicalUnit::advance): time passes for
  // every unit; a Result::pending of the unit at `lun_field` is polled or
  // forgotten.
  void advance(TimePoint now);
  Result poll(std::uint64_t lun_field, std::uint64_t operation);
  void forget(std::uint64_t lun_field, std::uint64_t operation);
  // The initiator port name of a nexus (iSCSI name ",i,0x" ISID), for
  // persistent reservation TransportIDs.
  void register_nexus(NexusId nexus, const std::string& initiator_port_name);
  // The unit with this NAA designator (EXTENDED COPY CSCD descriptors).
  LogicalUnit* find_by_naa(std::uint64_t naa) const;

  bool lun_exists(std::uint64_t lun_field) const { return find(lun_field) != nullptr; }
  LogicalUnit* find(std::uint64_t lun_field) const;
  std::vector<std::uint16_t> luns() const;

  const std::string& target_name() const { return target_name_; }
  std::uint16_t portal_group_tag() const { return portal_group_tag_; }

  // REPORT LUNS parameter data for SELECT REPORT `select_report`.
  wire::Bytes report_luns_data(std::uint8_t select_report) const;

 private:
  Result answer_without_unit(const Request& rq) const;
  CommandInfo inspect_without_unit(wire::ByteView cdb) const;
  Result report_luns(LogicalUnit* unit, const Request& rq) const;

  std::string target_name_;
  std::uint16_t portal_group_tag_;
  Identity target_identity_;  // vendor/product for INQUIRY to a LUN without a unit
  std::map<std::uint16_t, std::shared_ptr<LogicalUnit>> units_;
};

}  // namespace iscsi::scsi
