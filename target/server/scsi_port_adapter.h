// Connects the iSCSI session layer to a scsi::ScsiTarget. Connections of one
// target run on several event-loop threads, while logical-unit state (unit
// attentions, mode pages, media state) is shared: one lock per target
// serialises the commands of that target.
#pragma once

#include <memory>
#include <mutex>

#include "scsi/scsi_target.h"
#include "session/scsi_port.h"

namespace iscsi::server {

class ScsiPortAdapter final : public session::ScsiPort {
 public:
  explicit ScsiPortAdapter(std::unique_ptr<scsi::ScsiTarget> target) : target_(std::move(target)) {}

  session::ScsiPlan plan(std::uint64_t lun, wire::ByteView cdb, std::uint64_t nexus,
                         std::uint32_t expected_data_out) override;
  session::ScsiOutcome execute(std::uint64_t lun, wire::ByteView cdb, std::uint64_t nexus,
                               wire::ByteView data_out, std::uint32_t data_in_capacity) override;
  bool lun_exists(std::uint64_t lun) const override;
  void advance(session::ScsiTime now) override;
  session::ScsiOutcome poll(std::uint64_t lun, std::uint64_t token) override;
  void forget(std::uint64_t lun, std::uint64_t token) override;
  void reset(session::ResetKind kind, std::uint64_t lun, std::uint64_t nexus) override;
  void nexus_lost(std::uint64_t nexus) override;
  void register_nexus(std::uint64_t nexus, const std::string& initiator_name,
                      std::uint64_t isid) override;

  scsi::ScsiTarget& target() { return *target_; }

 private:
  mutable std::mutex mutex_;
  std::unique_ptr<scsi::ScsiTarget> target_;
};

}  // namespace iscsi::server
