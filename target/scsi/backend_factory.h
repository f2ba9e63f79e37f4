// Opens the block device a LUN spec names.
#pragma once

#include <memory>
#include <string>

#include "scsi/block_device.h"
#include "scsi/lun_spec.h"
#include "wire/result.h"

namespace iscsi::scsi {

// RAM and null devices are created with the spec's size; a file device is
// opened (read-only for `ro` LUNs) and sized as FileDevice::open describes.
// The error message says which LUN failed and why.
wire::Result<std::unique_ptr<BlockDevice>, std::string> open_backend(const LunSpec& spec);

}  // namespace iscsi::scsi
