// Re-driving the initiator side of a capture against a live target and
// comparing the live answers with the recorded ones.
//
// Every iSCSI connection of the capture whose login was captured is
// replayed, PDU by PDU in capture order, so that connections that overlap
// in the capture overlap live. The initiator's intent is kept (its keys,
// ITTs, CmdSNs, ISID, data, even deliberately bad digests); what the
// target chose in the recorded session is rewritten from the live one:
//   - ExpStatSN from the live StatSN of the status it acknowledges
//     (§3.2.2.2);
//   - the Target Transfer Tag of Data-Out, NOP-Out and Text Requests from
//     the live R2T, NOP-In or Text Response they answer (§10.7.4, §10.18.3,
//     §10.10.4);
//   - the TSIH of a login that adds or reinstates a connection, from the
//     live session (§10.12.6);
//   - the TargetName (--map-target), LUNs (--map-lun), and with the secrets
//     the CHAP_N/CHAP_R answering the live challenge (§11.1.4).
// Before each initiator PDU the answers the capture shows before it on that
// connection are awaited; live answers are matched to recorded ones by
// their task (opcode, ITT, DataSN/R2TSN), not by arrival order, and
// compared field by field under a tolerance profile (replay_profile.h).
// A connection that ended in the capture is ended live too, once the live
// target has closed it or gone quiet on it, before the capture's next PDU:
// what the live target answers where the recorded one closed the connection
// is still collected, and a later login reinstating the session cannot cut
// it off.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "replay/capture_script.h"
#include "replay/replay_profile.h"
#include "session/chap_credentials.h"
#include "transport/transport.h"
#include "wire/result.h"

namespace iscsi::replay {

struct Difference {
  // "field", "keys", "data", "sense", "status", "missing", "extra",
  // "closed", "not-replayed", "window", "chap", "error"
  std::string kind;
  std::uint32_t connection = 0;
  std::uint64_t recorded_pdu = 0;  // the decoder's PDU number; 0 when none
  std::string field;
  std::string recorded;
  std::string live;
  std::string recorded_summary;  // the recorded PDU, one line
  std::string live_summary;      // the live PDU, one line
  std::string explanation;       // set when an expectations file explains it
};

enum class ConnectionVerdict : std::uint8_t {
  Match,    // every answer matched
  Differ,   // differences were found
  Skipped,  // not replayable from its start (its login was not captured)
};

std::string_view verdict_name(ConnectionVerdict v);

struct ConnectionOutcome {
  std::uint32_t id = 0;
  std::string session_type;  // "Normal", "Discovery" or empty
  std::string endpoints;     // "10.0.0.1:51000 -> 10.0.0.2:3260"
  ConnectionVerdict verdict = ConnectionVerdict::Match;
  std::string reason;           // why it was skipped
  std::uint64_t sent = 0;       // initiator PDUs sent
  std::uint64_t not_sent = 0;   // initiator PDUs left out (see the differences)
  std::uint64_t compared = 0;   // recorded answers compared with live ones
  std::uint64_t tolerated = 0;  // recorded answers the profile lets go unmatched
  std::vector<Difference> differences;
  // Differences past kMaxDifferences, counted but not kept.
  std::uint64_t suppressed = 0;
};

// Differences kept per connection; memory stays bounded whatever the capture.
constexpr std::size_t kMaxDifferences = 1000;

struct ReplayOptions {
  ReplayProfile profile = default_profile();
  std::optional<std::string> target_name;               // --map-target
  std::map<std::uint16_t, std::uint16_t> luns;          // --map-lun FROM=TO
  std::optional<session::ChapCredentials> chap;         // the initiator's (--chap)
  std::optional<session::ChapCredentials> mutual_chap;  // the target's (--mutual-chap)
  std::chrono::milliseconds timeout{5000};              // per awaited answer
  // The initiator offers the negotiation outcome the capture shows
  // (adopt_outcome in session_variables.h); off: its offers as captured.
  bool adopt_recorded_negotiation = true;
};

struct ReplayResult {
  std::string capture;
  std::string target;  // what was replayed against
  std::vector<ConnectionOutcome> connections;
  std::uint64_t pdus = 0;  // PDUs of the capture
  std::uint64_t sent = 0;
  std::uint64_t compared = 0;
  std::chrono::nanoseconds elapsed{0};
  std::size_t differences() const;
  std::size_t unexplained() const;
};

// Opens one connection to the live target.
using Connector = std::function<wire::Result<std::unique_ptr<sim::Transport>, std::string>()>;

ReplayResult replay_capture(const CaptureScript& script, const ReplayOptions& options,
                            const Connector& connect);

}  // namespace iscsi::replay
