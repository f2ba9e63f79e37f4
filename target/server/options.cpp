#include "server/options.h"

#include <sys/stat.h>

#include <charconv>
#include <fstream>
#include <nlohmann/json.hpp>

#include "wire/text_value.h"

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
                         1G); OPT is ro, removable, thin, bs=512, bs=4096 or
                         sanitize-time=SEC (a SANITIZE takes at least SEC
                         seconds, 0-3600, default 0; the unit reports
                         SANITIZE IN PROGRESS meanwhile).
                         Default: 0=ram:1G,thin
  --config FILE          JSON configuration (several targets, limits)
  --threads N            event-loop threads (default 2)
  --nop-interval SEC     target-initiated NOP-In pings every SEC seconds (0: off)
  --login-timeout SEC    close connections whose login takes longer (default 15)
  --chap USER:SECRET     require CHAP (RFC 3720 §11.1.4) for that target
  --mutual-chap USER:SECRET
                         require mutual CHAP for that target: the target answers
                         as USER with SECRET (at least 12 bytes, not the --chap one)
  --allow-initiator IQN  admit only these initiators to that target (repeatable;
                         default: all); others get Login status 0x0202
  --discovery-chap USER:SECRET
                         require CHAP on discovery sessions
  --discovery-mutual-chap USER:SECRET
                         require mutual CHAP on discovery sessions
  --max-connections-per-portal N     (default 1024)
  --max-connections-per-address N    connections from one initiator host (default 128)
  --log-level LEVEL      error, warn, info (default) or debug
  --inject-fault NAME    testing a conformance suite only: break one RFC 3720
                         rule on purpose (repeatable; `list` prints them)
  --help, --version

Secrets given as flags are visible to other local users (ps); prefer a
configuration file readable only by its owner.

Configuration file:
  {"portals": ["127.0.0.1:3260"], "log_level": "info", "threads": 2,
   "targets": [{"name": "iqn.2025-12.local:storage.disk1", "alias": "disk1",
                "portal_group_tag": 1, "luns": ["0=ram:1G,thin"],
                "chap": {"user": "U", "secret": "S"},
                "mutual_chap": {"user": "TU", "secret": "TS"},
                "allowed_initiators": ["iqn.2025-12.local:host1"]}],
   "discovery_auth": {"chap": {"user": "U", "secret": "S"},
                      "mutual_chap": {"user": "TU", "secret": "TS"}},
   "limits": {"max_recv_data_segment_length": 262144, "max_burst_length": 1048576,
              "first_burst_length": 262144, "max_outstanding_r2t": 1,
              "immediate_data": true, "initial_r2t": false, "cmd_window": 64,
              "login_timeout_ms": 15000, "nop_in_interval_ms": 0,
              "nop_in_timeout_ms": 30000, "max_text_bytes": 65536,
              "max_login_requests": 128, "max_login_bytes": 262144,
              "max_login_keys": 2048, "max_pending_write_bytes": 67108864,
              "max_connections_per_portal": 1024, "max_connections_per_address": 128,
              "failed_login_threshold": 10, "failed_login_window_s": 60}}
  A file with secrets must not be readable by other users (chmod 600).

The target prints "iscsi-target: ready ..." on stdout when it accepts connections.
SIGTERM/SIGINT: stop accepting, ask initiators to log out, drain, exit 0.
)";
}

namespace {

wire::Result<std::uint64_t, std::string> parse_number(std::string_view flag,
                                                      std::string_view text) {
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

bool read_seconds(const nlohmann::json& limits, const char* key, std::chrono::seconds& out,
                  std::string& error) {
  std::uint32_t s = static_cast<std::uint32_t>(out.count());
  if (!read_limit(limits, key, s, error)) return false;
  out = std::chrono::seconds(s);
  return true;
}

// {"user": "...", "secret": "..."}, or absent.
bool read_credentials(const nlohmann::json& parent, const char* key, const std::string& where,
                      std::optional<session::ChapCredentials>& out, std::string& error) {
  if (!parent.contains(key)) return true;
  const auto& c = parent.at(key);
  if (!c.is_object() || !c.contains("user") || !c.contains("secret") || !c.at("user").is_string() ||
      !c.at("secret").is_string()) {
    error = where + "." + key + " must be {\"user\": \"...\", \"secret\": \"...\"}";
    return false;
  }
  out =
      session::ChapCredentials{c.at("user").get<std::string>(), c.at("secret").get<std::string>()};
  return true;
}

bool read_auth(const nlohmann::json& parent, const std::string& where, session::AuthSettings& out,
               std::string& error) {
  return read_credentials(parent, "chap", where, out.chap, error) &&
         read_credentials(parent, "mutual_chap", where, out.mutual, error);
}

bool has_secrets(const nlohmann::json& j) {
  auto in = [](const nlohmann::json& o) {
    return o.is_object() && (o.contains("chap") || o.contains("mutual_chap"));
  };
  if (j.contains("discovery_auth") && in(j.at("discovery_auth"))) return true;
  if (j.contains("targets") && j.at("targets").is_array()) {
    for (const auto& t : j.at("targets")) {
      if (in(t)) return true;
    }
  }
  return false;
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
  if (j.is_discarded() || !j.is_object())
    return Unexpected("--config: " + path + " is not a JSON object");
  if (has_secrets(j) && (st.st_mode & S_IROTH)) {
    // The CHAP secrets are the whole of CHAP's security (RFC 3720 §8.2.1);
    // a file any local user can read gives them away.
    return Unexpected("--config: " + path +
                      " holds CHAP secrets and is readable by other users; refusing to use it "
                      "(chmod o-r)");
  }
  std::string error;
  try {
    if (j.contains("portals")) {
      for (const auto& p : j.at("portals")) {
        auto a = parse_portal(p.get<std::string>());
        if (!a) return Unexpected("--config: bad portal " + p.dump());
        out.portals.push_back(*a);
      }
    }
    if (j.contains("log_level") &&
        !parse_log_level(j.at("log_level").get<std::string>(), out.log_level)) {
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
        if (!read_auth(t, "target " + spec.name, spec.auth, error)) {
          return Unexpected("--config: " + error);
        }
        for (const auto& i : t.value("allowed_initiators", nlohmann::json::array())) {
          const auto name = i.get<std::string>();
          if (!wire::text::is_iscsi_name_value(name)) {
            return Unexpected("--config: target " + spec.name + ": " + name +
                              " in allowed_initiators is not an iSCSI name");
          }
          spec.allowed_initiators.push_back(name);
        }
        out.targets.push_back(std::move(spec));
      }
    }
    if (j.contains("discovery_auth") &&
        !read_auth(j.at("discovery_auth"), "discovery_auth", out.discovery_auth, error)) {
      return Unexpected("--config: " + error);
    }
    if (j.contains("limits")) {
      const auto& l = j.at("limits");
      auto& lim = out.limits;
      auto& conn = out.connection_limits;
      if (!read_limit(l, "max_recv_data_segment_length", lim.max_recv_data_segment_length, error) ||
          !read_limit(l, "max_burst_length", lim.max_burst_length, error) ||
          !read_limit(l, "first_burst_length", lim.first_burst_length, error) ||
          !read_limit(l, "max_outstanding_r2t", lim.max_outstanding_r2t, error) ||
          !read_limit(l, "immediate_data", lim.immediate_data, error) ||
          !read_limit(l, "initial_r2t", lim.initial_r2t, error) ||
          !read_limit(l, "cmd_window", lim.cmd_window, error) ||
          !read_ms(l, "login_timeout_ms", lim.login_timeout, error) ||
          !read_ms(l, "nop_in_interval_ms", lim.nop_in_interval, error) ||
          !read_ms(l, "nop_in_timeout_ms", lim.nop_in_timeout, error) ||
          !read_limit(l, "max_text_bytes", lim.max_text_bytes, error) ||
          !read_limit(l, "max_login_requests", lim.max_login_requests, error) ||
          !read_limit(l, "max_login_bytes", lim.max_login_bytes, error) ||
          !read_limit(l, "max_login_keys", lim.max_login_keys, error) ||
          !read_limit(l, "max_pending_write_bytes", lim.max_pending_write_bytes, error) ||
          !read_limit(l, "max_connections_per_portal", conn.per_portal, error) ||
          !read_limit(l, "max_connections_per_address", conn.per_address, error) ||
          !read_limit(l, "failed_login_threshold", conn.failed_login_threshold, error) ||
          !read_seconds(l, "failed_login_window_s", conn.failed_login_window, error)) {
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
  session::AuthSettings auth;
  std::vector<std::string> allowed;
  bool target_flags = false;  // flags that configure the command line's target
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
    } else if (a == "--chap" || a == "--mutual-chap" || a == "--discovery-chap" ||
               a == "--discovery-mutual-chap") {
      if (!value(v)) return Unexpected(a + " needs USER:SECRET");
      auto credentials = session::parse_credentials(v);
      // The secret is never echoed back in the message.
      if (!credentials) return Unexpected(a + ": expected USER:SECRET");
      if (a == "--chap") auth.chap = std::move(*credentials);
      if (a == "--mutual-chap") auth.mutual = std::move(*credentials);
      if (a == "--discovery-chap") o.discovery_auth.chap = std::move(*credentials);
      if (a == "--discovery-mutual-chap") o.discovery_auth.mutual = std::move(*credentials);
      if (a == "--chap" || a == "--mutual-chap") target_flags = true;
    } else if (a == "--allow-initiator") {
      if (!value(v) || !wire::text::is_iscsi_name_value(v)) {
        return Unexpected(std::string("--allow-initiator needs an iSCSI name (iqn., eui., naa.)"));
      }
      allowed.push_back(v);
      target_flags = true;
    } else if (a == "--max-connections-per-portal" || a == "--max-connections-per-address") {
      if (!value(v)) return Unexpected(a + " needs a number");
      auto n = parse_number(a, v);
      if (!n || *n == 0 || *n > 1000000) return Unexpected(a + ": 1 to 1000000");
      (a == "--max-connections-per-portal" ? o.connection_limits.per_portal
                                           : o.connection_limits.per_address) = *n;
    } else if (a == "--inject-fault") {
      if (!value(v)) return Unexpected(std::string("--inject-fault needs a fault name (or list)"));
      if (v == "list") {
        o.list_faults = true;
        continue;
      }
      const auto fault = session::fault_from_name(v);
      if (!fault) return Unexpected("unknown fault " + v + " (see --inject-fault list)");
      o.faults.add(*fault);
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
    t.auth = std::move(auth);
    t.allowed_initiators = std::move(allowed);
    o.targets.push_back(std::move(t));
  } else if (target_flags) {
    return Unexpected(std::string(
        "--chap, --mutual-chap and --allow-initiator configure the target named with --target; "
        "configure the targets of --config in the file"));
  }
  for (std::size_t i = 0; i < o.targets.size(); ++i) {
    for (std::size_t j = i + 1; j < o.targets.size(); ++j) {
      if (o.targets[i].name == o.targets[j].name) {
        return Unexpected("target " + o.targets[i].name + " is defined twice");
      }
    }
  }
  if (o.connection_limits.failed_login_threshold == 0 ||
      o.connection_limits.failed_login_window.count() == 0 || o.connection_limits.per_portal == 0 ||
      o.connection_limits.per_address == 0) {
    return Unexpected(std::string("connection limits and the failed-login threshold must be > 0"));
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
