#include "replay/replayer.h"

#include <algorithm>

#include "replay/connection_replay.h"

namespace iscsi::replay {

namespace {

// How long a connection that ended in the capture, with answers still owed
// on it (a Reject where the recorded target closed), is listened to after
// the last live PDU before it is closed too.
constexpr std::chrono::milliseconds kEndQuiet{250};

}  // namespace

std::string_view verdict_name(ConnectionVerdict v) {
  switch (v) {
    case ConnectionVerdict::Match:
      return "match";
    case ConnectionVerdict::Differ:
      return "differ";
    case ConnectionVerdict::Skipped:
      return "skipped";
  }
  return "?";
}

std::size_t ReplayResult::differences() const {
  std::size_t n = 0;
  for (const auto& c : connections) n += c.differences.size() + c.suppressed;
  return n;
}

std::size_t ReplayResult::unexplained() const {
  std::size_t n = 0;
  for (const auto& c : connections) {
    n += static_cast<std::size_t>(
        std::count_if(c.differences.begin(), c.differences.end(),
                      [](const Difference& d) { return d.explanation.empty(); }));
    n += c.suppressed;  // never explained: not listed
  }
  return n;
}

ReplayResult replay_capture(const CaptureScript& script, const ReplayOptions& options,
                            const Connector& connect) {
  const auto start = std::chrono::steady_clock::now();
  ReplayShared shared;
  shared.script = &script;
  shared.options = &options;
  shared.connect = &connect;
  std::map<std::uint32_t, std::unique_ptr<ConnectionReplay>> live;
  for (const auto& [id, c] : script.connections) {
    live.emplace(id, std::make_unique<ConnectionReplay>(c, shared));
  }
  // Where each recorded connection ended, in capture order (connections
  // the capture cut off stay open to the end).
  std::vector<std::pair<std::uint64_t, std::uint32_t>> ends;
  for (const auto& [id, c] : script.connections) {
    if (c.report.end != "the capture ended") ends.emplace_back(c.report.last.frame, id);
  }
  std::sort(ends.begin(), ends.end());
  auto next_end = ends.begin();
  const auto quiet = std::min(options.timeout, kEndQuiet);
  // Capture order across connections: connections that overlapped in the
  // capture overlap live, and cross-connection dependencies (a reinstating
  // login after the session's first, a logout of another connection) keep
  // their order. A connection that ended in the capture is ended live
  // before the next PDU after its end.
  for (const auto& p : script.pdus) {
    for (; next_end != ends.end() && next_end->first < p.first_frame; ++next_end) {
      live.at(next_end->second)->end_as_recorded(quiet, options.timeout);
    }
    auto it = live.find(p.connection);
    if (it == live.end()) continue;
    if (p.to_target) {
      it->second->send(p);
    } else {
      it->second->expect(p);
    }
  }
  // What the live target sends after the capture's last PDU (answers the
  // recording does not show) is collected from every connection together:
  // until a round brings nothing once a quarter of the window has passed,
  // within min(timeout, 1 s).
  const auto window = std::min(options.timeout, std::chrono::milliseconds(1000));
  const auto drain_start = std::chrono::steady_clock::now();
  for (;;) {
    bool any = false;
    for (auto& [id, c] : live) any = c->poll(std::chrono::milliseconds(1)) || any;
    const auto elapsed = std::chrono::steady_clock::now() - drain_start;
    if (elapsed >= window || (!any && elapsed >= window / 4)) break;
  }
  ReplayResult result;
  result.capture = script.path;
  result.pdus = script.pdus.size();
  for (auto& [id, c] : live) {
    c->finish();
    result.sent += c->outcome().sent;
    result.compared += c->outcome().compared;
    result.connections.push_back(std::move(c->outcome()));
  }
  result.elapsed = std::chrono::steady_clock::now() - start;
  return result;
}

}  // namespace iscsi::replay
