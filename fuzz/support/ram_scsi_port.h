// The reference target's ScsiPort (server::ScsiPortAdapter) over a
// scsi::ScsiTarget whose logical units live in RAM, for fuzz targets that
// drive a TargetConnection in-process. Each fuzz input builds its own, so no
// state carries over from one input to the next.
#pragma once

#include <cstdint>
#include <memory>

#include "server/scsi_port_adapter.h"

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

using RamScsiPort = server::ScsiPortAdapter;

// nullptr when the RAM device cannot be created (bad geometry).
std::unique_ptr<RamScsiPort> make_ram_scsi_port(const RamLunSetup& setup);

}  // namespace iscsi::fuzz
