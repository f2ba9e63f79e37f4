// CDB builders for the tests, laid out from the SBC-3 / SPC-4 CDB tables.
#pragma once

#include <cstdint>

#include "wire/bytes.h"

namespace iscsi::scsi::testing {

using wire::Bytes;

// READ(6)/WRITE(6): opcode, 21-bit LBA in bytes 1-3, TRANSFER LENGTH byte 4.
inline Bytes cdb6_rw(std::uint8_t opcode, std::uint32_t lba, std::uint8_t length) {
  return Bytes{opcode,
               static_cast<std::uint8_t>((lba >> 16) & 0x1f),
               static_cast<std::uint8_t>(lba >> 8),
               static_cast<std::uint8_t>(lba),
               length,
               0};
}

// 10-byte block CDB: flags byte 1, LBA bytes 2-5, length bytes 7-8.
inline Bytes cdb10(std::uint8_t opcode, std::uint32_t lba, std::uint16_t length,
                   std::uint8_t flags = 0) {
  Bytes c(10, 0);
  c[0] = opcode;
  c[1] = flags;
  wire::store_be32(&c[2], lba);
  wire::store_be16(&c[7], length);
  return c;
}

// 12-byte block CDB: LBA bytes 2-5, length bytes 6-9.
inline Bytes cdb12(std::uint8_t opcode, std::uint32_t lba, std::uint32_t length,
                   std::uint8_t flags = 0) {
  Bytes c(12, 0);
  c[0] = opcode;
  c[1] = flags;
  wire::store_be32(&c[2], lba);
  wire::store_be32(&c[6], length);
  return c;
}

// 16-byte block CDB: LBA bytes 2-9, length bytes 10-13.
inline Bytes cdb16(std::uint8_t opcode, std::uint64_t lba, std::uint32_t length,
                   std::uint8_t flags = 0) {
  Bytes c(16, 0);
  c[0] = opcode;
  c[1] = flags;
  wire::store_be64(&c[2], lba);
  wire::store_be32(&c[10], length);
  return c;
}

// INQUIRY: EVPD byte 1 bit 0, PAGE CODE byte 2, ALLOCATION LENGTH bytes 3-4.
inline Bytes inquiry(bool evpd, std::uint8_t page, std::uint16_t alloc) {
  return Bytes{0x12,
               static_cast<std::uint8_t>(evpd ? 1 : 0),
               page,
               static_cast<std::uint8_t>(alloc >> 8),
               static_cast<std::uint8_t>(alloc),
               0};
}

// MODE SENSE(6): DBD byte 1 bit 3, PC|PAGE byte 2, SUBPAGE byte 3, ALLOC byte 4.
inline Bytes mode_sense6(bool dbd, std::uint8_t pc, std::uint8_t page, std::uint8_t alloc,
                         std::uint8_t subpage = 0) {
  return Bytes{0x1a,
               static_cast<std::uint8_t>(dbd ? 0x08 : 0),
               static_cast<std::uint8_t>((pc << 6) | page),
               subpage,
               alloc,
               0};
}

// MODE SENSE(10): LLBAA byte 1 bit 4, DBD bit 3, PC|PAGE byte 2, SUBPAGE
// byte 3, ALLOCATION LENGTH bytes 7-8.
inline Bytes mode_sense10(bool llbaa, bool dbd, std::uint8_t pc, std::uint8_t page,
                          std::uint16_t alloc, std::uint8_t subpage = 0) {
  Bytes c(10, 0);
  c[0] = 0x5a;
  c[1] = static_cast<std::uint8_t>((llbaa ? 0x10 : 0) | (dbd ? 0x08 : 0));
  c[2] = static_cast<std::uint8_t>((pc << 6) | page);
  c[3] = subpage;
  wire::store_be16(&c[7], alloc);
  return c;
}

// READ CAPACITY(16): SERVICE ACTION IN(16) 9Eh, SA 10h, ALLOCATION LENGTH
// bytes 10-13.
inline Bytes read_capacity16(std::uint32_t alloc) {
  Bytes c(16, 0);
  c[0] = 0x9e;
  c[1] = 0x10;
  wire::store_be32(&c[10], alloc);
  return c;
}

// REPORT LUNS: SELECT REPORT byte 2, ALLOCATION LENGTH bytes 6-9.
inline Bytes report_luns(std::uint8_t select, std::uint32_t alloc) {
  Bytes c(12, 0);
  c[0] = 0xa0;
  c[2] = select;
  wire::store_be32(&c[6], alloc);
  return c;
}

// START STOP UNIT: IMMED byte 1 bit 0; byte 4: POWER CONDITION 7-4,
// NO_FLUSH bit 2, LOEJ bit 1, START bit 0.
inline Bytes start_stop(bool loej, bool start, std::uint8_t power_condition = 0, bool immed = false,
                        bool no_flush = false) {
  return Bytes{0x1b,
               static_cast<std::uint8_t>(immed ? 1 : 0),
               0,
               0,
               static_cast<std::uint8_t>((power_condition << 4) | (no_flush ? 4 : 0) |
                                         (loej ? 2 : 0) | (start ? 1 : 0)),
               0};
}

inline Bytes test_unit_ready() {
  return Bytes{0x00, 0, 0, 0, 0, 0};
}

inline Bytes request_sense(std::uint8_t alloc, bool desc = false) {
  return Bytes{0x03, static_cast<std::uint8_t>(desc ? 1 : 0), 0, 0, alloc, 0};
}

}  // namespace iscsi::scsi::testing
