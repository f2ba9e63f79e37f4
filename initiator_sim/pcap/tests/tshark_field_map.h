// Test support for tshark_wire_test: the table that maps each field of each
// typed PDU (RFC 3720 §10) to the tshark field that shows it, with the value
// the RFC says the field must show, and the comparison with what tshark
// reported. Every place where tshark 4.0's dissector shows less than the PDU
// carries, or shows it elsewhere, is commented as a tshark quirk.
#pragma once

#include <cctype>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "pcap/tests/tshark_output.h"
#include "wire/bytes.h"
#include "wire/error.h"
#include "wire/pdu.h"

namespace iscsi::wire::tshark_check {

// ---------------------------------------------------------------------------
// Expected values: the RFC's meaning of the typed fields, in tshark's names.

enum class Kind { Number, Bytes, Text };

struct Want {
  Kind kind;
  std::uint64_t number = 0;
  std::string text;  // Bytes: lower-case hex without separators; Text: the string
};

class Expected {
 public:
  void number(const std::string& field, std::uint64_t v) {
    fields_[field].push_back({Kind::Number, v, {}});
  }
  void flag(const std::string& field, bool v) { number(field, v ? 1 : 0); }
  void bytes(const std::string& field, ByteView b) {
    fields_[field].push_back({Kind::Bytes, 0, to_hex(b)});
  }
  void text(const std::string& field, const std::string& s) {
    fields_[field].push_back({Kind::Text, 0, s});
  }
  void remove(const std::string& field) { fields_.erase(field); }
  void merge(const Expected& other) {
    for (const auto& [k, v] : other.fields_)
      fields_[k].insert(fields_[k].end(), v.begin(), v.end());
  }
  const std::map<std::string, std::vector<Want>>& fields() const { return fields_; }

 private:
  std::map<std::string, std::vector<Want>> fields_;
};

// Fields tshark derives from the conversation rather than from the PDU's
// bytes (request/response frame links and response times).
const std::set<std::string> kDerivedFields = {
    "iscsi.request_frame",  "iscsi.response_frame", "iscsi.data_in_frame",
    "iscsi.data_out_frame", "iscsi.time",
};

// The key=value pairs of a text data segment, each terminated by NUL (§5.1).
inline std::vector<std::string> text_pairs(const Bytes& data) {
  std::vector<std::string> pairs;
  std::string current;
  for (std::uint8_t c : data) {
    if (c == 0) {
      pairs.push_back(current);
      current.clear();
    } else {
      current.push_back(static_cast<char>(c));
    }
  }
  return pairs;
}

// The LUN as tshark shows it. The dissector decodes only the first level of
// the 8-byte LUN (SAM-2 §4.9): the address method (byte 0, bits 7-6) and the
// 14-bit first-level value (bytes 0-1 with the method bits masked off).
inline void expect_lun(Expected& e, std::uint64_t lun) {
  const auto byte0 = static_cast<std::uint8_t>(lun >> 56);
  const auto byte1 = static_cast<std::uint8_t>(lun >> 48);
  e.number("scsi.lun.address_mode", byte0 >> 6);
  e.number("scsi.lun", static_cast<std::uint64_t>(byte0 & 0x3f) << 8 | byte1);
}

// §10.1: the data segment is padded with zero bytes to a multiple of 4.
inline void expect_padding(Expected& e, const Bytes& data) {
  const std::size_t pad = pad_length(data.size());
  if (pad > 0) e.bytes("iscsi.padding", Bytes(pad, 0));
}

inline void expect_common(Expected& e, const Pdu& pdu) {
  e.number("iscsi.opcode", static_cast<std::uint8_t>(opcode_of(pdu)));
  std::size_t ahs_words = 0;
  for (const Ahs& a : ahs_of(pdu)) ahs_words += (3 + a.specific.size() + 3) / 4;
  e.number("iscsi.totalahslength", ahs_words);
  e.number("iscsi.datasegmentlength", data_of(pdu).size());
}

inline void expect_isid(Expected& e, const Isid& isid) {
  // §10.12.5: T (2 bits) A (6) B (16) C (8) D (16), most significant first.
  const std::uint8_t bytes[6] = {static_cast<std::uint8_t>((isid.t << 6) | (isid.a & 0x3f)),
                                 static_cast<std::uint8_t>(isid.b >> 8),
                                 static_cast<std::uint8_t>(isid.b),
                                 isid.c,
                                 static_cast<std::uint8_t>(isid.d >> 8),
                                 static_cast<std::uint8_t>(isid.d)};
  e.bytes("iscsi.isid", bytes);
  e.number("iscsi.isid.t", isid.t);
  e.number("iscsi.isid.a", isid.a);
  e.number("iscsi.isid.b", isid.b);
  e.number("iscsi.isid.c", isid.c);
  e.number("iscsi.isid.d", isid.d);
}

inline void expect_keys(Expected& e, const Bytes& data) {
  for (const std::string& pair : text_pairs(data)) e.text("iscsi.keyvalue", pair);
  expect_padding(e, data);
}

inline void expect_target_sns(Expected& e, std::uint32_t stat_sn, std::uint32_t exp_cmd_sn,
                              std::uint32_t max_cmd_sn) {
  e.number("iscsi.statsn", stat_sn);
  e.number("iscsi.expcmdsn", exp_cmd_sn);
  e.number("iscsi.maxcmdsn", max_cmd_sn);
}

// The mapping table: for each PDU type, the tshark field that shows each
// field of the typed PDU.
inline Expected expected_fields(const Pdu& pdu) {
  Expected e;
  expect_common(e, pdu);
  std::visit(
      [&]<class T>(const T& p) {
        if constexpr (std::is_same_v<T, NopOut>) {
          e.flag("iscsi.I", p.immediate);
          expect_lun(e, p.lun);
          e.number("iscsi.initiatortasktag", p.initiator_task_tag);
          e.number("iscsi.targettransfertag", p.target_transfer_tag);
          e.number("iscsi.cmdsn", p.cmd_sn);
          e.number("iscsi.expstatsn", p.exp_stat_sn);
          if (!p.data.empty()) e.bytes("iscsi.pingdata", p.data);
          expect_padding(e, p.data);
        } else if constexpr (std::is_same_v<T, ScsiCommand>) {
          e.flag("iscsi.I", p.immediate);
          e.number("iscsi.flags", (p.final ? 0x80 : 0) | (p.read ? 0x40 : 0) |
                                      (p.write ? 0x20 : 0) | (p.attr & 0x07));
          e.flag("iscsi.scsicommand.F", p.final);
          e.flag("iscsi.scsicommand.R", p.read);
          e.flag("iscsi.scsicommand.W", p.write);
          e.number("iscsi.scsicommand.attr", p.attr);
          expect_lun(e, p.lun);
          e.number("iscsi.initiatortasktag", p.initiator_task_tag);
          e.number("iscsi.scsicommand.expecteddatatransferlength", p.expected_data_transfer_length);
          e.number("iscsi.cmdsn", p.cmd_sn);
          e.number("iscsi.expstatsn", p.exp_stat_sn);
          for (const Ahs& a : p.ahs) {
            // §10.2.2: AHSLength counts the AHS-Specific bytes.
            e.number("iscsi.ahs.length", a.specific.size());
            e.number("iscsi.ahs.type", a.type);
            if (a.type == static_cast<std::uint8_t>(AhsType::BidirectionalReadLength)) {
              e.number("iscsi.ahs.bidir.length", load_be32(a.specific.data() + 1));
            } else if (a.type == static_cast<std::uint8_t>(AhsType::ExtendedCdb)) {
              // §10.2.2.3: a reserved byte, then the CDB bytes beyond 16.
              e.bytes("iscsi.ahs.extended_cdb", ByteView(a.specific).subspan(1));
            }
          }
          if (!p.data.empty()) e.bytes("iscsi.immediatedata", p.data);
          expect_padding(e, p.data);
        } else if constexpr (std::is_same_v<T, TaskManagementRequest>) {
          e.flag("iscsi.I", p.immediate);
          e.number("iscsi.taskmanfun.function", p.function);
          expect_lun(e, p.lun);
          e.number("iscsi.initiatortasktag", p.initiator_task_tag);
          e.number("iscsi.taskmanfun.referencedtasktag", p.referenced_task_tag);
          e.number("iscsi.cmdsn", p.cmd_sn);
          e.number("iscsi.expstatsn", p.exp_stat_sn);
          e.number("iscsi.refcmdsn", p.ref_cmd_sn);
          // tshark quirk: ExpDataSN (bytes 36-39, §10.5.6) is not shown for
          // the TMF Request; no cross-check of that field is possible here.
        } else if constexpr (std::is_same_v<T, LoginRequest>) {
          // tshark quirk: the I bit of a Login Request (fixed at 1, §10.12)
          // is not shown. The dissector does refuse a Login Request whose I
          // bit is 0 (it is not dissected as iSCSI at all), so the count of
          // dissected PDUs checks that bit.
          e.flag("iscsi.login.T", p.transit);
          e.flag("iscsi.login.C", p.continue_);
          e.number("iscsi.login.csg", p.csg);
          // §10.12.3: NSG is valid only when T is 1; tshark shows it only then.
          if (p.transit) e.number("iscsi.login.nsg", p.nsg);
          e.number("iscsi.versionmax", p.version_max);
          e.number("iscsi.versionmin", p.version_min);
          expect_isid(e, p.isid);
          e.number("iscsi.tsih", p.tsih);
          e.number("iscsi.initiatortasktag", p.initiator_task_tag);
          e.number("iscsi.cid", p.cid);
          e.number("iscsi.cmdsn", p.cmd_sn);
          e.number("iscsi.expstatsn", p.exp_stat_sn);
          expect_keys(e, p.data);
        } else if constexpr (std::is_same_v<T, TextRequest>) {
          e.flag("iscsi.I", p.immediate);
          e.number("iscsi.flags", (p.final ? 0x80 : 0) | (p.continue_ ? 0x40 : 0));
          e.flag("iscsi.text.F", p.final);
          e.flag("iscsi.text.C", p.continue_);
          expect_lun(e, p.lun);
          e.number("iscsi.initiatortasktag", p.initiator_task_tag);
          e.number("iscsi.targettransfertag", p.target_transfer_tag);
          e.number("iscsi.cmdsn", p.cmd_sn);
          e.number("iscsi.expstatsn", p.exp_stat_sn);
          expect_keys(e, p.data);
        } else if constexpr (std::is_same_v<T, ScsiDataOut>) {
          e.number("iscsi.flags", p.final ? 0x80 : 0);
          e.flag("iscsi.scsidata.F", p.final);
          expect_lun(e, p.lun);
          e.number("iscsi.initiatortasktag", p.initiator_task_tag);
          e.number("iscsi.targettransfertag", p.target_transfer_tag);
          e.number("iscsi.expstatsn", p.exp_stat_sn);
          e.number("iscsi.datasn", p.data_sn);
          e.number("iscsi.bufferOffset", p.buffer_offset);
          // No padding field: the data goes to the SCSI dissector (above).
        } else if constexpr (std::is_same_v<T, LogoutRequest>) {
          e.flag("iscsi.I", p.immediate);
          e.number("iscsi.logout.reason", p.reason_code);
          e.number("iscsi.initiatortasktag", p.initiator_task_tag);
          e.number("iscsi.cid", p.cid);
          e.number("iscsi.cmdsn", p.cmd_sn);
          e.number("iscsi.expstatsn", p.exp_stat_sn);
        } else if constexpr (std::is_same_v<T, SnackRequest>) {
          e.number("iscsi.snack.type", p.type);
          expect_lun(e, p.lun);
          e.number("iscsi.initiatortasktag", p.initiator_task_tag);
          e.number("iscsi.targettransfertag", p.target_transfer_tag);
          e.number("iscsi.expstatsn", p.exp_stat_sn);
          e.number("iscsi.snack.begrun", p.beg_run);
          e.number("iscsi.snack.runlength", p.run_length);
        } else if constexpr (std::is_same_v<T, NopIn>) {
          expect_lun(e, p.lun);
          e.number("iscsi.initiatortasktag", p.initiator_task_tag);
          e.number("iscsi.targettransfertag", p.target_transfer_tag);
          expect_target_sns(e, p.stat_sn, p.exp_cmd_sn, p.max_cmd_sn);
          if (!p.data.empty()) e.bytes("iscsi.pingdata", p.data);
          expect_padding(e, p.data);
        } else if constexpr (std::is_same_v<T, ScsiResponse>) {
          e.number("iscsi.flags", 0x80 | (p.bidi_read_residual_overflow ? 0x10 : 0) |
                                      (p.bidi_read_residual_underflow ? 0x08 : 0) |
                                      (p.residual_overflow ? 0x04 : 0) |
                                      (p.residual_underflow ? 0x02 : 0));
          e.flag("iscsi.scsiresponse.o", p.bidi_read_residual_overflow);
          e.flag("iscsi.scsiresponse.u", p.bidi_read_residual_underflow);
          e.flag("iscsi.scsiresponse.O", p.residual_overflow);
          e.flag("iscsi.scsiresponse.U", p.residual_underflow);
          e.number("iscsi.scsiresponse.response", p.response);
          e.number("iscsi.scsiresponse.status", p.status);
          e.number("iscsi.initiatortasktag", p.initiator_task_tag);
          expect_target_sns(e, p.stat_sn, p.exp_cmd_sn, p.max_cmd_sn);
          e.number("iscsi.expdatasn", p.exp_data_sn);
          e.number("iscsi.scsiresponse.bidireadresidualcount", p.bidi_read_residual_count);
          e.number("iscsi.scsiresponse.residualcount", p.residual_count);
          // §10.4.7: the data segment starts with the 2-byte SenseLength.
          if (p.data.size() >= 2)
            e.number("iscsi.scsiresponse.senselength", load_be16(p.data.data()));
          // No padding field: the data goes to the SCSI dissector (above).
        } else if constexpr (std::is_same_v<T, TaskManagementResponse>) {
          // tshark quirk: TotalAHSLength and DataSegmentLength are not shown
          // for the TMF Response (shown only for pre-RFC drafts).
          e.remove("iscsi.totalahslength");
          e.remove("iscsi.datasegmentlength");
          e.number("iscsi.taskmanfun.response", p.response);
          e.number("iscsi.initiatortasktag", p.initiator_task_tag);
          expect_target_sns(e, p.stat_sn, p.exp_cmd_sn, p.max_cmd_sn);
        } else if constexpr (std::is_same_v<T, LoginResponse>) {
          e.flag("iscsi.login.T", p.transit);
          e.flag("iscsi.login.C", p.continue_);
          e.number("iscsi.login.csg", p.csg);
          if (p.transit) e.number("iscsi.login.nsg", p.nsg);  // as in §10.12.3
          e.number("iscsi.versionmax", p.version_max);
          e.number("iscsi.versionactive", p.version_active);
          expect_isid(e, p.isid);
          e.number("iscsi.tsih", p.tsih);
          e.number("iscsi.initiatortasktag", p.initiator_task_tag);
          expect_target_sns(e, p.stat_sn, p.exp_cmd_sn, p.max_cmd_sn);
          // §10.13.5: Status-Class in byte 36, Status-Detail in byte 37.
          e.number("iscsi.login.status", (p.status_class << 8) | p.status_detail);
          expect_keys(e, p.data);
        } else if constexpr (std::is_same_v<T, TextResponse>) {
          e.number("iscsi.flags", (p.final ? 0x80 : 0) | (p.continue_ ? 0x40 : 0));
          e.flag("iscsi.text.F", p.final);
          e.flag("iscsi.text.C", p.continue_);
          expect_lun(e, p.lun);
          e.number("iscsi.initiatortasktag", p.initiator_task_tag);
          e.number("iscsi.targettransfertag", p.target_transfer_tag);
          expect_target_sns(e, p.stat_sn, p.exp_cmd_sn, p.max_cmd_sn);
          expect_keys(e, p.data);
        } else if constexpr (std::is_same_v<T, ScsiDataIn>) {
          e.number("iscsi.flags", (p.final ? 0x80 : 0) | (p.acknowledge ? 0x40 : 0) |
                                      (p.residual_overflow ? 0x04 : 0) |
                                      (p.residual_underflow ? 0x02 : 0) |
                                      (p.status_present ? 0x01 : 0));
          e.flag("iscsi.scsidata.F", p.final);
          e.flag("iscsi.scsidata.A", p.acknowledge);
          e.flag("iscsi.scsidata.O", p.residual_overflow);
          e.flag("iscsi.scsidata.U", p.residual_underflow);
          e.flag("iscsi.scsidata.S", p.status_present);
          if (p.status_present) e.number("iscsi.scsiresponse.status", p.status);
          // §10.7.4: LUN and Target Transfer Tag of a Data-In carry values
          // only when the A bit is set; tshark shows them only then.
          if (p.acknowledge) {
            expect_lun(e, p.lun);
            e.number("iscsi.targettransfertag", p.target_transfer_tag);
          }
          e.number("iscsi.initiatortasktag", p.initiator_task_tag);
          expect_target_sns(e, p.stat_sn, p.exp_cmd_sn, p.max_cmd_sn);
          e.number("iscsi.datasn", p.data_sn);
          e.number("iscsi.bufferOffset", p.buffer_offset);
          e.number("iscsi.scsidata.readresidualcount", p.residual_count);
          // tshark hands the data segment of Data-In, Data-Out and SCSI
          // Response PDUs to its SCSI dissector, which shows no padding.
        } else if constexpr (std::is_same_v<T, LogoutResponse>) {
          e.number("iscsi.logout.response", p.response);
          e.number("iscsi.initiatortasktag", p.initiator_task_tag);
          expect_target_sns(e, p.stat_sn, p.exp_cmd_sn, p.max_cmd_sn);
          e.number("iscsi.time2wait", p.time2wait);
          e.number("iscsi.time2retain", p.time2retain);
        } else if constexpr (std::is_same_v<T, ReadyToTransfer>) {
          expect_lun(e, p.lun);
          e.number("iscsi.initiatortasktag", p.initiator_task_tag);
          e.number("iscsi.targettransfertag", p.target_transfer_tag);
          expect_target_sns(e, p.stat_sn, p.exp_cmd_sn, p.max_cmd_sn);
          e.number("iscsi.r2tsn", p.r2t_sn);
          e.number("iscsi.bufferOffset", p.buffer_offset);
          e.number("iscsi.desireddatalength", p.desired_data_transfer_length);
        } else if constexpr (std::is_same_v<T, AsyncMessage>) {
          expect_lun(e, p.lun);
          expect_target_sns(e, p.stat_sn, p.exp_cmd_sn, p.max_cmd_sn);
          e.number("iscsi.asyncevent", p.async_event);
          e.number("iscsi.eventvendorcode", p.async_vcode);
          e.number("iscsi.parameter1", p.parameter1);
          e.number("iscsi.parameter2", p.parameter2);
          e.number("iscsi.parameter3", p.parameter3);
          // tshark quirk: the InitiatorTaskTag (fixed 0xffffffff, §10.9)
          // and the SenseLength of the data segment (§10.9.4) are not
          // shown; the sense data itself goes to the SCSI dissector and is
          // checked through the SCSI layer (Step::scsi_fields).
        } else if constexpr (std::is_same_v<T, Reject>) {
          // tshark quirk: the InitiatorTaskTag (fixed 0xffffffff, §10.17)
          // is not shown. The data segment, the rejected PDU's header, is
          // dissected as a nested iSCSI header (see expected_for_step).
          e.number("iscsi.reject.reason", p.reason);
          expect_target_sns(e, p.stat_sn, p.exp_cmd_sn, p.max_cmd_sn);
          e.number("iscsi.datasn", p.data_sn);
        }
      },
      pdu);
  return e;
}

// A Reject's expected fields include those of the header it carries, which
// tshark dissects as an iSCSI PDU of its own, after the Reject's fields.
inline Expected expected_for_step(const Pdu& pdu, const std::optional<Pdu>& rejected) {
  Expected e = expected_fields(pdu);
  if (rejected) e.merge(expected_fields(*rejected));
  return e;
}

inline std::string normalize_bytes(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == ':' || c == ' ') continue;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

inline bool parse_number(const std::string& s, std::uint64_t& v) {
  if (s.empty()) return false;
  char* end = nullptr;
  const bool hex = s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
  v = std::strtoull(s.c_str(), &end, hex ? 16 : 10);
  return end && *end == '\0';
}

inline bool matches(const Want& w, const std::string& got) {
  switch (w.kind) {
    case Kind::Number: {
      std::uint64_t v = 0;
      return parse_number(got, v) && v == w.number;
    }
    case Kind::Bytes:
      return normalize_bytes(got) == w.text;
    case Kind::Text:
      return got == w.text;
  }
  return false;
}

inline std::string describe(const Want& w) {
  switch (w.kind) {
    case Kind::Number: {
      std::ostringstream s;
      s << w.number << " (0x" << std::hex << w.number << ")";
      return s.str();
    }
    case Kind::Bytes:
      return "bytes " + w.text;
    case Kind::Text:
      return "\"" + w.text + "\"";
  }
  return "";
}

inline std::string dump(const Reported& r) {
  std::string s;
  for (const auto& [k, vs] : r.fields) {
    for (const auto& v : vs) s += "    " + k + " = " + v + "\n";
  }
  return s;
}

// Every field reported must be mapped and equal; every mapped field must be
// reported. Returns the disagreements.
inline std::vector<std::string> compare(const Expected& expected, const Reported& reported) {
  std::vector<std::string> errors;
  for (const auto& [field, values] : reported.fields) {
    if (kDerivedFields.count(field)) continue;
    auto it = expected.fields().find(field);
    if (it == expected.fields().end()) {
      errors.push_back("tshark reports " + field + " = " + values.front() +
                       ", which the mapping table does not cover");
      continue;
    }
    const auto& wants = it->second;
    if (wants.size() != values.size()) {
      errors.push_back(field + ": tshark reports " + std::to_string(values.size()) +
                       " value(s), expected " + std::to_string(wants.size()));
      continue;
    }
    for (std::size_t i = 0; i < wants.size(); ++i) {
      if (!matches(wants[i], values[i])) {
        errors.push_back(field + ": tshark reports " + values[i] + ", encoded " +
                         describe(wants[i]));
      }
    }
  }
  for (const auto& [field, wants] : expected.fields()) {
    if (!reported.fields.count(field)) {
      errors.push_back(field + " (expected " + describe(wants.front()) +
                       ") is not reported by tshark");
    }
  }
  return errors;
}

}  // namespace iscsi::wire::tshark_check
