#include "ram_scsi_port.h"

#include "scsi/ram_device.h"

namespace iscsi::fuzz {
namespace {

session::ScsiOutcome outcome_of(scsi::Result r) {
  session::ScsiOutcome o;
  o.status = static_cast<std::uint8_t>(r.status);
  if (r.sense) o.sense = r.sense->fixed();
  o.data_in = std::move(r.data_in);
  return o;
}

session::DataDirection direction_of(scsi::DataDirection d) {
  switch (d) {
    case scsi::DataDirection::Read:
      return session::DataDirection::Read;
    case scsi::DataDirection::Write:
      return session::DataDirection::Write;
    case scsi::DataDirection::None:
      break;
  }
  return session::DataDirection::None;
}

scsi::ResetKind reset_of(session::ResetKind k) {
  switch (k) {
    case session::ResetKind::LogicalUnit:
      return scsi::ResetKind::LogicalUnit;
    case session::ResetKind::TargetWarm:
      return scsi::ResetKind::TargetWarm;
    case session::ResetKind::TargetCold:
      break;
  }
  return scsi::ResetKind::TargetCold;
}

}  // namespace

std::unique_ptr<RamScsiPort> RamScsiPort::create(const RamLunSetup& setup) {
  std::unique_ptr<RamScsiPort> port(new RamScsiPort());
  auto lun0 =
      scsi::RamDevice::create(std::uint64_t{setup.blocks} * setup.block_size, setup.block_size);
  if (!lun0) return nullptr;
  scsi::LunOptions o0;
  o0.block_size = setup.block_size;
  o0.thin = setup.thin;
  o0.removable = setup.removable;
  o0.read_only = setup.read_only;
  if (port->target_.add(0, std::move(lun0).value(), o0)) return nullptr;
  auto lun1 = scsi::RamDevice::create(16 * 512, 512);
  if (!lun1) return nullptr;
  scsi::LunOptions o1;
  o1.read_only = setup.read_only_lun1;
  if (port->target_.add(1, std::move(lun1).value(), o1)) return nullptr;
  return port;
}

session::ScsiPlan RamScsiPort::plan(std::uint64_t lun, wire::ByteView cdb, std::uint64_t nexus) {
  scsi::CommandInfo info = target_.plan(lun, nexus, cdb);
  session::ScsiPlan p;
  p.direction = direction_of(info.direction);
  p.transfer_length = info.transfer_length;
  if (info.early) p.early = outcome_of(std::move(*info.early));
  return p;
}

session::ScsiOutcome RamScsiPort::execute(std::uint64_t lun, wire::ByteView cdb,
                                          std::uint64_t nexus, wire::ByteView data_out,
                                          std::uint32_t data_in_capacity) {
  scsi::Request rq;
  rq.cdb = cdb;
  rq.nexus = nexus;
  rq.data_out = data_out;
  rq.data_in_capacity = data_in_capacity;
  return outcome_of(target_.execute(lun, rq));
}

bool RamScsiPort::lun_exists(std::uint64_t lun) const {
  return target_.lun_exists(lun);
}

void RamScsiPort::reset(session::ResetKind kind, std::uint64_t lun, std::uint64_t) {
  target_.reset(reset_of(kind), lun);
}

void RamScsiPort::nexus_lost(std::uint64_t nexus) {
  target_.nexus_lost(nexus);
}

}  // namespace iscsi::fuzz
