// The `iscsi-target` command line and its JSON configuration file.
#pragma once

#include <string>
#include <vector>

#include "scsi/lun_spec.h"
#include "server/admission.h"
#include "server/log.h"
#include "server/portal.h"
#include "session/target_config.h"
#include "wire/result.h"

namespace iscsi::server {

inline constexpr std::string_view kDefaultTargetName = "iqn.2025-12.local:storage.disk1";
inline constexpr std::string_view kDefaultPortal = "127.0.0.1:3260";

struct TargetSpec {
  std::string name;
  std::string alias;
  std::uint16_t portal_group_tag = 1;
  std::vector<scsi::LunSpec> luns;
  session::AuthSettings auth;
  std::vector<std::string> allowed_initiators;  // empty: every initiator
};

struct ProgramOptions {
  std::vector<PortalAddress> portals;
  std::vector<TargetSpec> targets;
  LogLevel log_level = LogLevel::Info;
  session::TargetLimits limits;
  ConnectionLimits connection_limits;
  session::AuthSettings discovery_auth;
  // Rules broken on purpose, for testing a conformance suite (--inject-fault).
  session::FaultSet faults;
  unsigned threads = 2;
  bool help = false;
  bool list_faults = false;
  bool version = false;
};

std::string usage();

// Parses argv (without argv[0]). Applies --config first, then the flags;
// fills in the defaults (portal 127.0.0.1:3260, target
// iqn.2025-12.local:storage.disk1, LUN 0 = ram:1G,thin) where nothing was given.
wire::Result<ProgramOptions, std::string> parse_options(const std::vector<std::string>& args);

// Reads a JSON configuration into `out` (see usage() for its shape). A file
// that holds CHAP secrets is refused when other users can read it; any
// file is refused when other users can write it.
wire::Result<bool, std::string> load_config(const std::string& path, ProgramOptions& out);

}  // namespace iscsi::server
