#include "ram_scsi_port.h"

#include "scsi/ram_device.h"
#include "scsi/scsi_target.h"

namespace iscsi::fuzz {

std::unique_ptr<RamScsiPort> make_ram_scsi_port(const RamLunSetup& setup) {
  auto target = std::make_unique<scsi::ScsiTarget>("iqn.2025-12.local:fuzz.disk", 1);
  auto lun0 =
      scsi::RamDevice::create(std::uint64_t{setup.blocks} * setup.block_size, setup.block_size);
  if (!lun0) return nullptr;
  scsi::LunOptions o0;
  o0.block_size = setup.block_size;
  o0.thin = setup.thin;
  o0.removable = setup.removable;
  o0.read_only = setup.read_only;
  if (target->add(0, std::move(lun0).value(), o0)) return nullptr;
  auto lun1 = scsi::RamDevice::create(16 * 512, 512);
  if (!lun1) return nullptr;
  scsi::LunOptions o1;
  o1.read_only = setup.read_only_lun1;
  if (target->add(1, std::move(lun1).value(), o1)) return nullptr;
  return std::make_unique<RamScsiPort>(std::move(target));
}

}  // namespace iscsi::fuzz
