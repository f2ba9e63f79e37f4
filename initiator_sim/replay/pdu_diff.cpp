#include "replay/pdu_diff.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "wire/pdu_fields.h"
#include "wire/text.h"

namespace iscsi::replay {

namespace {

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string value_text(const wire::FieldInfo& f, std::uint64_t v) {
  if (f.kind == wire::FieldKind::Uint && f.size >= 4)
    return std::to_string(v) + " (" + hex(v) + ")";
  return std::to_string(v);
}

// The fields replay maps from the live session instead of comparing.
bool session_variable(std::string_view field) {
  return field == "StatSN" || field == "TargetTransferTag" || field == "TSIH";
}

// Sense data starts after the 2-byte SenseLength (§10.4.7.2).
wire::ByteView sense_of(wire::ByteView segment) {
  if (segment.size() < 2) return {};
  const std::size_t length = (std::size_t{segment[0]} << 8) | segment[1];
  return segment.subspan(2, std::min(length, segment.size() - 2));
}

std::map<std::string, std::string> key_map(wire::ByteView text, std::string& error) {
  std::map<std::string, std::string> out;
  auto pairs = wire::text::parse(text);
  if (!pairs) {
    error = pairs.error().detail;
    return out;
  }
  for (auto& kv : *pairs) out.emplace(kv.key, kv.value);  // the first value of a repeated key
  return out;
}

}  // namespace

std::vector<FieldDelta> compare_header(const wire::Pdu& recorded, const wire::Pdu& live,
                                       const ReplayProfile& profile,
                                       const std::vector<std::string>& skip) {
  std::vector<FieldDelta> out;
  const wire::Opcode op = wire::opcode_of(recorded);
  if (op != wire::opcode_of(live)) {
    const auto a = wire::opcode_name(static_cast<std::uint8_t>(op));
    const auto b = wire::opcode_name(static_cast<std::uint8_t>(wire::opcode_of(live)));
    out.push_back({"Opcode", std::string(a.value_or("?")), std::string(b.value_or("?"))});
    return out;
  }
  for (const auto& f : wire::bhs_fields(op)) {
    if (session_variable(f.name) || profile.field_ignored(op, f.name)) continue;
    if (std::find(skip.begin(), skip.end(), f.name) != skip.end()) continue;
    if (f.kind == wire::FieldKind::Bytes) continue;  // the CDB: requests only
    const auto a = wire::get_field(recorded, f.name);
    const auto b = wire::get_field(live, f.name);
    if (a != b) {
      out.push_back(
          {std::string(f.name), a ? value_text(f, *a) : "-", b ? value_text(f, *b) : "-"});
    }
  }
  return out;
}

std::vector<FieldDelta> compare_keys(wire::ByteView recorded_text, wire::ByteView live_text,
                                     const ReplayProfile& profile) {
  std::vector<FieldDelta> out;
  std::string rec_error, live_error;
  const auto rec = key_map(recorded_text, rec_error);
  const auto live = key_map(live_text, live_error);
  if (!rec_error.empty() || !live_error.empty()) {
    if (rec_error != live_error) out.push_back({"text", rec_error, live_error});
    return out;
  }
  for (const auto& [k, v] : rec) {
    if (profile.key_ignored(k)) continue;
    const auto it = live.find(k);
    if (it == live.end()) {
      out.push_back({"key " + k, v, "(not sent)"});
    } else if (it->second != v) {
      out.push_back({"key " + k, v, it->second});
    }
  }
  for (const auto& [k, v] : live) {
    if (!profile.key_ignored(k) && !rec.contains(k)) out.push_back({"key " + k, "(not sent)", v});
  }
  return out;
}

std::string sense_code(wire::ByteView sense) {
  if (sense.empty()) return "";
  const std::uint8_t code = sense[0] & 0x7f;
  char buf[16];
  if ((code == 0x72 || code == 0x73) && sense.size() >= 4) {
    std::snprintf(buf, sizeof buf, "%x/%02x/%02x", sense[1] & 0x0f, sense[2], sense[3]);
    return buf;
  }
  if ((code == 0x70 || code == 0x71) && sense.size() >= 14) {
    std::snprintf(buf, sizeof buf, "%x/%02x/%02x", sense[2] & 0x0f, sense[12], sense[13]);
    return buf;
  }
  return "unrecognised sense (" +
         wire::to_hex(sense.first(std::min<std::size_t>(sense.size(), 8))) + ")";
}

std::optional<FieldDelta> compare_sense(wire::ByteView recorded_segment,
                                        wire::ByteView live_segment, const ReplayProfile& profile) {
  const auto rec = sense_of(recorded_segment);
  const auto live = sense_of(live_segment);
  if (profile.sense_bytes) return compare_bytes("sense", rec, live);
  const auto a = sense_code(rec);
  const auto b = sense_code(live);
  if (a == b) return std::nullopt;
  return FieldDelta{"sense", a.empty() ? "(none)" : a, b.empty() ? "(none)" : b};
}

std::optional<FieldDelta> compare_bytes(std::string_view name, wire::ByteView recorded,
                                        wire::ByteView live) {
  const std::size_t n = std::min(recorded.size(), live.size());
  const auto mismatch = std::mismatch(recorded.begin(), recorded.begin() + n, live.begin());
  if (mismatch.first == recorded.begin() + n && recorded.size() == live.size()) return std::nullopt;
  if (mismatch.first == recorded.begin() + n) {
    return FieldDelta{std::string(name) + " length", std::to_string(recorded.size()),
                      std::to_string(live.size())};
  }
  const std::size_t at = static_cast<std::size_t>(mismatch.first - recorded.begin());
  const std::size_t len = std::min<std::size_t>(16, n - at);
  return FieldDelta{std::string(name) + " at byte " + std::to_string(at),
                    wire::to_hex(recorded.subspan(at, len)), wire::to_hex(live.subspan(at, len))};
}

}  // namespace iscsi::replay
