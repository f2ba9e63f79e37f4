#include "capture/login_tracker.h"

#include <charconv>
#include <type_traits>

namespace iscsi::capture {

namespace {

// Login texts are a few kilobytes (§12.12: login PDUs carry at most 8192
// bytes each). A longer text sequence (a large SendTargets answer) is not
// kept: only login keys and MaxRecvDataSegmentLength matter here.
constexpr std::size_t kMaxAssembledText = 64 * 1024;

// §12.12: MaxRecvDataSegmentLength is 512 to 2^24-1, default 8192.
constexpr std::uint32_t kDefaultMrdsl = 8192;
constexpr std::uint32_t kMinMrdsl = 512;
constexpr std::uint32_t kMaxMrdsl = 0xffffff;

}  // namespace

std::vector<wire::text::KeyValue> split_key_values(wire::ByteView data, std::string* fragment) {
  std::vector<wire::text::KeyValue> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (data[i] != 0) continue;
    const std::string text(data.begin() + static_cast<std::ptrdiff_t>(start),
                           data.begin() + static_cast<std::ptrdiff_t>(i));
    const auto eq = text.find('=');
    if (eq == std::string::npos) {
      out.push_back({text, ""});
    } else {
      out.push_back({text.substr(0, eq), text.substr(eq + 1)});
    }
    start = i + 1;
  }
  if (fragment) {
    fragment->assign(data.begin() + static_cast<std::ptrdiff_t>(start), data.end());
  }
  return out;
}

LoginTracker::LoginTracker()
    : initiator_text_(kMaxAssembledText), target_text_(kMaxAssembledText) {}

void LoginTracker::absorb(const wire::Bytes& text, Keys& keys) {
  for (auto& kv : split_key_values(text, nullptr)) keys[kv.key] = {kv.value, ++order_};
}

LoginTracker::Event LoginTracker::observe(const wire::Pdu& pdu, bool data_complete,
                                          std::string* problem) {
  // Problems are reported for login texts only: a Text PDU's keys matter
  // here only for MaxRecvDataSegmentLength.
  auto feed = [&](wire::text::Assembler& assembler, const wire::Bytes& data, bool continues,
                  Keys& keys, bool login) {
    if (!data_complete) {
      assembler.reset();
      if (problem && login) {
        *problem = "the text of this PDU was not fully captured; its keys are not used";
      }
      return;
    }
    auto added = assembler.add(data, continues);
    if (!added) {
      assembler.reset();
      if (problem && login) *problem = added.error().detail;
      return;
    }
    if (*added) absorb(assembler.take(), keys);
  };
  Event event = Event::None;
  std::visit(
      [&]<class T>(const T& p) {
        if constexpr (std::is_same_v<T, wire::LoginRequest>) {
          feed(initiator_text_, p.data, p.continue_, initiator_, true);
        } else if constexpr (std::is_same_v<T, wire::TextRequest>) {
          feed(initiator_text_, p.data, p.continue_, initiator_, false);
        } else if constexpr (std::is_same_v<T, wire::TextResponse>) {
          feed(target_text_, p.data, p.continue_, target_, false);
        } else if constexpr (std::is_same_v<T, wire::LoginResponse>) {
          feed(target_text_, p.data, p.continue_, target_, true);
          if (p.status_class != 0) {
            event = Event::LoginFailed;
          } else if (p.transit && !p.continue_ &&
                     p.nsg == static_cast<std::uint8_t>(wire::LoginStage::FullFeaturePhase)) {
            // §10.13: T=1 with NSG=3 and a success status ends the login.
            complete_ = true;
            event = Event::LoginComplete;
          }
        }
      },
      pdu);
  return event;
}

std::string LoginTracker::negotiated(const std::string& key) const {
  const auto i = initiator_.find(key);
  const auto t = target_.find(key);
  if (i == initiator_.end() || t == target_.end()) return "";
  return i->second.order > t->second.order ? i->second.value : t->second.value;
}

std::uint32_t LoginTracker::mrdsl(const Keys& keys) {
  const auto it = keys.find("MaxRecvDataSegmentLength");
  if (it == keys.end()) return kDefaultMrdsl;
  const std::string& v = it->second.value;
  std::uint64_t n = 0;
  auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || ptr != v.data() + v.size() || n < kMinMrdsl || n > kMaxMrdsl) {
    return kDefaultMrdsl;
  }
  return static_cast<std::uint32_t>(n);
}

std::string LoginTracker::session_type() const {
  const auto it = initiator_.find("SessionType");
  return it == initiator_.end() ? "Normal" : it->second.value;  // §12.21: default Normal
}

}  // namespace iscsi::capture
