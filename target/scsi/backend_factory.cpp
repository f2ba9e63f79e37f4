#include "scsi/backend_factory.h"

#include "scsi/file_device.h"
#include "scsi/null_device.h"
#include "scsi/ram_device.h"

namespace iscsi::scsi {

wire::Result<std::unique_ptr<BlockDevice>, std::string> open_backend(const LunSpec& spec) {
  using Err = wire::Unexpected<std::string>;
  const std::string prefix = "LUN " + std::to_string(spec.lun) + ": ";
  const std::uint32_t bs = spec.options.block_size;
  switch (spec.backend.kind) {
    case BackendKind::Ram: {
      if (!spec.backend.size) return Err(prefix + "ram backend without a size");
      auto dev = RamDevice::create(*spec.backend.size, bs);
      if (!dev) return Err(prefix + dev.error());
      return std::unique_ptr<BlockDevice>(std::move(dev).value());
    }
    case BackendKind::Null: {
      if (!spec.backend.size) return Err(prefix + "null backend without a size");
      auto dev = NullDevice::create(*spec.backend.size, bs);
      if (!dev) return Err(prefix + dev.error());
      return std::unique_ptr<BlockDevice>(std::move(dev).value());
    }
    case BackendKind::File: {
      auto dev = FileDevice::open(spec.backend.path, spec.backend.size, bs, spec.options.read_only);
      if (!dev) return Err(prefix + dev.error());
      return std::unique_ptr<BlockDevice>(std::move(dev).value());
    }
  }
  return Err(prefix + "unknown backend");
}

}  // namespace iscsi::scsi
