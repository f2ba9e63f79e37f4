// What a logical unit says about itself in INQUIRY data: vendor, product,
// revision, unit serial number, its NAA designator, and the iSCSI names of
// the target device and target port it is reached through.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace iscsi::scsi {

struct Identity {
  std::string vendor = "HARNESS";          // T10 VENDOR IDENTIFICATION, 8 bytes space-padded
  std::string product = "REFERENCE DISK";  // PRODUCT IDENTIFICATION, 16 bytes space-padded
  std::string revision = "0001";           // PRODUCT REVISION LEVEL, 4 bytes space-padded
  std::string serial;                      // Unit Serial Number VPD page (80h)
  // Eight bytes of an NAA designator; the top nibble is the NAA field.
  std::uint64_t naa = 0;
  std::string target_name;             // iSCSI name of the target device
  std::uint16_t portal_group_tag = 1;  // TPGT of the target port
  std::uint16_t relative_port = 1;     // RELATIVE TARGET PORT IDENTIFIER (0 is reserved)
};

// A deterministic identity for LUN `lun` of target `target_name`: the same
// inputs give the same serial number and NAA designator on every run, so
// initiators (multipath, /dev/disk/by-id) recognise the unit again. The
// designator is an SPC-4 NAA designator with NAA 3h (locally assigned); its
// other 60 bits come from a hash of both inputs.
Identity make_identity(std::string_view target_name, std::uint16_t lun,
                       std::uint16_t portal_group_tag);

// RFC 3720 §3.4.2 (SCSI Architecture Model): the SCSI target port name of
// an iSCSI target is its iSCSI name followed by ",t,0x" and the target portal
// group tag in hex; four lower-case hex digits are used here.
std::string target_port_name(std::string_view target_name, std::uint16_t portal_group_tag);

}  // namespace iscsi::scsi
