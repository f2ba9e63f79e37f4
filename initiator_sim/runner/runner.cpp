#include "runner/runner.h"

#include <charconv>
#include <map>
#include <thread>

#include "runner/inprocess_target.h"
#include "runner/text_expression.h"
#include "session/chap_value.h"
#include "transport/inprocess_transport.h"
#include "transport/tcp_transport.h"
#include "wire/pdu_codec.h"
#include "wire/pdu_fields.h"
#include "wire/pdu_format.h"

namespace iscsi::sim {

using nlohmann::json;
using wire::Bytes;
using wire::Pdu;

std::string_view verdict_name(Verdict v) {
  switch (v) {
    case Verdict::Pass:
      return "pass";
    case Verdict::Fail:
      return "fail";
    case Verdict::NotApplicable:
      return "not-applicable";
    case Verdict::Error:
      return "error";
  }
  return "?";
}

AuthSpec harness_auth() {
  AuthSpec a;
  a.chap = session::ChapCredentials{"iscsi-sim", "sim-initiator-secret-1"};
  a.mutual = session::ChapCredentials{"iscsi-target", "sim-target-secret-2"};
  a.discovery_chap = session::ChapCredentials{"iscsi-sim-discovery", "sim-discovery-secret-3"};
  a.discovery_mutual =
      session::ChapCredentials{"iscsi-target-discovery", "sim-discovery-target-secret-4"};
  return a;
}

namespace {

// The largest write a scsi step may ask for: far above any case's need, and
// a bound on what a hostile case file can make the harness allocate.
constexpr std::uint64_t kMaxScsiWrite = 64u << 20;
// The longest wait a step may name (an hour); longer is a mistake in the case.
constexpr std::int64_t kMaxWaitMs = 3'600'000;

constexpr std::string_view kInitiatorName = kHarnessInitiatorName;

// Ends a case early with a verdict.
struct Stop {
  Verdict verdict;
  std::string message;
};

Pdu default_pdu(wire::Opcode op) {
  switch (op) {
    case wire::Opcode::NopOut:
      return wire::NopOut{};
    case wire::Opcode::ScsiCommand:
      return wire::ScsiCommand{};
    case wire::Opcode::TaskManagementRequest:
      return wire::TaskManagementRequest{};
    case wire::Opcode::LoginRequest:
      return wire::LoginRequest{};
    case wire::Opcode::TextRequest:
      return wire::TextRequest{};
    case wire::Opcode::ScsiDataOut:
      return wire::ScsiDataOut{};
    case wire::Opcode::LogoutRequest:
      return wire::LogoutRequest{};
    case wire::Opcode::SnackRequest:
      return wire::SnackRequest{};
    case wire::Opcode::NopIn:
      return wire::NopIn{};
    case wire::Opcode::ScsiResponse:
      return wire::ScsiResponse{};
    case wire::Opcode::TaskManagementResponse:
      return wire::TaskManagementResponse{};
    case wire::Opcode::LoginResponse:
      return wire::LoginResponse{};
    case wire::Opcode::TextResponse:
      return wire::TextResponse{};
    case wire::Opcode::ScsiDataIn:
      return wire::ScsiDataIn{};
    case wire::Opcode::LogoutResponse:
      return wire::LogoutResponse{};
    case wire::Opcode::ReadyToTransfer:
      return wire::ReadyToTransfer{};
    case wire::Opcode::AsyncMessage:
      return wire::AsyncMessage{};
    case wire::Opcode::Reject:
      break;
  }
  return wire::Reject{};
}

std::optional<std::uint64_t> parse_u64(std::string_view s) {
  std::uint64_t v = 0;
  int base = 10;
  if (s.starts_with("0x") || s.starts_with("0X")) {
    s.remove_prefix(2);
    base = 16;
  }
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

Bytes hex_bytes(const json& j, const std::string& what) {
  Bytes out;
  if (!j.is_string() || !wire::from_hex(j.get<std::string>(), out)) {
    throw Stop{Verdict::Error, what + ": not a hex string: " + j.dump()};
  }
  return out;
}

class CaseContext {
 public:
  CaseContext(const TargetSpec& target, Runner* runner,
              std::function<void(int, bool, wire::ByteView)> tap, int& opened)
      : target_(target), tap_(std::move(tap)), opened_(opened) {
    (void)runner;
    if (target_.in_process) {
      inproc_ = make_inprocess_target(target_.iqn);
      inproc_->config.faults = target_.faults;
    }
  }

  void run_step(const json& step) {
    for (auto it = step.begin(); it != step.end(); ++it) {
      if (it.key() == "note") continue;
      const json& b = it.value();
      const std::string& k = it.key();
      if (k == "connect")
        return connect(b.value("name", std::string("c") + std::to_string(conns_.size() + 1)));
      if (k == "use") {
        if (!conns_.contains(b.get<std::string>()))
          throw Stop{Verdict::Error, "no connection " + b.dump()};
        current_ = b.get<std::string>();
        return;
      }
      if (k == "login") return login(b);
      if (k == "send") return send(b);
      if (k == "expect") return expect(b);
      if (k == "expect_close") return expect_close(b);
      if (k == "expect_silence") return expect_silence(b);
      if (k == "scsi") return scsi(b);
      if (k == "logout") return logout();
      if (k == "clear_unit_attention") return clear_unit_attention();
      if (k == "sleep") return sleep(b);
    }
  }

  // Checks the case's preconditions against a live target's configuration,
  // or configures the in-process target to meet them.
  void prepare(const Preconditions& p) {
    const auto kind = [](const std::optional<session::ChapCredentials>& chap,
                         const std::optional<session::ChapCredentials>& mutual) {
      return !chap ? AuthNeed::None : mutual ? AuthNeed::MutualChap : AuthNeed::Chap;
    };
    const auto name = [](AuthNeed n) {
      return n == AuthNeed::None   ? "no authentication"
             : n == AuthNeed::Chap ? "CHAP"
                                   : "mutual CHAP";
    };
    if (!inproc_) {
      auth_ = target_.auth;
      const AuthNeed normal = kind(auth_.chap, auth_.mutual);
      const AuthNeed discovery = kind(auth_.discovery_chap, auth_.discovery_mutual);
      if (p.auth != AuthNeed::Any && p.auth != normal) {
        throw Stop{Verdict::NotApplicable, std::string("needs a target whose sessions require ") +
                                               name(p.auth) + " (--chap, --mutual-chap)"};
      }
      if (p.discovery_auth != AuthNeed::Any && p.discovery_auth != discovery) {
        throw Stop{Verdict::NotApplicable,
                   std::string("needs a target whose discovery sessions require ") +
                       name(p.discovery_auth) + " (--discovery-chap, --discovery-mutual-chap)"};
      }
      if (p.acl && *p.acl != auth_.acl) {
        throw Stop{Verdict::NotApplicable,
                   *p.acl
                       ? "needs a target admitting only " + std::string(kInitiatorName) + " (--acl)"
                       : std::string("needs a target without an initiator ACL")};
      }
      return;
    }
    const AuthSpec h = harness_auth();
    auth_ = AuthSpec{};
    if (p.auth == AuthNeed::Chap || p.auth == AuthNeed::MutualChap) auth_.chap = h.chap;
    if (p.auth == AuthNeed::MutualChap) auth_.mutual = h.mutual;
    if (p.discovery_auth == AuthNeed::Chap || p.discovery_auth == AuthNeed::MutualChap)
      auth_.discovery_chap = h.discovery_chap;
    if (p.discovery_auth == AuthNeed::MutualChap) auth_.discovery_mutual = h.discovery_mutual;
    auth_.acl = p.acl.value_or(false);
    session::TargetNode& node = inproc_->config.targets.front();
    node.auth = session::AuthSettings{auth_.chap, auth_.mutual};
    inproc_->config.discovery_auth =
        session::AuthSettings{auth_.discovery_chap, auth_.discovery_mutual};
    if (auth_.acl) node.allowed_initiators = {std::string(kInitiatorName)};
  }

  std::vector<WireRecord> exchange() const {
    auto it = conns_.find(current_);
    if (it == conns_.end()) return {};
    return {it->second->log().begin(), it->second->log().end()};
  }

 private:
  InitiatorSession& session() {
    if (conns_.empty()) connect("c1");
    return *conns_.at(current_);
  }

  void connect(const std::string& name) {
    std::unique_ptr<Transport> t;
    if (inproc_) {
      t = std::make_unique<InProcessTransport>(inproc_->config, inproc_->sessions);
    } else {
      std::string error;
      t = TcpTransport::connect(target_.host, target_.port, target_.timeout, error);
      if (!t) throw Stop{Verdict::Error, error};
    }
    auto s = std::make_unique<InitiatorSession>(std::move(t));
    s->set_lun(lun_field());
    const int id = ++opened_;
    if (tap_) s->set_tap([this, id](bool to, wire::ByteView b) { tap_(id, to, b); });
    conns_[name] = std::move(s);
    current_ = name;
  }

  std::uint64_t lun_field() const {
    // SAM single-level LUN: peripheral addressing below 256, flat space above.
    const std::uint64_t l = target_.lun;
    return l < 256 ? (l << 48) : ((0x4000 | l) << 48);
  }

  std::uint64_t var(const std::string& name) {
    auto& s = session();
    if (name == "cmdsn") return s.cmd_sn();
    if (name == "expstatsn") return s.exp_stat_sn();
    if (name == "expcmdsn") return s.exp_cmd_sn();
    if (name == "maxcmdsn") return s.max_cmd_sn();
    if (name == "tsih") return s.tsih();
    auto it = vars_.find(name);
    if (it == vars_.end()) throw Stop{Verdict::Error, "unknown variable $" + name};
    return it->second;
  }

  // number | "0x.." | "auto" | "auto+N" | "auto-N" | "$v" | "$v+N" | "$v-N"
  std::uint64_t value_of(const json& j, std::uint64_t automatic) {
    if (j.is_number_unsigned()) return j.get<std::uint64_t>();
    if (j.is_number_integer()) return static_cast<std::uint64_t>(j.get<std::int64_t>());
    if (j.is_boolean()) return j.get<bool>() ? 1 : 0;
    if (!j.is_string()) throw Stop{Verdict::Error, "bad value " + j.dump()};
    std::string s = j.get<std::string>();
    std::uint64_t base = 0;
    std::string rest;
    if (s.starts_with("auto")) {
      base = automatic;
      rest = s.substr(4);
    } else if (s.starts_with("$")) {
      const auto op = s.find_first_of("+-");
      base = var(s.substr(1, op == std::string::npos ? std::string::npos : op - 1));
      rest = op == std::string::npos ? "" : s.substr(op);
    } else {
      auto v = parse_u64(s);
      if (!v) throw Stop{Verdict::Error, "bad value " + j.dump()};
      return *v;
    }
    if (rest.empty()) return base;
    auto n = parse_u64(std::string_view(rest).substr(1));
    if (!n) throw Stop{Verdict::Error, "bad value " + j.dump()};
    return rest[0] == '+' ? base + *n : base - *n;
  }

  bool matches(const json& m, std::uint64_t actual, std::uint64_t width_mask) {
    if (m.is_string() && m.get<std::string>() == "any") return true;
    if (m.is_object()) {
      if (m.contains("in")) {
        for (const auto& c : m["in"]) {
          if (matches(c, actual, width_mask)) return true;
        }
        return false;
      }
      if (m.contains("range")) {
        return actual >= value_of(m["range"].at(0), 0) && actual <= value_of(m["range"].at(1), 0);
      }
      if (m.contains("not")) return !matches(m["not"], actual, width_mask);
      throw Stop{Verdict::Error, "bad matcher " + m.dump()};
    }
    return (value_of(m, actual) & width_mask) == (actual & width_mask);
  }

  static std::uint64_t mask_of(const wire::FieldInfo& f) {
    if (f.kind == wire::FieldKind::Uint && f.size < 8) return (1ULL << (8 * f.size)) - 1;
    return ~0ULL;
  }

  ExpressionScope scope() {
    ExpressionScope sc;
    sc.variable = [this](const std::string& n) -> std::optional<std::string> {
      if (auto it = texts_.find(n); it != texts_.end()) return it->second;
      const auto user = [](const std::optional<session::ChapCredentials>& c) {
        return c ? std::optional<std::string>(c->user) : std::nullopt;
      };
      if (n == "chap_user") return user(auth_.chap);
      if (n == "mutual_user") return user(auth_.mutual);
      if (n == "discovery_user") return user(auth_.discovery_chap);
      if (n == "discovery_mutual_user") return user(auth_.discovery_mutual);
      if (n == "initiator_name") return std::string(kInitiatorName);
      if (n == "target_name") return target_.iqn;
      return std::nullopt;
    };
    sc.secret = [this](const std::string& n) -> std::optional<std::string> {
      const auto secret = [](const std::optional<session::ChapCredentials>& c) {
        return c ? std::optional<std::string>(c->secret) : std::nullopt;
      };
      if (n == "initiator") return secret(auth_.chap);
      if (n == "target") return secret(auth_.mutual);
      if (n == "discovery") return secret(auth_.discovery_chap);
      if (n == "discovery_target") return secret(auth_.discovery_mutual);
      return std::nullopt;
    };
    return sc;
  }

  // A text value with its ${...} expressions evaluated (text_expression.h).
  std::string expand(const std::string& value) {
    if (value.find("${") == std::string::npos) return value;
    auto v = expand_expressions(value, scope());
    if (!v) throw Stop{Verdict::Error, v.error()};
    return std::move(*v);
  }

  std::vector<wire::text::KeyValue> pairs_of(const json& j) {
    std::vector<wire::text::KeyValue> out;
    if (j.is_array()) {
      for (const auto& p : j)
        out.push_back({p.at(0).get<std::string>(), expand(p.at(1).get<std::string>())});
    } else if (j.is_object()) {
      for (auto it = j.begin(); it != j.end(); ++it) {
        if (!it.value().is_null()) out.push_back({it.key(), expand(it.value().get<std::string>())});
      }
    } else {
      throw Stop{Verdict::Error, "text must be an object or a list of pairs"};
    }
    return out;
  }

  void login(const json& b) {
    auto& s = session();
    LoginRequestSpec spec;
    std::vector<wire::text::KeyValue> keys;
    const bool replace = b.value("replace_defaults", false);
    json given = b.value("keys", json::object());
    const bool discovery = given.is_object() && given.contains("SessionType") &&
                           given["SessionType"].is_string() && given["SessionType"] == "Discovery";
    if (!replace) {
      std::vector<std::pair<std::string, std::string>> defaults{
          {"InitiatorName", std::string(kInitiatorName)}};
      if (!discovery) defaults.push_back({"TargetName", target_.iqn});
      defaults.push_back({"SessionType", discovery ? "Discovery" : "Normal"});
      for (auto& [k, v] : defaults) {
        if (given.is_object() && given.contains(k)) continue;
        keys.push_back({k, v});
      }
    }
    for (auto& kv : pairs_of(given)) keys.push_back(kv);
    const std::string auth = b.value("auth", std::string("none"));
    if (auth != "none") {
      // CHAP by the engine, with the credentials of this kind of session.
      const auto& who = discovery ? auth_.discovery_chap : auth_.chap;
      const auto& them = discovery ? auth_.discovery_mutual : auth_.mutual;
      if (!who || (auth == "mutual-chap" && !them)) {
        throw Stop{Verdict::Error,
                   "login auth " + auth + " needs credentials: give the case preconditions"};
      }
      spec.chap = ChapSecrets{*who, auth == "mutual-chap" ? them : std::nullopt};
      spec.security_stage = true;
      spec.security_keys = keys;
      spec.security_keys.push_back({"AuthMethod", "CHAP"});
      if (b.contains("security")) {
        for (auto& kv : pairs_of(b["security"])) spec.security_keys.push_back(kv);
      }
      spec.operational_keys = {};
    } else if (b.contains("security") || b.value("security_stage", false)) {
      spec.security_stage = true;
      spec.security_keys = keys;
      spec.security_keys.push_back({"AuthMethod", "None"});
      if (b.contains("security")) {
        spec.security_keys = keys;
        for (auto& kv : pairs_of(b["security"])) spec.security_keys.push_back(kv);
      }
      spec.operational_keys = {};
    } else {
      spec.operational_keys = keys;
    }
    if (b.contains("isid")) spec.isid = wire::Isid::from_u64(value_of(b["isid"], 0));
    if (b.contains("tsih")) spec.tsih = static_cast<std::uint16_t>(value_of(b["tsih"], 0));
    if (b.contains("cid")) spec.cid = static_cast<std::uint16_t>(value_of(b["cid"], 0));
    const LoginOutcome out = s.login(spec, target_.timeout);
    const json expect = b.value("expect", json::object());
    const std::uint16_t status =
        static_cast<std::uint16_t>(out.status_class << 8 | out.status_detail);
    last_login_answers_ = out.answers;
    if (expect.contains("status")) {
      const auto want = value_of(expect["status"], 0);
      if (status != want || (!out.error.empty() && out.status_class == 0)) {
        throw Stop{Verdict::Fail, "login: expected status 0x" + hex4(want) + ", got 0x" +
                                      hex4(status) +
                                      (out.error.empty() ? "" : " (" + out.error + ")")};
      }
      return;
    }
    if (!out.completed) {
      throw Stop{Verdict::Fail, "login did not complete: " +
                                    (out.error.empty() ? "status 0x" + hex4(status) : out.error)};
    }
    vars_["tsih"] = s.tsih();
    if (b.contains("require")) {
      for (auto it = b["require"].begin(); it != b["require"].end(); ++it) {
        std::string got = "<not answered>";
        for (const auto& kv : out.answers) {
          if (kv.key == it.key()) got = kv.value;
        }
        if (got != it.value().get<std::string>()) {
          throw Stop{Verdict::NotApplicable,
                     "precondition " + it.key() + "=" + it.value().get<std::string>() +
                         " declined by the target (" + it.key() + "=" + got + ")"};
        }
      }
    }
    if (expect.contains("keys")) check_keys(expect["keys"], out.answers, "login response");
  }

  static std::string hex4(std::uint64_t v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04llx", static_cast<unsigned long long>(v & 0xffff));
    return buf;
  }

  // One present key's value against a key matcher (the schema's key_matcher).
  bool key_matches(const json& m, const std::string& value) {
    if (m.is_string())
      return m.get<std::string>() == "any" || value == expand(m.get<std::string>());
    if (!m.is_object()) return false;
    if (m.contains("not")) return !key_matches(m["not"], value);
    if (m.contains("binary")) {
      // Equal binary values whatever their encoding (§5.1 hex or base64).
      const auto want = session::chap::decode_binary(expand(m["binary"].get<std::string>()));
      const auto have = session::chap::decode_binary(value);
      if (!want) throw Stop{Verdict::Error, "binary matcher: " + want.error()};
      return have && *have == *want;
    }
    if (m.contains("binary_length")) {
      const auto have = session::chap::decode_binary(value);
      return have && matches(m["binary_length"], have->size(), ~0ULL);
    }
    if (m.contains("in")) {
      for (const auto& c : m["in"]) {
        if (c.is_string() && c.get<std::string>() == value) return true;
      }
      return false;
    }
    if (m.contains("range")) {
      auto v = parse_u64(value);
      return v && matches(m, *v, ~0ULL);
    }
    return false;
  }

  void check_keys(const json& want, const std::vector<wire::text::KeyValue>& got,
                  const std::string& where) {
    for (auto it = want.begin(); it != want.end(); ++it) {
      std::optional<std::string> value;
      for (const auto& kv : got) {
        if (kv.key == it.key()) value = kv.value;
      }
      const json& m = it.value();
      if (m.is_object() && m.contains("absent")) {
        if (value)
          throw Stop{Verdict::Fail,
                     where + ": key " + it.key() + " present (" + *value + "), expected absent"};
        continue;
      }
      if (!value) throw Stop{Verdict::Fail, where + ": key " + it.key() + " absent"};
      if (!key_matches(m, *value))
        throw Stop{Verdict::Fail,
                   where + ": key " + it.key() + "=" + *value + ", expected " + m.dump()};
    }
  }

  void send(const json& b) {
    auto& s = session();
    const auto op = *pdu_by_name(b["pdu"].get<std::string>());
    Pdu pdu = default_pdu(op);
    s.fill_auto_fields(pdu);
    if (b.contains("cdb")) {
      const Bytes cdb = hex_bytes(b["cdb"], "cdb");
      auto* cmd = std::get_if<wire::ScsiCommand>(&pdu);
      if (!cmd) throw Stop{Verdict::Error, "cdb on a PDU that is not a SCSI Command"};
      std::copy_n(cdb.begin(), std::min<std::size_t>(16, cdb.size()), cmd->cdb.begin());
      if (cdb.size() > 16)
        cmd->ahs.push_back(wire::make_extended_cdb_ahs(wire::ByteView(cdb).subspan(16)));
    }
    if (b.contains("data")) wire::data_of(pdu) = hex_bytes(b["data"], "data");
    if (b.contains("text")) wire::data_of(pdu) = wire::text::encode(pairs_of(b["text"]));
    if (b.contains("fill")) {
      const auto& f = b["fill"];
      const std::uint64_t length = value_of(f.at("length"), 0);
      // A data segment holds at most 2^24 - 1 bytes (§10.2.1.6 DataSegmentLength).
      if (length > wire::kMaxDataSegmentLength) {
        throw Stop{Verdict::Error, "fill length " + std::to_string(length) +
                                       " exceeds the 24-bit DataSegmentLength"};
      }
      wire::data_of(pdu).assign(length,
                                static_cast<std::uint8_t>(value_of(f.value("byte", json(0)), 0)));
    }
    if (b.contains("ahs")) {
      for (const auto& a : b["ahs"]) {
        std::visit(
            [&](auto& p) {
              p.ahs.push_back(wire::Ahs{static_cast<std::uint8_t>(value_of(a.at("type"), 0)),
                                        hex_bytes(a.at("hex"), "ahs")});
            },
            pdu);
      }
    }
    if (b.contains("fields")) {
      for (auto it = b["fields"].begin(); it != b["fields"].end(); ++it) {
        const std::uint64_t automatic = wire::get_field(pdu, it.key()).value_or(0);
        wire::set_field(pdu, it.key(), value_of(it.value(), automatic));
      }
    }
    Bytes bytes = s.encode(pdu);
    if (b.contains("raw")) {
      for (const auto& r : b["raw"]) {
        if (!r["offset"].is_number_unsigned()) {
          throw Stop{Verdict::Error,
                     "raw offset must be a whole number, not " + r["offset"].dump()};
        }
        const std::size_t offset = r["offset"].get<std::size_t>();
        const Bytes patch = hex_bytes(r["hex"], "raw");
        if (offset > bytes.size() + wire::kMaxDataSegmentLength) {
          throw Stop{Verdict::Error, "raw offset " + std::to_string(offset) +
                                         " lies far beyond the PDU (" +
                                         std::to_string(bytes.size()) + " bytes)"};
        }
        if (offset + patch.size() > bytes.size()) bytes.resize(offset + patch.size(), 0);
        std::copy(patch.begin(), patch.end(), bytes.begin() + static_cast<std::ptrdiff_t>(offset));
      }
    }
    if (auto itt = wire::get_field(pdu, "InitiatorTaskTag")) vars_["itt"] = *itt;
    if (auto sn = wire::get_field(pdu, "CmdSN")) vars_["sent_cmdsn"] = *sn;
    if (!s.send(pdu, bytes))
      throw Stop{Verdict::Fail, "the connection was closed before the PDU could be sent"};
  }

  // Checks one alternative against a received PDU; empty string = match.
  std::string mismatch(const json& e, const Received& r) {
    if (e.value("closed", false))
      return r.kind == Received::Kind::Closed ? "" : "the connection stayed open";
    if (r.kind != Received::Kind::Pdu) return "no PDU";
    const auto op = *pdu_by_name(e["pdu"].get<std::string>());
    if (wire::opcode_of(r.pdu) != op) {
      return std::string("expected ") + std::string(wire::opcode_name(op)) + ", got " +
             wire::format_pdu(r.pdu);
    }
    if (e.contains("fields")) {
      for (auto it = e["fields"].begin(); it != e["fields"].end(); ++it) {
        const auto* f = wire::find_field(op, it.key());
        const std::uint64_t actual = *wire::get_field(r.pdu, it.key());
        if (!matches(it.value(), actual, mask_of(*f))) {
          return it.key() + " is " + std::to_string(actual) + " (0x" + hex_u64(actual) +
                 "), expected " + it.value().dump() + " — " + wire::format_pdu(r.pdu);
        }
      }
    }
    const Bytes& data = wire::data_of(r.pdu);
    if (e.contains("data_length") && !matches(e["data_length"], data.size(), ~0ULL)) {
      return "data segment of " + std::to_string(data.size()) + " bytes, expected " +
             e["data_length"].dump();
    }
    if (e.contains("data") && hex_bytes(e["data"], "data") != data) {
      return "data segment " + wire::to_hex(data) + ", expected " + e["data"].get<std::string>();
    }
    if (e.contains("keys")) {
      auto pairs = wire::text::parse(data);
      if (!pairs) return "text does not parse: " + pairs.error().detail;
      try {
        check_keys(e["keys"], *pairs, "text");
      } catch (const Stop& s) {
        return s.message;
      }
    }
    if (e.contains("sense")) {
      // §10.4.7: SenseLength, then fixed-format sense (SPC-4).
      if (data.size() < 2) return "no sense data in the response";
      return sense_mismatch(e["sense"], wire::ByteView(data).subspan(2));
    }
    return "";
  }

  // Fixed-format sense (SPC-4): key in byte 2, ASC/ASCQ in bytes 12-13.
  std::string sense_mismatch(const json& want, wire::ByteView sense) {
    if (sense.size() < 14) return "no sense data";
    const std::uint8_t key = sense[2] & 0x0f, asc = sense[12], ascq = sense[13];
    if ((want.contains("key") && !matches(want["key"], key, 0xff)) ||
        (want.contains("asc") && !matches(want["asc"], asc, 0xff)) ||
        (want.contains("ascq") && !matches(want["ascq"], ascq, 0xff))) {
      return "sense " + hex_u64(key) + "/" + hex_u64(asc) + "/" + hex_u64(ascq) + ", expected " +
             want.dump();
    }
    return "";
  }

  static std::string hex_u64(std::uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
    return buf;
  }

  void expect(const json& b) {
    auto& s = session();
    const auto timeout = milliseconds_of(b, "within_ms", target_.timeout);
    std::vector<json> alternatives;
    if (b.contains("any_of")) {
      for (const auto& a : b["any_of"]) alternatives.push_back(a);
    } else {
      alternatives.push_back(b);
    }
    bool wants_nop_in = false;
    for (const auto& a : alternatives)
      wants_nop_in = wants_nop_in || a.value("pdu", std::string()) == "NopIn";
    const Received r = s.receive(timeout, /*answer_pings=*/!wants_nop_in);
    if (r.kind == Received::Kind::Error) throw Stop{Verdict::Fail, r.error};
    if (r.kind == Received::Kind::Timeout) {
      throw Stop{Verdict::Fail,
                 "nothing arrived within " + std::to_string(timeout.count()) + " ms"};
    }
    std::string why;
    for (const auto& a : alternatives) {
      const std::string m = mismatch(a, r);
      if (m.empty()) {
        if (a.contains("capture")) {
          for (auto it = a["capture"].begin(); it != a["capture"].end(); ++it) {
            vars_[it.key()] = *wire::get_field(r.pdu, it.value().get<std::string>());
          }
        }
        if (a.contains("capture_keys")) capture_keys(a["capture_keys"], r);
        return;
      }
      why += (why.empty() ? "" : "; ") + m;
    }
    if (r.kind == Received::Kind::Closed) why = "the target closed the connection (" + why + ")";
    throw Stop{Verdict::Fail, why};
  }

  // Keeps key values of the received text for later ${...} expressions.
  void capture_keys(const json& want, const Received& r) {
    auto pairs = wire::text::parse(wire::data_of(r.pdu));
    if (!pairs) throw Stop{Verdict::Fail, "text does not parse: " + pairs.error().detail};
    for (auto it = want.begin(); it != want.end(); ++it) {
      const std::string key = it.value().get<std::string>();
      bool found = false;
      for (const auto& kv : *pairs) {
        if (kv.key != key) continue;
        texts_[it.key()] = kv.value;
        found = true;
      }
      if (!found) throw Stop{Verdict::Fail, "text: key " + key + " absent (capture_keys)"};
    }
  }

  void expect_close(const json& b) {
    auto& s = session();
    const auto timeout = milliseconds_of(b, "within_ms", target_.timeout);
    std::vector<Pdu> seen;
    if (!s.wait_closed(timeout, &seen)) {
      throw Stop{Verdict::Fail,
                 "the connection was still open after " + std::to_string(timeout.count()) + " ms"};
    }
  }

  // A duration in milliseconds: a whole number from 0 to an hour. Anything
  // else (a fraction, 5e63, a string) is an error in the case, not a value
  // to convert.
  static std::chrono::milliseconds milliseconds_of(const json& b, const char* key,
                                                   std::chrono::milliseconds fallback) {
    if (!b.contains(key)) return fallback;
    const json& v = b[key];
    if (!v.is_number_integer() || v.get<std::int64_t>() < 0 || v.get<std::int64_t>() > kMaxWaitMs) {
      throw Stop{Verdict::Error, std::string(key) +
                                     " must be a whole number of milliseconds from 0 to " +
                                     std::to_string(kMaxWaitMs) + ", not " + v.dump()};
    }
    return std::chrono::milliseconds(v.get<std::int64_t>());
  }

  void expect_silence(const json& b) {
    auto& s = session();
    const auto ms = milliseconds_of(b, "ms", std::chrono::milliseconds(500));
    const Received r = s.receive(ms, /*answer_pings=*/true);
    if (r.kind == Received::Kind::Pdu)
      throw Stop{Verdict::Fail, "expected silence, got " + wire::format_pdu(r.pdu)};
    if (r.kind == Received::Kind::Closed)
      throw Stop{Verdict::Fail, "expected silence, the target closed the connection"};
    if (r.kind == Received::Kind::Error) throw Stop{Verdict::Fail, r.error};
  }

  void scsi(const json& b) {
    auto& s = session();
    ScsiRequest rq;
    rq.cdb = hex_bytes(b["cdb"], "cdb");
    rq.lun = b.contains("lun") ? value_of(b["lun"], 0) : lun_field();
    if (b.contains("read")) {
      rq.read = true;
      rq.expected_length = static_cast<std::uint32_t>(value_of(b["read"], 0));
    }
    if (b.contains("write")) {
      rq.write = true;
      const std::uint64_t length = value_of(b["write"], 0);
      if (length > kMaxScsiWrite) {
        throw Stop{Verdict::Error, "write length " + std::to_string(length) + " exceeds " +
                                       std::to_string(kMaxScsiWrite) + " bytes"};
      }
      rq.expected_length = static_cast<std::uint32_t>(length);
      if (b.contains("data")) {
        rq.data_out = hex_bytes(b["data"], "data");
      } else {
        rq.data_out.assign(rq.expected_length,
                           static_cast<std::uint8_t>(value_of(b.value("fill", json(0xa5)), 0)));
      }
    }
    if (b.contains("edtl")) rq.expected_length = static_cast<std::uint32_t>(value_of(b["edtl"], 0));
    if (b.contains("attr")) rq.attr = static_cast<std::uint8_t>(value_of(b["attr"], 0));
    const ScsiResult res = s.scsi(rq, target_.timeout);
    if (!res.completed) throw Stop{Verdict::Fail, "SCSI command: " + res.error};
    const json e = b.value("expect", json::object());
    const std::uint64_t want_status = e.contains("status") ? value_of(e["status"], 0) : 0;
    if (res.status != want_status) {
      std::string sense = res.sense.size() >= 14
                              ? " sense " + hex_u64(res.sense[2] & 0x0f) + "/" +
                                    hex_u64(res.sense[12]) + "/" + hex_u64(res.sense[13])
                              : "";
      throw Stop{Verdict::Fail, "SCSI status 0x" + hex_u64(res.status) + sense + ", expected 0x" +
                                    hex_u64(want_status)};
    }
    if (e.contains("sense")) {
      if (const std::string m = sense_mismatch(e["sense"], res.sense); !m.empty())
        throw Stop{Verdict::Fail, m};
    }
    if (e.contains("data_length") && !matches(e["data_length"], res.data_in.size(), ~0ULL)) {
      throw Stop{Verdict::Fail, "read " + std::to_string(res.data_in.size()) + " bytes, expected " +
                                    e["data_length"].dump()};
    }
    if (e.contains("data") && hex_bytes(e["data"], "data") != res.data_in) {
      throw Stop{Verdict::Fail, "data " + wire::to_hex(res.data_in) + ", expected " +
                                    e["data"].get<std::string>()};
    }
    if (e.contains("underflow") &&
        (!res.underflow || !matches(e["underflow"], res.residual, ~0ULL))) {
      throw Stop{Verdict::Fail, "expected residual underflow " + e["underflow"].dump() +
                                    ", got U=" + std::to_string(res.underflow) +
                                    " O=" + std::to_string(res.overflow) + " count " +
                                    std::to_string(res.residual)};
    }
    if (e.contains("overflow") && (!res.overflow || !matches(e["overflow"], res.residual, ~0ULL))) {
      throw Stop{Verdict::Fail, "expected residual overflow " + e["overflow"].dump() +
                                    ", got U=" + std::to_string(res.underflow) +
                                    " O=" + std::to_string(res.overflow) + " count " +
                                    std::to_string(res.residual)};
    }
    if (e.contains("r2ts") && !matches(e["r2ts"], res.r2ts, ~0ULL)) {
      throw Stop{Verdict::Fail, std::to_string(res.r2ts) + " R2Ts, expected " + e["r2ts"].dump()};
    }
    if (e.contains("data_ins") && !matches(e["data_ins"], res.data_ins, ~0ULL)) {
      throw Stop{Verdict::Fail,
                 std::to_string(res.data_ins) + " Data-In PDUs, expected " + e["data_ins"].dump()};
    }
  }

  // SAM: a new I_T nexus first sees a unit attention; TEST UNIT READY until
  // GOOD consumes it (at most a few times).
  void clear_unit_attention() {
    for (int i = 0; i < 8; ++i) {
      ScsiRequest rq;
      rq.cdb.assign(6, 0);
      rq.lun = lun_field();
      const ScsiResult r = session().scsi(rq, target_.timeout);
      if (!r.completed) throw Stop{Verdict::Fail, "TEST UNIT READY: " + r.error};
      if (r.status == 0) return;
      const bool unit_attention = r.sense.size() >= 3 && (r.sense[2] & 0x0f) == 0x06;
      if (!unit_attention)
        throw Stop{Verdict::Fail, "TEST UNIT READY failed with status 0x" + hex_u64(r.status)};
    }
    throw Stop{Verdict::Fail, "unit attentions did not clear after 8 TEST UNIT READY commands"};
  }

  void logout() {
    if (!session().logout(target_.timeout)) throw Stop{Verdict::Fail, "logout did not complete"};
  }

  void sleep(const json& b) {
    const auto ms = milliseconds_of(b, "ms", std::chrono::milliseconds(0));
    if (!inproc_) std::this_thread::sleep_for(ms);
  }

  const TargetSpec& target_;
  std::function<void(int, bool, wire::ByteView)> tap_;
  int& opened_;
  std::unique_ptr<InProcessTarget> inproc_;
  std::map<std::string, std::unique_ptr<InitiatorSession>> conns_;
  std::string current_;
  std::map<std::string, std::uint64_t> vars_;
  std::map<std::string, std::string> texts_;  // captured key values
  AuthSpec auth_;                             // the credentials of this case
  std::vector<wire::text::KeyValue> last_login_answers_;
};

}  // namespace

Runner::Runner(TargetSpec target) : target_(std::move(target)) {}

CaseResult Runner::run(const Scenario& scenario) {
  CaseResult result;
  result.id = scenario.id;
  const auto start = std::chrono::steady_clock::now();
  CaseContext ctx(target_, this, tap_, connections_opened_);
  result.verdict = Verdict::Pass;
  try {
    ctx.prepare(scenario.preconditions);
  } catch (const Stop& stop) {
    result.verdict = stop.verdict;
    result.message = stop.message;
    result.seconds = 0;
    return result;
  }
  for (std::size_t i = 0; i < scenario.steps.size(); ++i) {
    try {
      ctx.run_step(scenario.steps[i]);
    } catch (const Stop& stop) {
      result.verdict = stop.verdict;
      result.step = i + 1;
      result.message = stop.message;
      break;
    } catch (const nlohmann::json::exception& e) {
      result.verdict = Verdict::Error;
      result.step = i + 1;
      result.message = std::string("scenario: ") + e.what();
      break;
    } catch (const std::exception& e) {
      // A value the checks above did not bound: a harness error for this
      // case, never the end of the whole run.
      result.verdict = Verdict::Error;
      result.step = i + 1;
      result.message = std::string("harness: ") + e.what();
      break;
    }
  }
  result.exchange = ctx.exchange();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace iscsi::sim
