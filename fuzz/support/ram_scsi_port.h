// A session::ScsiPort over a scsi::ScsiTarget whose logical units live in
// RAM, for fuzz targets that drive a TargetConnection in-process. Each fuzz
// input builds its own, so no state carries over from one input to the next.
#pragma once

#include <cstdint>
#include <memory>

#include "scsi/scsi_target.h"
#include "session/scsi_port.h"

namespace iscsi::fuzz {

struct RamLunSetup {
  // LUN 0: a writable unit of `blocks` blocks.
  std::uint32_t blocks = 128;
  std::uint32_t block_size = 512;
  bool thin = false;
  bool removable = false;
  bool read_only = false;
  // LUN 1: a small read-only unit, so write protection is reachable too.
  bool read_only_lun1 = true;
};

class RamScsiPort final : public session::ScsiPort {
 public:
  // nullptr when the RAM device cannot be created (bad geometry).
  static std::unique_ptr<RamScsiPort> create(const RamLunSetup& setup);

  session::ScsiPlan plan(std::uint64_t lun, wire::ByteView cdb, std::uint64_t nexus) override;
  session::ScsiOutcome execute(std::uint64_t lun, wire::ByteView cdb, std::uint64_t nexus,
                               wire::ByteView data_out, std::uint32_t data_in_capacity) override;
  bool lun_exists(std::uint64_t lun) const override;
  void reset(session::ResetKind kind, std::uint64_t lun, std::uint64_t nexus) override;
  void nexus_lost(std::uint64_t nexus) override;

  scsi::ScsiTarget& target() { return target_; }

 private:
  RamScsiPort() : target_("iqn.2025-12.local:fuzz.disk", 1) {}
  scsi::ScsiTarget target_;
};

}  // namespace iscsi::fuzz
