#include "replay_command.h"

#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli_number.h"
#include "replay/replay_report.h"
#include "replay/replayer.h"
#include "replay/spawn_target.h"
#include "session/chap_credentials.h"
#include "transport/inprocess_transport.h"
#include "transport/tcp_transport.h"

namespace {

using iscsi::sim::parse_cli_number;

using namespace iscsi;
using namespace iscsi::replay;

const char* kReplayUsage =
    "usage: iscsi-sim replay CAPTURE (--target HOST:PORT[,IQN] | --spawn)\n"
    "                        [--profile FILE|strict] [--expected FILE] [--junit FILE] [--json "
    "FILE]\n"
    "                        [--map-target IQN] [--map-lun FROM=TO]... [--chap USER:SECRET]\n"
    "                        [--mutual-chap USER:SECRET] [--timeout MS] [--port PORT]...\n"
    "                        [--offers-as-captured] [--quiet]\n"
    "  --target        the live target's portal; an IQN there is the same as --map-target\n"
    "  --spawn         an in-process reference target configured from the capture (target\n"
    "                  names, LUNs, block sizes and capacities from READ CAPACITY answers)\n"
    "  --profile       what may differ (default: the built-in captures/profiles/default.json;\n"
    "                  strict: nothing)\n"
    "  --expected      differences the trace is known to show, with their reasons\n"
    "  --map-target    the TargetName to log in to instead of the recorded one\n"
    "  --map-lun       send to LUN TO what the capture sent to LUN FROM\n"
    "  --chap          the initiator's CHAP name and secret: responses are recomputed for the\n"
    "                  live challenges\n"
    "  --mutual-chap   the target's CHAP name and secret: its responses are checked\n"
    "  --timeout MS    how long each recorded answer is awaited (default 5000)\n"
    "  --offers-as-captured  send the initiator's login offers unchanged (default: offer\n"
    "                  the outcome the recorded negotiation reached, so the live session runs\n"
    "                  with the parameters the recorded data flow obeyed)\n"
    "  --port PORT     also take TCP port PORT of the capture as an iSCSI target port\n";

int usage(const std::string& message) {
  std::fprintf(stderr, "iscsi-sim replay: %s\n%s", message.c_str(), kReplayUsage);
  return 2;
}

struct Portal {
  std::string host;
  std::uint16_t port = 0;
};

// HOST:PORT[,IQN]
bool parse_portal(const std::string& text, Portal& portal, std::optional<std::string>& iqn) {
  const auto comma = text.find(',');
  const std::string hp = text.substr(0, comma);
  if (comma != std::string::npos) {
    iqn = text.substr(comma + 1);
    if (iqn->empty()) return false;
  }
  const auto colon = hp.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  portal.host = hp.substr(0, colon);
  if (portal.host.size() > 2 && portal.host.front() == '[' && portal.host.back() == ']')
    portal.host = portal.host.substr(1, portal.host.size() - 2);
  std::uint64_t port = 0;
  if (!parse_cli_number(hp.substr(colon + 1), 65535, port) || port == 0) return false;
  portal.port = static_cast<std::uint16_t>(port);
  return true;
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  return static_cast<bool>(out);
}

}  // namespace

int replay_command(const std::vector<std::string>& args) {
  std::string path, profile_arg, expected_path, junit_path, json_path;
  std::optional<Portal> portal;
  bool spawn = false, quiet = false;
  ReplayOptions options;
  capture::DecoderOptions decoder;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& v) {
      if (i + 1 >= args.size()) return false;
      v = args[++i];
      return true;
    };
    std::string v;
    if (a == "--target") {
      Portal p;
      std::optional<std::string> iqn;
      if (!value(v) || !parse_portal(v, p, iqn)) return usage("--target HOST:PORT[,IQN]");
      portal = p;
      if (iqn) options.target_name = iqn;
    } else if (a == "--spawn") {
      spawn = true;
    } else if (a == "--profile") {
      if (!value(profile_arg)) return usage("--profile needs a file (or strict)");
    } else if (a == "--expected") {
      if (!value(expected_path)) return usage("--expected needs a file");
    } else if (a == "--junit") {
      if (!value(junit_path)) return usage("--junit needs a file");
    } else if (a == "--json") {
      if (!value(json_path)) return usage("--json needs a file");
    } else if (a == "--map-target") {
      if (!value(v) || v.empty()) return usage("--map-target needs an iSCSI name");
      options.target_name = v;
    } else if (a == "--map-lun") {
      std::uint64_t from = 0, to = 0;
      const auto eq = value(v) ? v.find('=') : std::string::npos;
      if (eq == std::string::npos || !parse_cli_number(v.substr(0, eq), 16383, from) ||
          !parse_cli_number(v.substr(eq + 1), 16383, to)) {
        return usage("--map-lun needs FROM=TO (LUN numbers 0-16383)");
      }
      options.luns[static_cast<std::uint16_t>(from)] = static_cast<std::uint16_t>(to);
    } else if (a == "--chap" || a == "--mutual-chap") {
      auto c = value(v) ? session::parse_credentials(v) : std::nullopt;
      if (!c) return usage(a + " needs USER:SECRET");
      (a == "--chap" ? options.chap : options.mutual_chap) = *c;
    } else if (a == "--timeout") {
      std::uint64_t ms = 0;
      if (!value(v) || !parse_cli_number(v, 3600000, ms) || ms == 0) {
        return usage("--timeout needs milliseconds (1-3600000)");
      }
      options.timeout = std::chrono::milliseconds(ms);
    } else if (a == "--port") {
      std::uint64_t port = 0;
      if (!value(v) || !parse_cli_number(v, 65535, port) || port == 0)
        return usage("--port needs a port");
      decoder.target_ports.insert(static_cast<std::uint16_t>(port));
    } else if (a == "--offers-as-captured") {
      options.adopt_recorded_negotiation = false;
    } else if (a == "--quiet") {
      quiet = true;
    } else if (a == "--help" || a == "-h") {
      std::fputs(kReplayUsage, stdout);
      return 0;
    } else if (!a.empty() && a[0] == '-') {
      return usage("unknown option " + a);
    } else if (path.empty()) {
      path = a;
    } else {
      return usage("one capture at a time");
    }
  }
  if (path.empty()) return usage("no capture given");
  if (spawn == portal.has_value()) return usage("give either --target or --spawn");
  if (options.mutual_chap && !options.chap) return usage("--mutual-chap needs --chap");

  if (profile_arg == "strict") {
    options.profile = strict_profile();
  } else if (!profile_arg.empty()) {
    auto p = load_profile(profile_arg);
    if (!p) return usage(p.error());
    options.profile = std::move(*p);
  }
  std::vector<ExpectedDifference> expected;
  if (!expected_path.empty()) {
    auto e = load_expectations(expected_path);
    if (!e) return usage(e.error());
    expected = std::move(*e);
  }
  auto script = load_capture_script(path, decoder);
  if (!script) {
    std::fprintf(stderr, "iscsi-sim replay: %s\n", script.error().c_str());
    return 2;
  }

  std::unique_ptr<SpawnedTarget> target;
  Connector connect;
  std::string target_text;
  if (spawn) {
    const SpawnPlan plan = plan_spawn(*script, options.target_name, options.luns);
    auto t = spawn_target(plan);
    if (!t) {
      std::fprintf(stderr, "iscsi-sim replay: %s\n", t.error().c_str());
      return 2;
    }
    target = std::move(*t);
    for (auto& node : target->config.targets) {
      node.auth.chap = options.chap;
      node.auth.mutual = options.mutual_chap;
    }
    target_text = "in-process reference target (" + plan.target_names.front();
    for (const auto& note : plan.notes) target_text += "; " + note;
    target_text += ")";
    connect = [&target]() -> wire::Result<std::unique_ptr<sim::Transport>, std::string> {
      return std::unique_ptr<sim::Transport>(
          std::make_unique<sim::InProcessTransport>(target->config, target->sessions));
    };
  } else {
    target_text = portal->host + ":" + std::to_string(portal->port);
    if (options.target_name) target_text += "," + *options.target_name;
    connect = [&]() -> wire::Result<std::unique_ptr<sim::Transport>, std::string> {
      std::string error;
      auto t = sim::TcpTransport::connect(portal->host, portal->port, options.timeout, error);
      if (!t) return wire::Unexpected(error);
      return std::unique_ptr<sim::Transport>(std::move(t));
    };
  }

  ReplayResult result = replay_capture(*script, options, connect);
  result.target = target_text;
  explain(result, expected);
  if (!quiet) std::cout << replay_text(result, expected);
  if (!junit_path.empty() && !write_file(junit_path, replay_junit(result, expected))) {
    return usage("cannot write " + junit_path);
  }
  if (!json_path.empty() && !write_file(json_path, replay_json(result, expected).dump(2) + "\n")) {
    return usage("cannot write " + json_path);
  }
  return replay_passed(result, expected) ? 0 : 1;
}
