// The `--lun N=BACKEND[,OPTION...]` specification of the command line:
//   BACKEND  ram:SIZE | file:PATH[:SIZE] | null:SIZE
//   SIZE     decimal bytes with an optional binary multiple K, M, G or T
//            (512, 64K, 64M, 1G, 2T; lower case accepted)
//   OPTION   ro | removable | thin | bs=512 | bs=4096 | sanitize-time=SEC
//            sanitize-time: a SANITIZE takes at least SEC seconds (0 to
//            kMaxSanitizeSeconds, default 0: as fast as the backend allows),
//            for testing how initiators handle a long sanitize operation
// e.g. `0=ram:1G,thin` or `1=file:/tmp/x.img:64M,bs=4096,ro`. A PATH may
// contain ':' (the last ':'-part is taken as SIZE only when it parses as
// one) but not ','.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "wire/result.h"

namespace iscsi::scsi {

enum class BackendKind : std::uint8_t { Ram, File, Null };

struct BackendSpec {
  BackendKind kind = BackendKind::Ram;
  std::string path;                   // File only
  std::optional<std::uint64_t> size;  // bytes; always set for Ram and Null
  bool operator==(const BackendSpec&) const = default;
};

struct LunOptions {
  bool read_only = false;
  bool removable = false;
  bool thin = false;
  std::uint32_t block_size = 512;
  // Least duration of a sanitize operation (SBC-3 §4.11), in seconds.
  std::uint32_t sanitize_seconds = 0;
  bool operator==(const LunOptions&) const = default;
};

struct LunSpec {
  std::uint16_t lun = 0;
  BackendSpec backend;
  LunOptions options;
  bool operator==(const LunSpec&) const = default;
};

// The LUN the target serves when the command line names none.
inline constexpr std::string_view kDefaultLunSpec = "0=ram:1G,thin";

// Longest `sanitize-time` accepted: one hour.
inline constexpr std::uint32_t kMaxSanitizeSeconds = 3600;

// Largest LUN number single level flat space addressing can express (SAM-5,
// flat space addressing method: a 14-bit FLAT SPACE LUN field).
inline constexpr std::uint16_t kMaxLunNumber = 16383;

// Parses "64M" and friends. Errors name the offending text.
wire::Result<std::uint64_t, std::string> parse_size(std::string_view text);

// Parses one `--lun` argument. The error message names the bad part.
wire::Result<LunSpec, std::string> parse_lun_spec(std::string_view text);

}  // namespace iscsi::scsi
