#include "text_gen.h"

#include <array>
#include <string_view>

#include "negotiation/keys.h"
#include "target_driver.h"

namespace iscsi::fuzz {

namespace neg = iscsi::negotiation;

namespace {

constexpr std::array<const char*, 12> kOtherKeys = {"X-com.example.vendor",
                                                    "X#NodeArchitecture",
                                                    "TaskReporting",
                                                    "iSCSIProtocolLevel",
                                                    "UnknownKey",
                                                    "Z",
                                                    "authmethod",
                                                    "X-",
                                                    "X#",
                                                    "A.b-c+d@e_f",
                                                    "Y-x",
                                                    "Tsih"};

constexpr std::array<const char*, 24> kValues = {
    "Yes",    "No",         "None",          "CRC32C",   "CRC32C,None", "None,CRC32C",
    "Reject", "Irrelevant", "NotUnderstood", "0",        "1",           "512",
    "8192",   "65536",      "262144",        "16777215", "16777216",    "0x10",
    "0b",     "1~65535",    "2048~1024",     "All",      "Discovery",   "Normal"};

std::string numeric_value(FuzzedDataProvider& in, const neg::KeyDef& def) {
  switch (in.ConsumeIntegralInRange<int>(0, 4)) {
    case 0:
      return std::to_string(def.min);
    case 1:
      return std::to_string(def.max);
    case 2:
      return std::to_string(def.max + 1);
    case 3: {
      char buf[24];
      std::snprintf(buf, sizeof buf, "0x%llx",
                    static_cast<unsigned long long>(in.ConsumeIntegralInRange<std::uint64_t>(
                        def.min, def.max == 0 ? 0xffff : def.max)));
      return buf;
    }
    default:
      return std::to_string(
          in.ConsumeIntegralInRange<std::uint64_t>(def.min, def.max == 0 ? 0xffff : def.max));
  }
}

std::string typed_value(FuzzedDataProvider& in, const neg::KeyDef& def) {
  using VT = neg::ValueType;
  switch (def.type) {
    case VT::ListOfValues: {
      std::string out;
      const int n = in.ConsumeIntegralInRange<int>(1, 3);
      for (int i = 0; i < n; ++i) {
        if (i) out += ',';
        if (!def.values.empty() && in.ConsumeBool()) {
          out += def.values[in.ConsumeIntegralInRange<std::size_t>(0, def.values.size() - 1)];
        } else {
          out += in.ConsumeRandomLengthString(12);
        }
      }
      return out;
    }
    case VT::NumberList:
      return numeric_value(in, def) + (in.ConsumeBool() ? "," + numeric_value(in, def) : "");
    case VT::Enumerated:
      return std::string(
          def.values[in.ConsumeIntegralInRange<std::size_t>(0, def.values.size() - 1)]);
    case VT::Boolean:
      return in.ConsumeBool() ? "Yes" : "No";
    case VT::Numerical:
    case VT::Binary16:
      return numeric_value(in, def);
    case VT::NumericalRange:
      return numeric_value(in, def) + (in.ConsumeBool() ? "~" + numeric_value(in, def) : "");
    case VT::IscsiName:
      return in.ConsumeBool() ? kTargetName : kInitiatorName;
    case VT::LocalName:
    case VT::TextString:
      return in.ConsumeRandomLengthString(300);
    case VT::Binary: {
      // Hex or base64 of a fuzzed length, sometimes with an odd digit count
      // or a bad character (CHAP_C/CHAP_R decoding, CVE-2018-14633 class).
      const std::size_t bytes = in.ConsumeIntegralInRange<std::size_t>(0, 1100);
      std::string v = in.ConsumeBool() ? "0x" : "0b";
      const char fill = v[1] == 'x' ? 'a' : 'A';
      v.append(bytes * 2 + (in.ConsumeBool() ? 1 : 0), fill);
      if (in.ConsumeBool()) v += in.ConsumeRandomLengthString(4);
      return v;
    }
    case VT::TargetAddress:
      return in.ConsumeBool() ? "10.0.0.1:3260,1" : "[fe80::1]:3260,2";
    case VT::SendTargets:
      return in.ConsumeBool() ? "All" : (in.ConsumeBool() ? "" : kTargetName);
  }
  return {};
}

}  // namespace

std::string fuzz_key(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange<int>(0, 7)) {
    case 0:
      return kOtherKeys[in.ConsumeIntegralInRange<std::size_t>(0, kOtherKeys.size() - 1)];
    case 1:
      return in.ConsumeRandomLengthString(70);
    default:
      return std::string(
          neg::kKeyTable[in.ConsumeIntegralInRange<std::size_t>(0, neg::kKeyCount - 1)].name);
  }
}

std::string fuzz_value(FuzzedDataProvider& in, const std::string& key) {
  const auto k = neg::find_key(key);
  switch (in.ConsumeIntegralInRange<int>(0, 7)) {
    case 0:
      return kValues[in.ConsumeIntegralInRange<std::size_t>(0, kValues.size() - 1)];
    case 1:
      return in.ConsumeRandomLengthString(in.ConsumeBool() ? 300 : 20);
    default:
      if (k) return typed_value(in, neg::key_def(*k));
      return kValues[in.ConsumeIntegralInRange<std::size_t>(0, kValues.size() - 1)];
  }
}

std::vector<wire::text::KeyValue> fuzz_pairs(FuzzedDataProvider& in, std::size_t max_pairs) {
  std::vector<wire::text::KeyValue> out;
  const auto count = in.ConsumeIntegralInRange<std::size_t>(0, max_pairs);
  for (std::size_t i = 0; i < count && in.remaining_bytes() > 0; ++i) {
    std::string key = fuzz_key(in);
    std::string value = fuzz_value(in, key);
    out.push_back({std::move(key), std::move(value)});
  }
  return out;
}

std::vector<wire::text::KeyValue> fuzz_login_pairs(FuzzedDataProvider& in, bool first,
                                                   std::size_t max_pairs) {
  std::vector<wire::text::KeyValue> out;
  if (first) {
    const bool discovery = in.ConsumeIntegralInRange<int>(0, 3) == 0;
    if (in.ConsumeIntegralInRange<int>(0, 15) != 0)
      out.push_back({"InitiatorName", kInitiatorName});
    if (!discovery && in.ConsumeIntegralInRange<int>(0, 15) != 0) {
      out.push_back({"TargetName", in.ConsumeIntegralInRange<int>(0, 7)
                                       ? kTargetName
                                       : "iqn.2025-12.local:none"});
    }
    if (discovery || in.ConsumeBool()) {
      out.push_back({"SessionType", discovery ? "Discovery" : "Normal"});
    }
  }
  auto rest = fuzz_pairs(in, max_pairs);
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

}  // namespace iscsi::fuzz
