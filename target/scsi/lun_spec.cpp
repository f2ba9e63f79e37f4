#include "scsi/lun_spec.h"

#include <charconv>
#include <vector>

namespace iscsi::scsi {

namespace {

using Err = wire::Unexpected<std::string>;

std::string quoted(std::string_view s) {
  return "'" + std::string(s) + "'";
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

bool parse_decimal(std::string_view s, std::uint64_t& out) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

}  // namespace

wire::Result<std::uint64_t, std::string> parse_size(std::string_view text) {
  if (text.empty()) return Err(std::string("empty size"));
  int shift = 0;
  std::string_view digits = text;
  switch (text.back()) {
    case 'K':
    case 'k':
      shift = 10;
      break;
    case 'M':
    case 'm':
      shift = 20;
      break;
    case 'G':
    case 'g':
      shift = 30;
      break;
    case 'T':
    case 't':
      shift = 40;
      break;
    default:
      break;
  }
  if (shift != 0) digits.remove_suffix(1);
  std::uint64_t value = 0;
  if (!parse_decimal(digits, value)) {
    return Err("size " + quoted(text) + " is not a number with an optional K, M, G or T");
  }
  if (value > (UINT64_MAX >> shift)) return Err("size " + quoted(text) + " is too large");
  value <<= shift;
  if (value == 0) return Err("size " + quoted(text) + " is zero");
  return value;
}

wire::Result<LunSpec, std::string> parse_lun_spec(std::string_view text) {
  const std::size_t eq = text.find('=');
  if (eq == std::string_view::npos) {
    return Err("LUN spec " + quoted(text) + " has no '=' (expected N=BACKEND[,OPTION...])");
  }
  LunSpec spec;
  const std::string_view number = text.substr(0, eq);
  std::uint64_t lun = 0;
  if (!parse_decimal(number, lun) || lun > kMaxLunNumber) {
    return Err("LUN number " + quoted(number) + " is not an integer from 0 to " +
               std::to_string(kMaxLunNumber));
  }
  spec.lun = static_cast<std::uint16_t>(lun);

  const std::vector<std::string_view> parts = split(text.substr(eq + 1), ',');
  const std::string_view backend = parts[0];
  const std::size_t colon = backend.find(':');
  const std::string_view kind = backend.substr(0, colon);
  const std::string_view rest =
      colon == std::string_view::npos ? std::string_view() : backend.substr(colon + 1);

  if (kind == "ram" || kind == "null") {
    spec.backend.kind = kind == "ram" ? BackendKind::Ram : BackendKind::Null;
    if (rest.empty()) {
      return Err("backend " + quoted(backend) + " needs a size (" + std::string(kind) + ":SIZE)");
    }
    auto size = parse_size(rest);
    if (!size) return Err("backend " + quoted(backend) + ": " + size.error());
    spec.backend.size = *size;
  } else if (kind == "file") {
    spec.backend.kind = BackendKind::File;
    std::string_view path = rest;
    // The last ':'-part is the SIZE when it parses as one; otherwise it is
    // part of the path.
    const std::size_t last = rest.rfind(':');
    if (last != std::string_view::npos) {
      auto size = parse_size(rest.substr(last + 1));
      if (size) {
        spec.backend.size = *size;
        path = rest.substr(0, last);
      }
    }
    if (path.empty()) return Err("backend " + quoted(backend) + " needs a path (file:PATH[:SIZE])");
    spec.backend.path = std::string(path);
  } else {
    return Err("backend " + quoted(kind) + " is not ram, file or null");
  }

  bool seen_ro = false, seen_removable = false, seen_thin = false, seen_bs = false;
  bool seen_sanitize_time = false;
  for (std::size_t i = 1; i < parts.size(); ++i) {
    const std::string_view opt = parts[i];
    bool* seen = nullptr;
    if (opt == "ro") {
      seen = &seen_ro;
      spec.options.read_only = true;
    } else if (opt == "removable") {
      seen = &seen_removable;
      spec.options.removable = true;
    } else if (opt == "thin") {
      seen = &seen_thin;
      spec.options.thin = true;
    } else if (opt.substr(0, 3) == "bs=") {
      seen = &seen_bs;
      const std::string_view value = opt.substr(3);
      if (value == "512") {
        spec.options.block_size = 512;
      } else if (value == "4096") {
        spec.options.block_size = 4096;
      } else {
        return Err("option " + quoted(opt) + ": the block size must be 512 or 4096");
      }
    } else if (opt.substr(0, 14) == "sanitize-time=") {
      seen = &seen_sanitize_time;
      std::uint64_t seconds = 0;
      if (!parse_decimal(opt.substr(14), seconds) || seconds > kMaxSanitizeSeconds) {
        return Err("option " + quoted(opt) + ": the sanitize time must be 0 to " +
                   std::to_string(kMaxSanitizeSeconds) + " seconds");
      }
      spec.options.sanitize_seconds = static_cast<std::uint32_t>(seconds);
    } else if (opt.empty()) {
      return Err("LUN spec " + quoted(text) + " has an empty option");
    } else {
      return Err("option " + quoted(opt) +
                 " is not ro, removable, thin, bs=512|4096 or sanitize-time=SEC");
    }
    if (*seen) return Err("option " + quoted(opt) + " is given twice");
    *seen = true;
  }

  if (spec.backend.size && *spec.backend.size % spec.options.block_size != 0) {
    return Err("size " + std::to_string(*spec.backend.size) +
               " is not a multiple of the block size " + std::to_string(spec.options.block_size));
  }
  return spec;
}

}  // namespace iscsi::scsi
