// iscsi-target: the reference target program.
#include <csignal>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "scsi/scsi_target.h"
#include "server/log.h"
#include "server/options.h"
#include "server/scsi_port_adapter.h"
#include "server/server.h"
#include "wire/text_value.h"

#ifndef ISCSI_VERSION
#define ISCSI_VERSION "0.0.0"
#endif

namespace {

iscsi::server::Server* g_server = nullptr;

extern "C" void on_signal(int) {
  if (g_server) g_server->shutdown();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace iscsi;
  std::vector<std::string> args(argv + 1, argv + argc);
  auto options = server::parse_options(args);
  if (!options) {
    std::fprintf(stderr, "iscsi-target: %s\n", options.error().c_str());
    return 2;
  }
  if (options->help) {
    std::fputs(server::usage().c_str(), stdout);
    return 0;
  }
  if (options->list_faults) {
    for (const auto& f : session::all_faults()) {
      std::printf("%.*s  RFC 3720 §%.*s: %.*s\n", static_cast<int>(f.name.size()), f.name.data(),
                  static_cast<int>(f.section.size()), f.section.data(),
                  static_cast<int>(f.rule.size()), f.rule.data());
    }
    return 0;
  }
  if (options->version) {
    std::printf("iscsi-target %s\n", ISCSI_VERSION);
    return 0;
  }
  server::set_log_level(options->log_level);

  session::TargetConfig config;
  config.limits = options->limits;
  config.faults = options->faults;
  for (const auto& f : session::all_faults()) {
    if (config.faults.has(f.fault)) {
      server::log(server::LogLevel::Warn,
                  "fault injected, breaking RFC 3720 §" + std::string(f.section) +
                      " on purpose: " + std::string(f.rule) + " (" + std::string(f.name) + ")");
    }
  }
  for (const auto& p : options->portals) config.portal_addresses.push_back(p.to_string());
  std::vector<std::unique_ptr<server::ScsiPortAdapter>> ports;
  std::string summary;
  for (const server::TargetSpec& t : options->targets) {
    // RFC 3720 §3.2.6: the target name must be a valid iSCSI name.
    if (!wire::text::is_iscsi_name_value(t.name)) {
      std::fprintf(stderr, "iscsi-target: %s is not a valid iSCSI name\n", t.name.c_str());
      return 2;
    }
    auto target = std::make_unique<scsi::ScsiTarget>(t.name, t.portal_group_tag);
    std::string luns;
    for (const scsi::LunSpec& lun : t.luns) {
      if (auto error = target->add(lun)) {
        std::fprintf(stderr, "iscsi-target: %s LUN %u: %s\n", t.name.c_str(), lun.lun,
                     error->c_str());
        return 2;
      }
      luns += (luns.empty() ? "" : ",") + std::to_string(lun.lun);
    }
    ports.push_back(std::make_unique<server::ScsiPortAdapter>(std::move(target)));
    session::TargetNode node{t.name, t.alias, t.portal_group_tag, ports.back().get()};
    node.auth = t.auth;
    node.allowed_initiators = t.allowed_initiators;
    config.targets.push_back(std::move(node));
    summary += " " + t.name + " (LUN " + luns + ")";
    server::log(
        server::LogLevel::Info,
        t.name + ": " +
            (t.auth.mutual ? "mutual CHAP required"
                           : (t.auth.chap ? "CHAP required" : "no authentication")) +
            (t.allowed_initiators.empty()
                 ? ", every initiator admitted"
                 : ", " + std::to_string(t.allowed_initiators.size()) + " initiator(s) admitted"));
  }
  config.discovery_auth = options->discovery_auth;
  // RFC 3720 §8.2.1: secrets are checked before the target accepts a login.
  const session::CredentialCheck check = session::check_auth(config);
  for (const std::string& w : check.warnings) server::log(server::LogLevel::Warn, w);
  if (!check.errors.empty()) {
    for (const std::string& e : check.errors) std::fprintf(stderr, "iscsi-target: %s\n", e.c_str());
    return 2;
  }
  server::log(server::LogLevel::Info,
              std::string("discovery sessions: ") +
                  (config.discovery_auth.mutual
                       ? "mutual CHAP required"
                       : (config.discovery_auth.chap ? "CHAP required" : "no authentication")));

  server::ServerOptions server_options;
  server_options.portals = options->portals;
  server_options.threads = options->threads;
  server_options.connection_limits = options->connection_limits;
  server::Server srv(config, server_options);
  std::string error;
  if (!srv.start(error)) {
    std::fprintf(stderr, "iscsi-target: %s\n", error.c_str());
    return 1;
  }
  g_server = &srv;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  // SendTargets reports the portals as bound (port 0 means "any free port").
  config.portal_addresses.clear();
  std::string portals;
  for (const auto& p : srv.portals()) {
    config.portal_addresses.push_back(p.to_string());
    portals += (portals.empty() ? "" : ",") + p.to_string();
  }
  std::printf("iscsi-target: ready on %s:%s\n", portals.c_str(), summary.c_str());
  std::fflush(stdout);
  srv.run();
  g_server = nullptr;
  server::log(server::LogLevel::Info, "stopped");
  return 0;
}
