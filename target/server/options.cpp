#include "server/options.h"

#include <sys/stat.h>

#include <charconv>
#include <fstream>
#include <nlohmann/json.hpp>

namespace iscsi::server {

using wire::Unexpected;

std::string usage() {
  return R"(usage: iscsi-target [OPTION...]

A strictly RFC 3720 conformant iSCSI target.

  --portal HOST:PORT     listen here (repeatable; default 127.0.0.1:3260)
  --target IQN           target name (default iqn.2025-12.local:storage.disk1)
  --alias NAME           TargetAlias of that target
  --lun N=BACKEND[,OPT]  a logical unit of that target (repeatable); BACKEND is
                         ram:SIZE, file:PATH[:SIZE] or null:SIZE (SIZE like 64M,
                         1G); OPT is ro, removable, thin, bs=512 or bs=4096.
                         Default: 0=ram:1G,thin
  --config FILE          JSON configuration (several targets, limits)
  --threads N            event-loop threads (default 2)
  --nop-interval SEC     target-initiated NOP-In pings every SEC seconds (0: off)
  --login-timeout SEC    close connections whose login takes longer (default 15)
  --log-level LEVEL      error, warn, info (default) or debug
  --help, --version

Configuration file:
  {"portals": ["127.0.0.1:3260"], "log_level": "info", "threads": 2,
   "targets": [{"name": "iqn.2025-12.local:storage.disk1", "alias": "disk1",
                "portal_group_tag": 1, "luns": ["0=ram:1G,thin"]}],
   "limits": {"max_recv_data_segment_length": 262144, "max_burst_length": 1048576,
              "first_burst_length": 262144, "max_outstanding_r2t": 1,
              "immediate_data": true, "initial_r2t": false, "cmd_window": 64,
              "login_timeout_ms": 15000, "nop_in_interval_ms": 0,
              "nop_in_timeout_ms": 30000}}

The target prints "iscsi-target: ready ..." on stdout when it accepts connections.
SIGTERM/SIGINT: stop accepting, ask initiators to log out, drain, exit 0.
)";
}

namespace {

wire::Result<std::uint64_t, std::string> parse_number(std::string_view flag, std::string_view text) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) {
    return Unexpected(std::string(flag) + ": not a number: " + std::string(text));
  }
  return v;
}

template <class T>
bool read_limit(const nlohmann::json& limits, const char* key, T& out, std::string& error) {
  if (!limits.contains(key)) return true;
  const auto& v = limits.at(key);
  if constexpr (std::is_same_v<T, bool>) {
    if (!v.is_boolean()) {
      error = std::string("limits.") + key + " must be true or false";
      return false;
    }
    out = v.get<bool>();
  } else {
    if (!v.is_number_unsigned()) {
      error = std::string("limits.") + key + " must be a non-negative integer";
      return false;
    }
    const auto n = v.get<std::uint64_t>();
    if (n > std::numeric_limits<T>::max()) {
      error = std::string("limits.") + key + " is too large";
      return false;
    }
    out = static_cast<T>(n);
  }
  return true;
}

bool read_ms(const nlohmann::json& limits, const char* key, std::chrono::milliseconds& out,
             std::string& error) {
  std::uint32_t ms = static_cast<std::uint32_t>(out.count());
  if (!read_limit(limits, key, ms, error)) return false;
  out = std::chrono::milliseconds(ms);
  return true;
}

}  // namespace

wire::Result<bool, std::string> load_config(const std::string& path, ProgramOptions& out) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Unexpected("--config: cannot read " + path);
  if (st.st_mode & S_IWOTH) {
    return Unexpected("--config: " + path + " is world-writable; refusing to use it");
  }
  std::ifstream in(path);
  if (!in) return Unexpected("--config: cannot open " + path);
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Unexpected("--config: " + path + " is not a JSON object");
  std::string error;
  try {
    if (j.contains("portals")) {
      for (const auto& p : j.at("portals")) {
        auto a = parse_portal(p.get<std::string>());
        if (!a) return Unexpected("--config: bad portal " + p.dump());
        out.portals.push_back(*a);
      }
    }
    if (j.contains("log_level") && !parse_log_level(j.at("log_level").get<std::string>(), out.log_level)) {
      return Unexpected(std::string("--config: bad log_level"));
    }
    if (j.contains("threads")) out.threads = j.at("threads").get<unsigned>();
    if (j.contains("targets")) {
      for (const auto& t : j.at("targets")) {
        TargetSpec spec;
        spec.name = t.at("name").get<std::string>();
        spec.alias = t.value("alias", std::string());
        spec.portal_group_tag = t.value("portal_group_tag", std::uint16_t{1});
        for (const auto& l : t.value("luns", nlohmann::json::array())) {
          auto lun = scsi::parse_lun_spec(l.get<std::string>());
          if (!lun) return Unexpected("--config: target " + spec.name + ": " + lun.error());
          spec.luns.push_back(*lun);
        }
        out.targets.push_back(std::move(spec));
      }
    }
    if (j.contains("limits")) {
      const auto& l = j.at("limits");
      auto& lim = out.limits;
      if (!read_limit(l, "max_recv_data_segment_length", lim.max_recv_data_segment_length, error) ||
          !read_limit(l, "max_burst_length", lim.max_burst_length, error) ||
          !read_limit(l, "first_burst_length", lim.first_burst_length, error) ||
          !read_limit(l, "max_outstanding_r2t", lim.max_outstanding_r2t, error) ||
          !read_limit(l, "immediate_data", lim.immediate_data, error) ||
          !read_limit(l, "initial_r2t", lim.initial_r2t, error) ||
          !read_limit(l, "cmd_window", lim.cmd_window, error) ||
          !read_ms(l, "login_timeout_ms", lim.login_timeout, error) ||
          !read_ms(l, "nop_in_interval_ms", lim.nop_in_interval, error) ||
          !read_ms(l, "nop_in_timeout_ms", lim.nop_in_timeout, error)) {
        return Unexpected("--config: " + error);
      }
    }
  } catch (const nlohmann::json::exception& e) {
    return Unexpected("--config: " + path + ": " + e.what());
  }
  return true;
}

wire::Result<ProgramOptions, std::string> parse_options(const std::vector<std::string>& args) {
  ProgramOptions o;
  std::vector<std::string> portals;
  std::optional<std::string> target_name;
  std::string alias;
  std::vector<scsi::LunSpec> luns;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& v) -> bool {
      if (i + 1 >= args.size()) return false;
      v = args[++i];
      return true;
    };
    std::string v;
    if (a == "--help" || a == "-h") {
      o.help = true;
    } else if (a == "--version") {
      o.version = true;
    } else if (a == "--portal") {
      if (!value(v)) return Unexpected(std::string("--portal needs HOST:PORT"));
      portals.push_back(v);
    } else if (a == "--target") {
      if (!value(v)) return Unexpected(std::string("--target needs an IQN"));
      target_name = v;
    } else if (a == "--alias") {
      if (!value(alias)) return Unexpected(std::string("--alias needs a name"));
    } else if (a == "--lun") {
      if (!value(v)) return Unexpected(std::string("--lun needs N=BACKEND[,OPTION...]"));
      auto lun = scsi::parse_lun_spec(v);
      if (!lun) return Unexpected("--lun " + v + ": " + lun.error());
      luns.push_back(*lun);
    } else if (a == "--config") {
      if (!value(v)) return Unexpected(std::string("--config needs a file"));
      auto loaded = load_config(v, o);
      if (!loaded) return Unexpected(loaded.error());
    } else if (a == "--threads") {
      if (!value(v)) return Unexpected(std::string("--threads needs a number"));
      auto n = parse_number(a, v);
      if (!n || *n == 0 || *n > 64) return Unexpected(std::string("--threads: 1 to 64"));
      o.threads = static_cast<unsigned>(*n);
    } else if (a == "--nop-interval" || a == "--login-timeout") {
      if (!value(v)) return Unexpected(a + " needs seconds");
      auto n = parse_number(a, v);
      if (!n || *n > 86400) return Unexpected(a + ": 0 to 86400 seconds");
      (a == "--nop-interval" ? o.limits.nop_in_interval : o.limits.login_timeout) =
          std::chrono::seconds(*n);
    } else if (a == "--log-level") {
      if (!value(v) || !parse_log_level(v, o.log_level)) {
        return Unexpected(std::string("--log-level: error, warn, info or debug"));
      }
    } else {
      return Unexpected("unknown option " + a + " (see --help)");
    }
  }
  for (const std::string& p : portals) {
    auto addr = parse_portal(p);
    if (!addr) return Unexpected("--portal " + p + ": expected HOST:PORT");
    o.portals.push_back(*addr);
  }
  if (o.portals.empty()) o.portals.push_back(*parse_portal(kDefaultPortal));
  if (target_name || !luns.empty() || o.targets.empty()) {
    TargetSpec t;
    t.name = target_name.value_or(std::string(kDefaultTargetName));
    t.alias = alias;
    t.luns = std::move(luns);
    o.targets.push_back(std::move(t));
  }
  for (TargetSpec& t : o.targets) {
    if (t.luns.empty()) t.luns.push_back(*scsi::parse_lun_spec(scsi::kDefaultLunSpec));
    for (std::size_t i = 0; i < t.luns.size(); ++i) {
      for (std::size_t j = i + 1; j < t.luns.size(); ++j) {
        if (t.luns[i].lun == t.luns[j].lun) {
          return Unexpected("target " + t.name + ": LUN " + std::to_string(t.luns[i].lun) +
                            " given twice");
        }
      }
    }
  }
  return o;
}

}  // namespace iscsi::server
