#include "scsi/sense.h"

#include <algorithm>
#include <cstdio>

namespace iscsi::scsi {

namespace {

// SPC-4 §4.5.3: response code 70h = current error, fixed format; 71h =
// deferred error, fixed format.
constexpr std::uint8_t kCurrentFixed = 0x70;
constexpr std::uint8_t kDeferredFixed = 0x71;
// Bytes after the ADDITIONAL SENSE LENGTH byte (18 - 8).
constexpr std::uint8_t kAdditionalLength = kFixedSenseLength - 8;

Sense make(SenseKey key, std::uint8_t asc, std::uint8_t ascq) {
  Sense s;
  s.key = key;
  s.asc = asc;
  s.ascq = ascq;
  return s;
}

Sense with_information(Sense s, std::optional<std::uint64_t> info) {
  s.information = info;
  return s;
}

}  // namespace

wire::Bytes Sense::fixed() const {
  wire::Bytes out(kFixedSenseLength, 0);
  const bool valid = information.has_value() && *information <= 0xffffffffu;
  out[0] = static_cast<std::uint8_t>((valid ? 0x80 : 0x00) | kCurrentFixed);
  out[2] = static_cast<std::uint8_t>(key) & 0x0f;
  if (valid) wire::store_be32(&out[3], static_cast<std::uint32_t>(*information));
  out[7] = kAdditionalLength;
  out[12] = asc;
  out[13] = ascq;
  if (field) {
    // SPC-4 §4.5.2.4.2: SKSV, C/D, BPV and BIT POINTER in the first byte of
    // the sense key specific field, FIELD POINTER in the next two.
    std::uint8_t b = 0x80;
    if (field->in_cdb) b |= 0x40;
    if (field->bit) b |= static_cast<std::uint8_t>(0x08 | (*field->bit & 0x07));
    out[15] = b;
    wire::store_be16(&out[16], field->byte);
  } else if (progress) {
    // SPC-4 §4.5.2.4.4: SKSV set, PROGRESS INDICATION in bytes 16-17.
    out[15] = 0x80;
    wire::store_be16(&out[16], *progress);
  }
  return out;
}

std::string Sense::describe() const {
  static const char* const kNames[16] = {
      "NO SENSE",       "RECOVERED ERROR", "NOT READY",      "MEDIUM ERROR",
      "HARDWARE ERROR", "ILLEGAL REQUEST", "UNIT ATTENTION", "DATA PROTECT",
      "BLANK CHECK",    "VENDOR SPECIFIC", "COPY ABORTED",   "ABORTED COMMAND",
      "RESERVED (0Ch)", "VOLUME OVERFLOW", "MISCOMPARE",     "RESERVED (0Fh)",
  };
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s %02X/%02X", kNames[static_cast<unsigned>(key) & 0x0f], asc,
                ascq);
  return buf;
}

std::optional<Sense> decode_fixed_sense(wire::ByteView data) {
  if (data.size() < 14) return std::nullopt;
  const std::uint8_t code = data[0] & 0x7f;
  if (code != kCurrentFixed && code != kDeferredFixed) return std::nullopt;
  if (data.size() < 8u + data[7] || data[7] < 6) return std::nullopt;
  Sense s;
  s.key = static_cast<SenseKey>(data[2] & 0x0f);
  if (data[0] & 0x80) s.information = wire::load_be32(&data[3]);
  s.asc = data[12];
  s.ascq = data[13];
  const bool progress_key = s.key == SenseKey::NoSense || s.key == SenseKey::NotReady;
  if (data[7] >= 10 && (data[15] & 0x80) && progress_key) {
    // SPC-4 §4.5.2.4.1: with NO SENSE and NOT READY the sense key specific
    // field is a progress indication.
    s.progress = wire::load_be16(&data[16]);
  } else if (data[7] >= 10 && (data[15] & 0x80)) {
    FieldPointer f;
    f.in_cdb = (data[15] & 0x40) != 0;
    if (data[15] & 0x08) f.bit = data[15] & 0x07;
    f.byte = wire::load_be16(&data[16]);
    s.field = f;
  }
  return s;
}

wire::Bytes iscsi_sense_segment(const Sense& sense) {
  const wire::Bytes fixed = sense.fixed();
  wire::Bytes out(2 + fixed.size());
  wire::store_be16(out.data(), static_cast<std::uint16_t>(fixed.size()));
  std::copy(fixed.begin(), fixed.end(), out.begin() + 2);
  return out;
}

namespace sense {

Sense no_sense() {
  return make(SenseKey::NoSense, 0x00, 0x00);
}

Sense invalid_command_operation_code() {
  return make(SenseKey::IllegalRequest, 0x20, 0x00);
}

Sense invalid_field_in_cdb(std::uint16_t byte, std::optional<std::uint8_t> bit) {
  Sense s = make(SenseKey::IllegalRequest, 0x24, 0x00);
  s.field = FieldPointer{.in_cdb = true, .byte = byte, .bit = bit};
  return s;
}

Sense invalid_field_in_cdb() {
  return make(SenseKey::IllegalRequest, 0x24, 0x00);
}

Sense lba_out_of_range() {
  return make(SenseKey::IllegalRequest, 0x21, 0x00);
}

Sense logical_unit_not_supported() {
  return make(SenseKey::IllegalRequest, 0x25, 0x00);
}

Sense parameter_list_length_error() {
  return make(SenseKey::IllegalRequest, 0x1a, 0x00);
}

Sense invalid_field_in_parameter_list(std::uint16_t byte, std::optional<std::uint8_t> bit) {
  Sense s = make(SenseKey::IllegalRequest, 0x26, 0x00);
  s.field = FieldPointer{.in_cdb = false, .byte = byte, .bit = bit};
  return s;
}

Sense saving_parameters_not_supported() {
  return make(SenseKey::IllegalRequest, 0x39, 0x00);
}

Sense invalid_field_in_command_information_unit() {
  return make(SenseKey::IllegalRequest, 0x0e, 0x03);
}

Sense invalid_release_of_persistent_reservation() {
  return make(SenseKey::IllegalRequest, 0x26, 0x04);
}
Sense too_many_target_descriptors() {
  return make(SenseKey::IllegalRequest, 0x26, 0x06);
}
Sense unsupported_target_descriptor_type_code() {
  return make(SenseKey::IllegalRequest, 0x26, 0x07);
}
Sense too_many_segment_descriptors() {
  return make(SenseKey::IllegalRequest, 0x26, 0x08);
}
Sense unsupported_segment_descriptor_type_code() {
  return make(SenseKey::IllegalRequest, 0x26, 0x09);
}
Sense parameter_value_invalid(std::uint16_t byte) {
  Sense s = make(SenseKey::IllegalRequest, 0x26, 0x02);
  s.field = FieldPointer{.in_cdb = false, .byte = byte, .bit = std::nullopt};
  return s;
}
Sense medium_removal_prevented() {
  return make(SenseKey::IllegalRequest, 0x53, 0x02);
}

Sense software_write_protected() {
  return make(SenseKey::DataProtect, 0x27, 0x02);
}

Sense write_protected() {
  return make(SenseKey::DataProtect, 0x27, 0x00);
}

Sense space_allocation_failed_write_protect() {
  return make(SenseKey::DataProtect, 0x27, 0x07);
}

Sense power_on_reset_or_bus_device_reset() {
  return make(SenseKey::UnitAttention, 0x29, 0x00);
}
Sense power_on_occurred() {
  return make(SenseKey::UnitAttention, 0x29, 0x01);
}
Sense scsi_bus_reset_occurred() {
  return make(SenseKey::UnitAttention, 0x29, 0x02);
}
Sense bus_device_reset_function_occurred() {
  return make(SenseKey::UnitAttention, 0x29, 0x03);
}
Sense i_t_nexus_loss_occurred() {
  return make(SenseKey::UnitAttention, 0x29, 0x07);
}
Sense mode_parameters_changed() {
  return make(SenseKey::UnitAttention, 0x2a, 0x01);
}
Sense reservations_preempted() {
  return make(SenseKey::UnitAttention, 0x2a, 0x03);
}
Sense reservations_released() {
  return make(SenseKey::UnitAttention, 0x2a, 0x04);
}
Sense registrations_preempted() {
  return make(SenseKey::UnitAttention, 0x2a, 0x05);
}
Sense capacity_data_has_changed() {
  return make(SenseKey::UnitAttention, 0x2a, 0x09);
}
Sense reported_luns_data_has_changed() {
  return make(SenseKey::UnitAttention, 0x3f, 0x0e);
}

Sense medium_not_present() {
  return make(SenseKey::NotReady, 0x3a, 0x00);
}

Sense sanitize_in_progress(std::uint16_t progress) {
  Sense s = make(SenseKey::NotReady, 0x04, 0x1b);
  s.progress = progress;
  return s;
}

Sense unrecovered_read_error(std::optional<std::uint64_t> lba) {
  return with_information(make(SenseKey::MediumError, 0x11, 0x00), lba);
}

Sense write_error(std::optional<std::uint64_t> lba) {
  return with_information(make(SenseKey::MediumError, 0x0c, 0x00), lba);
}

Sense internal_target_failure() {
  return make(SenseKey::HardwareError, 0x44, 0x00);
}

Sense miscompare_during_verify(std::uint64_t offset) {
  return with_information(make(SenseKey::Miscompare, 0x1d, 0x00), offset);
}

Sense copy_aborted(std::uint8_t asc, std::uint8_t ascq) {
  return make(SenseKey::CopyAborted, asc, ascq);
}
Sense unreachable_copy_target() {
  return make(SenseKey::CopyAborted, 0x08, 0x04);
}

Sense aborted_command() {
  return make(SenseKey::AbortedCommand, 0x00, 0x00);
}
Sense protocol_service_crc_error() {
  return make(SenseKey::AbortedCommand, 0x47, 0x05);
}
Sense unexpected_unsolicited_data() {
  return make(SenseKey::AbortedCommand, 0x0c, 0x0c);
}
Sense incorrect_amount_of_data() {
  return make(SenseKey::AbortedCommand, 0x0c, 0x0d);
}
Sense snack_rejected() {
  return make(SenseKey::AbortedCommand, 0x11, 0x13);
}

}  // namespace sense

}  // namespace iscsi::scsi
