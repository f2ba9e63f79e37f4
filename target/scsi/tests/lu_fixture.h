// Logical units over RAM devices for the command-level tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "scsi/logical_unit.h"
#include "scsi/ram_device.h"

namespace iscsi::scsi::testing {

inline Identity test_identity() {
  Identity id;
  id.serial = "0123456789ABCDEF";
  id.naa = 0x3123456789abcdefull;
  id.target_name = "iqn.a:b";
  return id;
}

inline std::unique_ptr<LogicalUnit> make_unit(std::uint64_t bytes, std::uint32_t bs,
                                              LunOptions options = {}) {
  auto dev = RamDevice::create(bytes, bs);
  EXPECT_TRUE(dev) << (dev ? "" : dev.error());
  if (!dev) return nullptr;
  options.block_size = bs;
  return std::make_unique<LogicalUnit>(std::move(dev).value(), options, test_identity());
}

// Runs one command from `nexus` with no Data-Out and a large Data-In buffer.
inline Result run(LogicalUnit& lu, const wire::Bytes& cdb, NexusId nexus = 1,
                  wire::ByteView data_out = {}, std::uint32_t capacity = 1u << 24) {
  return lu.execute(
      Request{.cdb = cdb, .nexus = nexus, .data_out = data_out, .data_in_capacity = capacity});
}

// Consumes the power-on unit attention a new nexus starts with.
inline void clear_power_on(LogicalUnit& lu, NexusId nexus = 1) {
  const wire::Bytes tur = {0, 0, 0, 0, 0, 0};
  const Result r = run(lu, tur, nexus);
  EXPECT_EQ(r.status, Status::CheckCondition);
  EXPECT_EQ(r.sense, sense::power_on_reset_or_bus_device_reset());
}

}  // namespace iscsi::scsi::testing
