// SCSI status codes and fixed-format sense data (SPC-4 §4.5.3), with one
// named constructor per condition the reference target reports, and the
// iSCSI wire form of sense in a SCSI Response data segment (RFC 3720 §10.4.7).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "wire/bytes.h"

namespace iscsi::scsi {

// SAM-5 §5.3.1 status codes.
enum class Status : std::uint8_t {
  Good = 0x00,
  CheckCondition = 0x02,
  ConditionMet = 0x04,
  Busy = 0x08,
  ReservationConflict = 0x18,
  TaskSetFull = 0x28,
  AcaActive = 0x30,
  TaskAborted = 0x40,
};

// SPC-4 §4.5.6: sense keys.
enum class SenseKey : std::uint8_t {
  NoSense = 0x0,
  RecoveredError = 0x1,
  NotReady = 0x2,
  MediumError = 0x3,
  HardwareError = 0x4,
  IllegalRequest = 0x5,
  UnitAttention = 0x6,
  DataProtect = 0x7,
  BlankCheck = 0x8,
  VendorSpecific = 0x9,
  CopyAborted = 0xa,
  AbortedCommand = 0xb,
  VolumeOverflow = 0xd,
  Miscompare = 0xe,
};

// SPC-4 §4.5.2.4.2 (field pointer sense key specific data): which
// byte (and optionally bit) of the CDB or parameter list is in error.
struct FieldPointer {
  bool in_cdb = true;               // C/D: 1 = CDB, 0 = parameter list
  std::uint16_t byte = 0;           // FIELD POINTER: most significant byte of the field
  std::optional<std::uint8_t> bit;  // BPV + BIT POINTER: most significant bit of the field
  bool operator==(const FieldPointer&) const = default;
};

struct Sense {
  SenseKey key = SenseKey::NoSense;
  std::uint8_t asc = 0;
  std::uint8_t ascq = 0;
  // INFORMATION field; VALID is set only when the value fits the four bytes
  // of fixed format (SPC-4 §4.5.3: "If the information ... does not fit, the
  // VALID bit shall be set to zero").
  std::optional<std::uint64_t> information;
  std::optional<FieldPointer> field;  // SKSV + sense-key specific field pointer
  // SKSV + sense-key specific PROGRESS INDICATION (SPC-4 §4.5.2.4.4): the
  // fraction of the operation done, numerator over 65536. Meaningful with
  // the NO SENSE and NOT READY sense keys; never set together with `field`.
  std::optional<std::uint16_t> progress;

  bool operator==(const Sense&) const = default;

  // 18 bytes of fixed-format sense data, response code 70h (current error).
  wire::Bytes fixed() const;
  // "ILLEGAL REQUEST 24/00" style, for logs and test failures.
  std::string describe() const;
};

// Length of the fixed-format sense data this module produces.
inline constexpr std::size_t kFixedSenseLength = 18;

// Parses fixed-format sense data (response code 70h or 71h). Returns nothing
// for descriptor format or data shorter than the additional sense length says.
std::optional<Sense> decode_fixed_sense(wire::ByteView data);

// RFC 3720 §10.4.7: the data segment of a SCSI Response carrying sense is a
// 2-byte SenseLength followed by the sense data.
wire::Bytes iscsi_sense_segment(const Sense& sense);

namespace sense {

Sense no_sense();

// ILLEGAL REQUEST. ASC/ASCQ values from SPC-4 §4.5.6 (ASC and ASCQ assignments).
Sense invalid_command_operation_code();  // 20/00
Sense invalid_field_in_cdb(std::uint16_t byte,
                           std::optional<std::uint8_t> bit = std::nullopt);  // 24/00
Sense invalid_field_in_cdb();         // 24/00 without field pointer
Sense lba_out_of_range();             // 21/00
Sense logical_unit_not_supported();   // 25/00
Sense parameter_list_length_error();  // 1A/00
Sense invalid_field_in_parameter_list(std::uint16_t byte,
                                      std::optional<std::uint8_t> bit = std::nullopt);  // 26/00
Sense saving_parameters_not_supported();                                                // 39/00
Sense invalid_field_in_command_information_unit();                                      // 0E/03
Sense invalid_release_of_persistent_reservation();                                      // 26/04
Sense too_many_target_descriptors();                                                    // 26/06
Sense unsupported_target_descriptor_type_code();                                        // 26/07
Sense too_many_segment_descriptors();                                                   // 26/08
Sense unsupported_segment_descriptor_type_code();                                       // 26/09
Sense parameter_value_invalid(std::uint16_t byte);                                      // 26/02
Sense medium_removal_prevented();                                                       // 53/02

// DATA PROTECT.
Sense write_protected();                        // 27/00
Sense space_allocation_failed_write_protect();  // 27/07
Sense software_write_protected();               // 27/02

// UNIT ATTENTION.
Sense power_on_reset_or_bus_device_reset();  // 29/00
Sense power_on_occurred();                   // 29/01
Sense scsi_bus_reset_occurred();             // 29/02
Sense bus_device_reset_function_occurred();  // 29/03
Sense i_t_nexus_loss_occurred();             // 29/07
Sense mode_parameters_changed();             // 2A/01
Sense reservations_preempted();              // 2A/03
Sense reservations_released();               // 2A/04
Sense registrations_preempted();             // 2A/05
Sense capacity_data_has_changed();           // 2A/09
Sense reported_luns_data_has_changed();      // 3F/0E

// NOT READY.
Sense medium_not_present();  // 3A/00
// LOGICAL UNIT NOT READY, SANITIZE IN PROGRESS, with the progress indication
// (SBC-3 §4.11).
Sense sanitize_in_progress(std::uint16_t progress);  // 04/1B

// MEDIUM ERROR; `lba` is the first logical block in error when known.
Sense unrecovered_read_error(std::optional<std::uint64_t> lba = std::nullopt);  // 11/00
Sense write_error(std::optional<std::uint64_t> lba = std::nullopt);             // 0C/00

// HARDWARE ERROR.
Sense internal_target_failure();  // 44/00

// MISCOMPARE; `offset` is the byte offset of the first difference.
Sense miscompare_during_verify(std::uint64_t offset);  // 1D/00

// COPY ABORTED (SPC-4 EXTENDED COPY): the copy stopped; `cause` carries
// the ASC/ASCQ of what stopped it (e.g. LBA OUT OF RANGE).
Sense copy_aborted(std::uint8_t asc, std::uint8_t ascq);
Sense unreachable_copy_target();  // 08/04

// ABORTED COMMAND.
Sense aborted_command();  // 00/00, no additional sense information
// RFC 3720 §10.4.7.2: iSCSI's own conditions, all with ABORTED COMMAND.
Sense protocol_service_crc_error();   // 47/05, data digest failure (§6.7)
Sense unexpected_unsolicited_data();  // 0C/0C
Sense incorrect_amount_of_data();     // 0C/0D
Sense snack_rejected();               // 11/13

}  // namespace sense

}  // namespace iscsi::scsi
