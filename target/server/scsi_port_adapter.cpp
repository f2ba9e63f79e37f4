#include "server/scsi_port_adapter.h"

#include <cstdio>

namespace iscsi::server {
namespace {

session::ScsiOutcome outcome_of(scsi::Result r) {
  session::ScsiOutcome o;
  o.status = static_cast<std::uint8_t>(r.status);
  if (r.sense) o.sense = r.sense->fixed();
  o.data_in = std::move(r.data_in);
  if (r.pending) {
    o.deferred = session::ScsiOutcome::Deferred{r.pending->operation, r.pending->ready_at};
  }
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

}  // namespace

session::ScsiPlan ScsiPortAdapter::plan(std::uint64_t lun, wire::ByteView cdb, std::uint64_t nexus,
                                        std::uint32_t expected_data_out) {
  std::lock_guard lock(mutex_);
  scsi::CommandInfo info = target_->plan(lun, nexus, cdb, expected_data_out);
  session::ScsiPlan p;
  p.direction = direction_of(info.direction);
  p.transfer_length = info.transfer_length;
  if (info.early) p.early = outcome_of(std::move(*info.early));
  return p;
}

session::ScsiOutcome ScsiPortAdapter::execute(std::uint64_t lun, wire::ByteView cdb,
                                              std::uint64_t nexus, wire::ByteView data_out,
                                              std::uint32_t data_in_capacity) {
  std::lock_guard lock(mutex_);
  scsi::Request rq;
  rq.cdb = cdb;
  rq.nexus = nexus;
  rq.data_out = data_out;
  rq.data_in_capacity = data_in_capacity;
  return outcome_of(target_->execute(lun, rq));
}

void ScsiPortAdapter::advance(session::ScsiTime now) {
  std::lock_guard lock(mutex_);
  target_->advance(now);
}

session::ScsiOutcome ScsiPortAdapter::poll(std::uint64_t lun, std::uint64_t token) {
  std::lock_guard lock(mutex_);
  return outcome_of(target_->poll(lun, token));
}

void ScsiPortAdapter::forget(std::uint64_t lun, std::uint64_t token) {
  std::lock_guard lock(mutex_);
  target_->forget(lun, token);
}

bool ScsiPortAdapter::lun_exists(std::uint64_t lun) const {
  std::lock_guard lock(mutex_);
  return target_->lun_exists(lun);
}

void ScsiPortAdapter::reset(session::ResetKind kind, std::uint64_t lun, std::uint64_t) {
  std::lock_guard lock(mutex_);
  switch (kind) {
    case session::ResetKind::LogicalUnit:
      target_->reset(scsi::ResetKind::LogicalUnit, lun);
      break;
    case session::ResetKind::TargetWarm:
      target_->reset(scsi::ResetKind::TargetWarm, lun);
      break;
    case session::ResetKind::TargetCold:
      target_->reset(scsi::ResetKind::TargetCold, lun);
      break;
  }
}

}  // namespace iscsi::server

namespace iscsi::server {

void ScsiPortAdapter::nexus_lost(std::uint64_t nexus) {
  std::lock_guard lock(mutex_);
  target_->nexus_lost(nexus);
}

void ScsiPortAdapter::register_nexus(std::uint64_t nexus, const std::string& initiator_name,
                                     std::uint64_t isid) {
  // RFC 3720 §3.4.2: the initiator port name is the iSCSI name, ",i,0x"
  // and the ISID in hex (six bytes, twelve digits).
  char hex[13];
  std::snprintf(hex, sizeof hex, "%012llx",
                static_cast<unsigned long long>(isid & 0xffffffffffffull));
  std::lock_guard lock(mutex_);
  target_->register_nexus(nexus, initiator_name + ",i,0x" + hex);
}

}  // namespace iscsi::server
