#include "scsi/reservations.h"

#include <algorithm>

namespace iscsi::scsi {

namespace {

constexpr std::uint8_t kRegister = 0x00;
constexpr std::uint8_t kReserve = 0x01;
constexpr std::uint8_t kRelease = 0x02;
constexpr std::uint8_t kClear = 0x03;
constexpr std::uint8_t kPreempt = 0x04;
constexpr std::uint8_t kPreemptAndAbort = 0x05;
constexpr std::uint8_t kRegisterAndIgnore = 0x06;

constexpr std::uint8_t kReadKeys = 0x00;
constexpr std::uint8_t kReadReservation = 0x01;
constexpr std::uint8_t kReportCapabilities = 0x02;

constexpr std::uint8_t kLuScope = 0x0;

bool valid_type(std::uint8_t t) {
  return t == pr_type::kWriteExclusive || t == pr_type::kExclusiveAccess ||
         t == pr_type::kWriteExclusiveRegistrantsOnly ||
         t == pr_type::kExclusiveAccessRegistrantsOnly ||
         t == pr_type::kWriteExclusiveAllRegistrants ||
         t == pr_type::kExclusiveAccessAllRegistrants;
}

bool exclusive_access(std::uint8_t t) {
  return t == pr_type::kExclusiveAccess || t == pr_type::kExclusiveAccessRegistrantsOnly ||
         t == pr_type::kExclusiveAccessAllRegistrants;
}

bool registrants_type(std::uint8_t t) {
  return t >= pr_type::kWriteExclusiveRegistrantsOnly;
}

Result conflict() {
  return Result::with_status(Status::ReservationConflict);
}

// SPC-4 TransportID for iSCSI: FORMAT CODE 01b (iSCSI name and ISID) when
// the port name carries ",i,0x", else 00b (iSCSI name); ADDITIONAL LENGTH
// covers the null-terminated name padded to a multiple of four, at least 20.
wire::Bytes transport_id(const std::string& port_name) {
  const bool with_isid = port_name.find(",i,0x") != std::string::npos;
  wire::Bytes name(port_name.begin(), port_name.end());
  name.push_back(0);
  while (name.size() % 4 != 0 || name.size() < 20) name.push_back(0);
  wire::Bytes t(4, 0);
  t[0] = static_cast<std::uint8_t>((with_isid ? 0x40 : 0x00) | 0x05);
  wire::store_be16(&t[2], static_cast<std::uint16_t>(name.size()));
  t.insert(t.end(), name.begin(), name.end());
  return t;
}

}  // namespace

bool Reservations::all_registrants() const {
  return type_ == pr_type::kWriteExclusiveAllRegistrants ||
         type_ == pr_type::kExclusiveAccessAllRegistrants;
}

bool Reservations::holds(NexusId nexus) const {
  if (!holder_) return false;
  return all_registrants() ? registered(nexus) : *holder_ == nexus;
}

bool Reservations::conflicts(NexusId nexus, ReservationAccess access) const {
  if (access == ReservationAccess::Always) return false;
  // SPC-2 reservation: every other command from another nexus conflicts.
  if (spc2_holder_ && *spc2_holder_ != nexus) return true;
  if (!holder_ || holds(nexus) || access == ReservationAccess::UnderPersist) return false;
  // Registrants-only and all-registrants types admit every registrant.
  if (registrants_type(type_) && registered(nexus)) return false;
  if (access == ReservationAccess::Write) return true;
  return exclusive_access(type_);
}

Result Reservations::reserve(NexusId nexus) {
  // SPC-4 (CRH 1): RESERVE conflicts while registrations exist.
  if (!keys_.empty() || holder_) return conflict();
  if (spc2_holder_ && *spc2_holder_ != nexus) return conflict();
  spc2_holder_ = nexus;
  return Result::good();
}

Result Reservations::release(NexusId nexus) {
  if (!keys_.empty() || holder_) return conflict();
  // SPC-2 RELEASE: releasing a reservation held by another initiator, or
  // none, is not an error and changes nothing.
  if (spc2_holder_ && *spc2_holder_ == nexus) spc2_holder_.reset();
  return Result::good();
}

void Reservations::reset() {
  spc2_holder_.reset();
}

void Reservations::nexus_lost(NexusId nexus) {
  if (spc2_holder_ && *spc2_holder_ == nexus) spc2_holder_.reset();
}

void Reservations::register_port(NexusId nexus, std::string initiator_port_name) {
  if (port_names_.size() >= kMaxPortNames && port_names_.count(nexus) == 0) {
    // Forget a port without a registration first; its name is only needed
    // for READ FULL STATUS.
    for (auto it = port_names_.begin(); it != port_names_.end(); ++it) {
      if (!registered(it->first)) {
        port_names_.erase(it);
        break;
      }
    }
    if (port_names_.size() >= kMaxPortNames) return;
  }
  port_names_[nexus] = std::move(initiator_port_name);
}

void Reservations::unregister(NexusId nexus, Outcome& out) {
  keys_.erase(nexus);
  if (!holder_) return;
  if (all_registrants()) {
    // The reservation lasts while any registrant is left.
    if (keys_.empty()) holder_.reset();
    if (holder_ && *holder_ == nexus) holder_ = keys_.begin()->first;
    return;
  }
  if (*holder_ != nexus) return;
  // SPC-4: unregistering the holder releases the reservation; for the
  // registrants-only types the other registrants learn it.
  if (registrants_type(type_)) {
    for (const auto& [n, k] : keys_)
      out.unit_attentions.emplace_back(n, sense::reservations_released());
  }
  holder_.reset();
}

Reservations::Outcome Reservations::persistent_reserve_out(NexusId nexus, std::uint8_t sa,
                                                           std::uint8_t scope, std::uint8_t type,
                                                           wire::ByteView params) {
  Outcome out;
  out.result = Result::good();
  // The parser guarantees a 24-byte list (SPC-4 PERSISTENT RESERVE OUT
  // parameter list): RESERVATION KEY, SERVICE ACTION RESERVATION KEY, then
  // SPEC_I_P, ALL_TG_PT and APTPL in byte 20.
  if (params.size() < 24) {
    out.result = Result::check_condition(sense::parameter_list_length_error());
    return out;
  }
  const std::uint64_t rk = wire::load_be64(&params[0]);
  const std::uint64_t sark = wire::load_be64(&params[8]);
  const std::uint8_t flags = params[20];
  // REPORT CAPABILITIES: SIP_C, ATP_C and PTPL_C are zero.
  if (flags & 0x08) {
    out.result = Result::check_condition(sense::invalid_field_in_parameter_list(20, 3));
    return out;
  }
  const bool registering = sa == kRegister || sa == kRegisterAndIgnore;
  if (registering && (flags & 0x04)) {
    out.result = Result::check_condition(sense::invalid_field_in_parameter_list(20, 2));
    return out;
  }
  if (registering && (flags & 0x01)) {
    out.result = Result::check_condition(sense::invalid_field_in_parameter_list(20, 0));
    return out;
  }

  const auto own = keys_.find(nexus);
  if (registering) {
    if (own == keys_.end()) {
      // SPC-4: an unregistered nexus registering with a non-zero
      // RESERVATION KEY → RESERVATION CONFLICT (REGISTER only).
      if (sa == kRegister && rk != 0) {
        out.result = conflict();
        return out;
      }
      if (sark == 0) return out;  // nothing to register
      if (keys_.size() >= kMaxRegistrations) {
        // INSUFFICIENT REGISTRATION RESOURCES (55/04).
        Sense s;
        s.key = SenseKey::IllegalRequest;
        s.asc = 0x55;
        s.ascq = 0x04;
        out.result = Result::check_condition(s);
        return out;
      }
      keys_[nexus] = sark;
      ++generation_;
      return out;
    }
    if (sa == kRegister && rk != own->second) {
      out.result = conflict();
      return out;
    }
    if (sark == 0) {
      unregister(nexus, out);
    } else {
      own->second = sark;
    }
    ++generation_;
    return out;
  }

  // Every other service action needs a registered nexus with its key.
  if (own == keys_.end() || own->second != rk) {
    out.result = conflict();
    return out;
  }
  const bool scoped = sa == kReserve || sa == kRelease || sa == kPreempt || sa == kPreemptAndAbort;
  if (scoped && scope != kLuScope) {
    out.result = Result::check_condition(sense::invalid_field_in_cdb(2, 7));
    return out;
  }
  if ((sa == kReserve || sa == kPreempt || sa == kPreemptAndAbort) && !valid_type(type)) {
    out.result = Result::check_condition(sense::invalid_field_in_cdb(2, 3));
    return out;
  }

  switch (sa) {
    case kReserve:
      if (holder_) {
        if (!holds(nexus) || type != type_) out.result = conflict();
        return out;
      }
      holder_ = nexus;
      type_ = type;
      return out;

    case kRelease:
      if (!holder_ || !holds(nexus)) return out;  // nothing of this nexus to release
      if (type != type_) {
        out.result = Result::check_condition(sense::invalid_release_of_persistent_reservation());
        return out;
      }
      if (registrants_type(type_)) {
        for (const auto& [n, k] : keys_) {
          if (n != nexus) out.unit_attentions.emplace_back(n, sense::reservations_released());
        }
      }
      holder_.reset();
      return out;

    case kClear:
      for (const auto& [n, k] : keys_) {
        if (n != nexus) out.unit_attentions.emplace_back(n, sense::reservations_preempted());
      }
      keys_.clear();
      holder_.reset();
      ++generation_;
      return out;

    case kPreempt:
    case kPreemptAndAbort: {
      const bool all = holder_ && all_registrants();
      if (sark == 0 && !all) {
        out.result = Result::check_condition(sense::invalid_field_in_parameter_list(8));
        return out;
      }
      // Registrations to remove: those with key SARK (every other one for
      // SARK 0 under an all-registrants reservation), never the preempting
      // nexus's own.
      std::vector<NexusId> removed;
      for (const auto& [n, k] : keys_) {
        if (n != nexus && (k == sark || (all && sark == 0))) removed.push_back(n);
      }
      const bool takes_reservation =
          holder_ && ((all && sark == 0) || (!all && keys_.at(*holder_) == sark));
      if (removed.empty() && !takes_reservation) {
        out.result = conflict();
        return out;
      }
      for (NexusId n : removed) {
        keys_.erase(n);
        out.unit_attentions.emplace_back(n, sense::registrations_preempted());
      }
      if (takes_reservation) {
        const bool changed = type != type_;
        holder_ = nexus;
        type_ = type;
        if (changed) {
          for (const auto& [n, k] : keys_) {
            if (n != nexus) out.unit_attentions.emplace_back(n, sense::reservations_released());
          }
        }
      } else if (holder_ && all && keys_.empty()) {
        holder_.reset();
      }
      ++generation_;
      return out;
    }
    default:
      out.result = Result::check_condition(sense::invalid_field_in_cdb(1, 4));
      return out;
  }
}

wire::Bytes Reservations::persistent_reserve_in(std::uint8_t sa) const {
  wire::Bytes d(8, 0);
  if (sa == kReportCapabilities) {
    // SPC-4 REPORT CAPABILITIES parameter data: LENGTH 0008h; CRH 1; TMV 1
    // with ALLOW COMMANDS 000b; the six reservation types in the TYPE MASK.
    d[1] = 0x08;
    d[2] = 0x10;
    d[3] = 0x80;
    d[4] = 0x80 | 0x40 | 0x20 | 0x08 | 0x02;
    d[5] = 0x01;
    return d;
  }
  wire::store_be32(&d[0], generation_);
  if (sa == kReadKeys) {
    for (const auto& [n, k] : keys_) {
      const std::size_t at = d.size();
      d.resize(at + 8);
      wire::store_be64(&d[at], k);
    }
  } else if (sa == kReadReservation) {
    if (holder_) {
      d.resize(24, 0);
      // The all-registrants types report a RESERVATION KEY of zero.
      if (!all_registrants()) wire::store_be64(&d[8], keys_.at(*holder_));
      d[21] = static_cast<std::uint8_t>(kLuScope << 4 | type_);
    }
  } else {
    // READ FULL STATUS: one descriptor per registration.
    for (const auto& [n, k] : keys_) {
      wire::Bytes desc(24, 0);
      wire::store_be64(&desc[0], k);
      if (holds(n)) {
        desc[12] = 0x01;  // R_HOLDER
        desc[13] = static_cast<std::uint8_t>(kLuScope << 4 | type_);
      }
      wire::store_be16(&desc[18], 1);  // RELATIVE TARGET PORT IDENTIFIER
      const auto name = port_names_.find(n);
      const wire::Bytes tid =
          transport_id(name != port_names_.end() ? name->second : std::string());
      wire::store_be32(&desc[20], static_cast<std::uint32_t>(tid.size()));
      desc.insert(desc.end(), tid.begin(), tid.end());
      d.insert(d.end(), desc.begin(), desc.end());
    }
  }
  wire::store_be32(&d[4], static_cast<std::uint32_t>(d.size() - 8));
  return d;
}

}  // namespace iscsi::scsi
