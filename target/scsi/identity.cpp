#include "scsi/identity.h"

#include <cstdio>

namespace iscsi::scsi {

namespace {

// FNV-1a, 64 bits: a fixed, portable hash (std::hash is neither).
std::uint64_t fnv1a(std::string_view data, std::uint64_t h = 0xcbf29ce484222325ull) {
  for (unsigned char c : data) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

}  // namespace

Identity make_identity(std::string_view target_name, std::uint16_t lun,
                       std::uint16_t portal_group_tag) {
  Identity id;
  id.target_name = std::string(target_name);
  id.portal_group_tag = portal_group_tag;
  id.relative_port = 1;
  std::uint64_t h = fnv1a(target_name);
  h = fnv1a(std::string_view("\0lun", 4), h);
  const char lun_bytes[2] = {static_cast<char>(lun >> 8), static_cast<char>(lun & 0xff)};
  h = fnv1a(std::string_view(lun_bytes, 2), h);
  id.naa = (std::uint64_t{0x3} << 60) | (h & 0x0fffffffffffffffull);
  char serial[17];
  std::snprintf(serial, sizeof serial, "%016llX", static_cast<unsigned long long>(h));
  id.serial = serial;
  return id;
}

std::string target_port_name(std::string_view target_name, std::uint16_t portal_group_tag) {
  char tag[8];
  std::snprintf(tag, sizeof tag, "%04x", portal_group_tag);
  return std::string(target_name) + ",t,0x" + tag;
}

}  // namespace iscsi::scsi
