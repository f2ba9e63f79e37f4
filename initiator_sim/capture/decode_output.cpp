#include "capture/decode_output.h"

#include <cstdio>

#include "wire/opcode.h"
#include "wire/pdu_fields.h"
#include "wire/pdu_format.h"

namespace iscsi::capture {

namespace {

using Json = nlohmann::ordered_json;

std::string hex_number(std::uint64_t v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%0*llx", digits, static_cast<unsigned long long>(v));
  return buf;
}

std::string absolute_time(std::chrono::nanoseconds t) {
  const long long ns = t.count();
  char buf[48];
  std::snprintf(buf, sizeof buf, "%lld.%09lld", ns / 1'000'000'000, ns % 1'000'000'000);
  return buf;
}

double relative_seconds(std::chrono::nanoseconds t, std::chrono::nanoseconds start) {
  return std::chrono::duration<double>(t - start).count();
}

std::string relative_text(std::chrono::nanoseconds t, std::chrono::nanoseconds start) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%11.6f", relative_seconds(t, start));
  return buf;
}

std::string opcode_label(std::uint8_t op) {
  if (auto name = wire::opcode_name(op)) return std::string(*name);
  return wire::classify_opcode(op) == wire::OpcodeClass::VendorSpecific ? "vendor-specific opcode"
                                                                        : "reserved opcode";
}

// Control characters and bytes outside printable ASCII as \xNN.
std::string printable(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

Json digest_json(DigestCheck check, std::uint32_t value) {
  Json d = Json::object();
  d["check"] = std::string(digest_check_name(check));
  if (check != DigestCheck::Unchecked) d["value"] = hex_number(value, 8);
  return d;
}

Json stream_json(const TcpStreamStats& s) {
  Json j = Json::object();
  j["bytes"] = s.delivered;
  j["retransmitted"] = s.retransmitted;
  j["overlapping"] = s.overlapping;
  j["conflicting"] = s.conflicting;
  j["out_of_order_segments"] = s.out_of_order;
  j["gaps"] = s.gaps;
  j["gap_bytes"] = s.gap_bytes;
  j["before_capture"] = s.before_start;
  return j;
}

std::string optional_digest(const std::optional<bool>& d) {
  return d ? (*d ? "CRC32C" : "None") : "unknown";
}

}  // namespace

std::string json_line(const Json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Json pdu_json(const DecodedPdu& d, std::chrono::nanoseconds start, const OutputOptions& options) {
  const FramedPdu& f = d.framed;
  const std::uint8_t op = f.bhs[0] & wire::kOpcodeMask;
  Json j = Json::object();
  j["type"] = "pdu";
  j["index"] = d.index;
  j["conn"] = d.connection;
  j["dir"] = std::string(direction_name(d.direction));
  j["frame"] = f.last.frame;
  if (f.first.frame != f.last.frame) j["first_frame"] = f.first.frame;
  j["time"] = absolute_time(f.last.time);
  j["rel_time"] = relative_seconds(f.last.time, start);
  j["stream_offset"] = f.stream_offset;
  j["length"] = f.wire_length;
  j["opcode"] = hex_number(op, 2);
  j["name"] = opcode_label(op);
  if (d.pdu) {
    Json fields = Json::object();
    for (const wire::FieldInfo& info : wire::bhs_fields(static_cast<wire::Opcode>(op))) {
      const std::string name(info.name);
      if (info.kind == wire::FieldKind::Bytes) {
        std::visit(
            [&](const auto& p) {
              if constexpr (requires { p.cdb; }) fields[name] = wire::to_hex(p.cdb);
            },
            *d.pdu);
        continue;
      }
      const std::uint64_t v = wire::get_field(*d.pdu, info.name).value_or(0);
      if (name == "LUN") {
        fields[name] = hex_number(v, 16);
      } else if (name == "ISID") {
        fields[name] = hex_number(v, 12);
      } else {
        fields[name] = v;
      }
    }
    j["fields"] = std::move(fields);
  }
  j["total_ahs_length"] = f.bhs[4];
  j["data_segment_length"] = f.data_segment_length;
  if (d.pdu && !wire::ahs_of(*d.pdu).empty()) {
    Json ahs = Json::array();
    for (const wire::Ahs& a : wire::ahs_of(*d.pdu)) {
      ahs.push_back({{"type", a.type},
                     {"length", a.specific.size()},
                     {"specific", wire::to_hex(a.specific)}});
    }
    j["ahs"] = std::move(ahs);
  } else if (!f.ahs.empty()) {
    j["ahs_bytes"] = wire::to_hex(f.ahs);
  }
  if (f.header_digest != DigestCheck::Absent)
    j["header_digest"] = digest_json(f.header_digest, f.header_digest_value);
  if (f.data_digest != DigestCheck::Absent)
    j["data_digest"] = digest_json(f.data_digest, f.data_digest_value);
  if (f.data.size() != f.data_segment_length) j["data_kept"] = f.data.size();
  if (f.missing > 0) j["missing"] = f.missing;
  if (options.data_bytes > 0 && !f.data.empty()) {
    const std::size_t n = std::min(options.data_bytes, f.data.size());
    j["data"] = wire::to_hex(wire::ByteView(f.data).first(n));
  }
  if (!d.keys.empty()) {
    Json keys = Json::array();
    for (const auto& kv : d.keys) keys.push_back({{"key", kv.key}, {"value", kv.value}});
    j["keys"] = std::move(keys);
  }
  if (!d.key_fragment.empty()) j["key_fragment"] = d.key_fragment;
  if (f.resynchronised) j["resynchronised"] = true;
  j["bhs"] = wire::to_hex(f.bhs);
  if (!d.issues.empty()) {
    Json issues = Json::array();
    for (const auto& i : d.issues) issues.push_back({{"code", i.code}, {"detail", i.detail}});
    j["issues"] = std::move(issues);
  }
  return j;
}

Json note_json(const Note& n, std::chrono::nanoseconds start) {
  Json j = Json::object();
  j["type"] = "note";
  j["kind"] = n.kind;
  if (n.connection) j["conn"] = n.connection;
  if (n.direction) j["dir"] = std::string(direction_name(*n.direction));
  j["frame"] = n.at.frame;
  j["time"] = absolute_time(n.at.time);
  j["rel_time"] = relative_seconds(n.at.time, start);
  j["message"] = n.message;
  return j;
}

Json connection_json(const ConnectionReport& r, bool at_end) {
  Json j = Json::object();
  j["type"] = at_end ? "connection_end" : "connection";
  j["conn"] = r.id;
  j["initiator"] = r.initiator.to_string();
  j["target"] = r.target.to_string();
  j["roles_known"] = r.roles_known;
  j["handshake"] = r.syn_seen;
  j["first_frame"] = r.first.frame;
  if (!at_end) return j;
  j["last_frame"] = r.last.frame;
  j["end"] = r.end;
  j["login_captured"] = r.login_captured;
  Json digests = Json::object();
  digests["source"] = std::string(digest_source_name(r.digest_source));
  digests["header"] = optional_digest(r.header_digest);
  digests["data"] = optional_digest(r.data_digest);
  j["digests"] = std::move(digests);
  if (!r.session_type.empty()) j["session_type"] = r.session_type;
  j["pdus"] = r.pdus;
  j["pdus_with_issues"] = r.pdus_with_issues;
  j["skipped_bytes"] = r.garbage_bytes;
  j["tcp"] = {{"I->T", stream_json(r.tcp[0])}, {"T->I", stream_json(r.tcp[1])}};
  return j;
}

Json summary_json(const DecodeSummary& s) {
  Json j = Json::object();
  j["type"] = "summary";
  j["link_type"] = s.link_type;
  j["packets"] = s.packets;
  j["tcp_segments"] = s.tcp_segments;
  Json skipped = Json::object();
  for (const auto& [reason, count] : s.skipped) skipped[reason] = count;
  j["skipped_packets"] = std::move(skipped);
  j["tcp_connections"] = s.tcp_connections;
  j["iscsi_connections"] = s.iscsi_connections;
  j["pdus"] = s.pdus;
  j["pdus_with_issues"] = s.pdus_with_issues;
  j["notes"] = s.notes;
  if (s.notes_suppressed) j["notes_suppressed"] = s.notes_suppressed;
  if (s.reassembly.untracked_connections)
    j["untracked_connections"] = s.reassembly.untracked_connections;
  if (s.reassembly.untracked_segments) j["untracked_segments"] = s.reassembly.untracked_segments;
  if (s.reassembly.after_close) j["segments_after_close"] = s.reassembly.after_close;
  if (s.read_error) j["read_error"] = *s.read_error;
  return j;
}

std::string pdu_text(const DecodedPdu& d, std::chrono::nanoseconds start) {
  const FramedPdu& f = d.framed;
  const std::uint8_t op = f.bhs[0] & wire::kOpcodeMask;
  std::string line = relative_text(f.last.time, start) + " f" + std::to_string(f.last.frame) +
                     " c" + std::to_string(d.connection) + " " +
                     std::string(direction_name(d.direction)) + " ";
  if (d.pdu) {
    line += wire::format_pdu(*d.pdu);
    if (f.data.size() != f.data_segment_length) {
      line += " (DataSegmentLength=" + std::to_string(f.data_segment_length) + ")";
    }
  } else {
    line += opcode_label(op) + " 0x" + wire::to_hex(wire::ByteView(f.bhs).first(1)) +
            " ahs=" + std::to_string(f.ahs.size()) +
            " DataSegmentLength=" + std::to_string(f.data_segment_length);
  }
  if (f.header_digest != DigestCheck::Absent)
    line += " HD:" + std::string(digest_check_name(f.header_digest));
  if (f.data_digest != DigestCheck::Absent)
    line += " DD:" + std::string(digest_check_name(f.data_digest));
  if (f.resynchronised) line += " (after resync)";
  line += "\n";
  for (const auto& kv : d.keys)
    line += "      " + printable(kv.key) + "=" + printable(kv.value) + "\n";
  if (!d.key_fragment.empty()) line += "      " + printable(d.key_fragment) + " ... (continues)\n";
  for (const auto& i : d.issues) line += "      ! " + i.code + ": " + printable(i.detail) + "\n";
  return line;
}

std::string note_text(const Note& n, std::chrono::nanoseconds start) {
  std::string line = relative_text(n.at.time, start) + " f" + std::to_string(n.at.frame);
  if (n.connection) line += " c" + std::to_string(n.connection);
  if (n.direction) line += " " + std::string(direction_name(*n.direction));
  return line + " [" + n.kind + "] " + n.message + "\n";
}

std::string connection_text(const ConnectionReport& r, bool at_end) {
  std::string line = "c" + std::to_string(r.id) + ": " + r.initiator.to_string() +
                     (r.roles_known ? " -> " : " <-> ") + r.target.to_string();
  if (!at_end) {
    line += r.roles_known ? " (initiator -> target" : " (roles not known yet";
    line += r.syn_seen ? ", handshake captured)\n" : ", handshake not captured)\n";
    return line;
  }
  line += " ended (" + r.end + "): " + std::to_string(r.pdus) + " PDUs, " +
          std::to_string(r.pdus_with_issues) + " with issues; login " +
          (r.login_captured ? "captured" : "not captured") +
          "; HeaderDigest=" + optional_digest(r.header_digest) +
          " DataDigest=" + optional_digest(r.data_digest) + " (" +
          std::string(digest_source_name(r.digest_source)) + ")";
  if (r.garbage_bytes) line += "; " + std::to_string(r.garbage_bytes) + " bytes skipped";
  const std::uint64_t gaps = r.tcp[0].gaps + r.tcp[1].gaps;
  if (gaps) {
    line += "; " + std::to_string(gaps) + " capture gaps (" +
            std::to_string(r.tcp[0].gap_bytes + r.tcp[1].gap_bytes) + " bytes)";
  }
  return line + "\n";
}

std::string summary_text(const DecodeSummary& s) {
  std::string line = "capture: " + s.link_type + ", " + std::to_string(s.packets) + " packets, " +
                     std::to_string(s.tcp_segments) + " TCP segments, " +
                     std::to_string(s.tcp_connections) + " TCP connections, " +
                     std::to_string(s.iscsi_connections) + " iSCSI connections, " +
                     std::to_string(s.pdus) + " PDUs (" + std::to_string(s.pdus_with_issues) +
                     " with issues), " + std::to_string(s.notes) + " notes\n";
  if (!s.skipped.empty()) {
    line += "skipped packets:";
    for (const auto& [reason, count] : s.skipped)
      line += " " + reason + " " + std::to_string(count) + ";";
    line += "\n";
  }
  if (s.notes_suppressed)
    line += std::to_string(s.notes_suppressed) + " further packet notes not shown\n";
  if (s.reassembly.untracked_connections) {
    line += std::to_string(s.reassembly.untracked_connections) +
            " connections not decoded (connection limit)\n";
  }
  return line;
}

void StreamSink::connection_start(const ConnectionReport& r) {
  out_ << (json_ ? json_line(connection_json(r, false)) + "\n" : connection_text(r, false));
}

void StreamSink::pdu(const DecodedPdu& d) {
  out_ << (json_ ? json_line(pdu_json(d, start_, options_)) + "\n" : pdu_text(d, start_));
}

void StreamSink::note(const Note& n) {
  out_ << (json_ ? json_line(note_json(n, start_)) + "\n" : note_text(n, start_));
}

void StreamSink::connection_end(const ConnectionReport& r) {
  out_ << (json_ ? json_line(connection_json(r, true)) + "\n" : connection_text(r, true));
}

void StreamSink::summary(const DecodeSummary& s) {
  out_ << (json_ ? json_line(summary_json(s)) + "\n" : summary_text(s));
}

}  // namespace iscsi::capture
