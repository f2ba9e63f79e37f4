// The one table of iSCSI text keys: RFC 3720 §11 (security), §12
// (operational) and Appendix A (markers). Every property the negotiation
// engine, the target and the initiator simulator need is declared here once,
// as constexpr data; nothing else in the project repeats a key's type, range,
// default, sender, phase, scope or result function.
//
// Where RFC 7143 differs, RFC 3720 is followed:
//  - RFC 7143 §13 drops the Appendix A marker keys (OFMarker, IFMarker,
//    OFMarkInt, IFMarkInt) and the SPKM1/SPKM2 authentication methods; they
//    are kept here.
//  - RFC 7143 adds TaskReporting (§13.23) and X#NodeArchitecture (§13.26),
//    and RFC 7144 adds iSCSIProtocolLevel; a RFC 3720 implementation does not
//    know them, so they are answered NotUnderstood like any unknown key.
//  - RFC 7143 §13.21 makes ErrorRecoveryLevel 0 mandatory on Discovery
//    sessions; RFC 3720 has no such rule.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "negotiation/types.h"

namespace iscsi::negotiation {

// Key order follows the RFC: §11 security keys, §12 operational keys,
// Appendix A marker keys. The engine offers keys in this order.
enum class Key : std::uint8_t {
  // §11.1 AuthMethod and the per-method exchange keys.
  AuthMethod,
  KRB_AP_REQ,
  KRB_AP_REP,
  SPKM_REQ,
  SPKM_ERROR,
  SPKM_REP_TI,
  SPKM_REP_IT,
  SPKM_MIC,
  SRP_U,
  TargetAuth,
  SRP_GROUP,
  SRP_s,
  SRP_A,
  SRP_B,
  SRP_M,
  SRP_HM,
  CHAP_A,
  CHAP_I,
  CHAP_C,
  CHAP_N,
  CHAP_R,
  // §12.1 - §12.21.
  HeaderDigest,
  DataDigest,
  MaxConnections,
  SendTargets,
  TargetName,
  InitiatorName,
  TargetAlias,
  InitiatorAlias,
  TargetAddress,
  TargetPortalGroupTag,
  InitialR2T,
  ImmediateData,
  MaxRecvDataSegmentLength,
  MaxBurstLength,
  FirstBurstLength,
  DefaultTime2Wait,
  DefaultTime2Retain,
  MaxOutstandingR2T,
  DataPDUInOrder,
  DataSequenceInOrder,
  ErrorRecoveryLevel,
  SessionType,
  // Appendix A.3.
  OFMarker,
  IFMarker,
  OFMarkInt,
  IFMarkInt,
};

inline constexpr std::size_t kKeyCount = static_cast<std::size_t>(Key::IFMarkInt) + 1;

constexpr std::size_t index_of(Key k) {
  return static_cast<std::size_t>(k);
}

enum class ValueType : std::uint8_t {
  ListOfValues,    // §5.1 list-of-values of text-values (AuthMethod, digests, SRP_GROUP)
  NumberList,      // list-of-values of numerical-values (CHAP_A=<A1,A2...>, §11.1.4)
  Enumerated,      // exactly one of `values` (SessionType=<Discovery|Normal>)
  Boolean,         // §5.1 boolean-value
  Numerical,       // §5.1 numerical-value within [min, max]
  NumericalRange,  // Appendix A.3.2: offer "a~b" (or one value), answer one value
  IscsiName,       // §3.2.6 iSCSI-name-value
  LocalName,       // iSCSI-local-name-value: UTF-8, at most `max` bytes (§12.6, §12.7)
  TextString,      // a UTF-8 text string (CHAP_N, SRP_U: "a text string", §11.1)
  Binary,          // §5.1 binary-value (hex or base64), at most `max` bytes decoded
  Binary16,        // §12.9 16-bit-binary-value (decimal, hex or base64, 0..65535)
  TargetAddress,   // §12.8 domainname[:port][,portal-group-tag]
  SendTargets,     // Appendix D: "All", an iSCSI target name, or nothing
};

// RFC 3720 §12 "Use". SecurityOnly is §11's "During Login - Security
// Negotiation"; Never marks a party that may not send the key at all.
enum class Use : std::uint8_t {
  Never,
  SecurityOnly,     // §11: only in the SecurityNegotiation stage
  LeadingOnly,      // LO: login of the leading connection only
  InitializeOnly,   // IO: login only
  FullFeatureOnly,  // FFPO: full feature phase only
  All,              // ALL: login and full feature phase
};

// RFC 3720 §12: SW session-wide, CO connection-only. §11: "All security
// keys have connection-wide applicability."
enum class Scope : std::uint8_t { SessionWide, ConnectionOnly };

// How the outcome is computed (RFC 3720 §5.2, §12 "Result function").
enum class ResultFunction : std::uint8_t {
  Declarative,       // "Keys that do not require an answer are marked as Declarative"
  FirstAcceptable,   // §5.2.1: first value of the originator's list the responder supports
  Minimum,           // "the selected value cannot exceed the offered value"
  Maximum,           // "the selected value cannot be lower than the offered value"
  And,               // Boolean AND
  Or,                // Boolean OR
  RangeSelect,       // Appendix A.3.2: a value within the offered range, or Reject
  SendTargetsQuery,  // Appendix D: answered by a list of target records, not by the key
  AuthExchange,      // §11.1: steps of the selected authentication method
};

// Irrelevance conditions (RFC 3720 §12 "Irrelevant when", Appendix A.3.2).
using IrrelevantWhen = std::uint8_t;
inline constexpr IrrelevantWhen kNeverIrrelevant = 0;
inline constexpr IrrelevantWhen kIrrelevantInDiscovery = 1;  // SessionType=Discovery
inline constexpr IrrelevantWhen kIrrelevantNoUnsolicited =
    2;                                                       // InitialR2T=Yes and ImmediateData=No
inline constexpr IrrelevantWhen kIrrelevantOFMarkerOff = 4;  // OFMarker=No
inline constexpr IrrelevantWhen kIrrelevantIFMarkerOff = 8;  // IFMarker=No

// The authentication method an exchange key belongs to (§11.1).
enum class AuthFamily : std::uint8_t { None, Kerberos, Spkm, Srp, Chap };

struct KeyDef {
  std::string_view name;
  std::string_view section;  // RFC 3720 section that defines the key
  ValueType type;
  // Numerical/NumberList/NumericalRange: inclusive bounds. Binary: max
  // decoded bytes. LocalName/TextString: max bytes. Lists: max bytes of one
  // element.
  std::uint64_t min = 0;
  std::uint64_t max = 0;
  std::span<const std::string_view> values = {};  // admissible list/enumerated values
  std::string_view default_value = {};            // wire form; empty: no default
  Use by_initiator = Use::Never;
  Use by_target = Use::Never;
  // §12: "Keys marked as Any-Stage may also appear in the SecurityNegotiation
  // stage". The §11 keys appear only there (Use::SecurityOnly).
  bool any_stage = false;
  Scope scope = Scope::SessionWide;
  ResultFunction result = ResultFunction::Declarative;
  IrrelevantWhen irrelevant_when = kNeverIrrelevant;
  AuthFamily auth = AuthFamily::None;
  // §5.3: "except for responses to specific keys that explicitly allow
  // repeated key declarations (e.g., TargetAddress)".
  bool repeatable = false;
};

// §5.1: "the maximum length of a simple-value ... is 255 bytes".
inline constexpr std::uint64_t kSimpleValueMax = 255;
// §12.12-§12.14: 512 to 2**24-1.
inline constexpr std::uint64_t kMax24 = (std::uint64_t{1} << 24) - 1;
// §11.1.3/§11.1.4: "MUST NOT exceed 1024 bytes".
inline constexpr std::uint64_t kAuthValueMax = 1024;
// §11.1.1/§11.1.2: "MUST NOT exceed 65536 bytes".
inline constexpr std::uint64_t kLongAuthValueMax = 65536;

// §11.1: KRB5, SPKM1, SPKM2, SRP, CHAP, None (vendor methods use Z- / Z#).
inline constexpr std::array<std::string_view, 6> kAuthMethodValues = {"KRB5", "SPKM1", "SPKM2",
                                                                      "SRP",  "CHAP",  "None"};
// §12.1: CRC32C and None (vendor digests use Y- / Y#).
inline constexpr std::array<std::string_view, 2> kDigestValues = {"CRC32C", "None"};
// §12.21.
inline constexpr std::array<std::string_view, 2> kSessionTypeValues = {"Discovery", "Normal"};
// §11.1.3 refers to RFC 3723 for the SRP group identifiers.
inline constexpr std::array<std::string_view, 11> kSrpGroupValues = {
    "SRP-768",   "SRP-1024",  "SRP-1280",  "SRP-1536",  "SRP-2048", "MODP-1536",
    "MODP-2048", "MODP-3072", "MODP-4096", "MODP-6144", "MODP-8192"};

namespace detail {
// A §11 exchange key: security stage only, connection scope.
constexpr KeyDef auth_key(std::string_view name, std::string_view section, ValueType type,
                          std::uint64_t min, std::uint64_t max, Use by_initiator, Use by_target,
                          AuthFamily family) {
  return KeyDef{.name = name,
                .section = section,
                .type = type,
                .min = min,
                .max = max,
                .by_initiator = by_initiator,
                .by_target = by_target,
                .scope = Scope::ConnectionOnly,
                .result = ResultFunction::AuthExchange,
                .auth = family};
}
constexpr Use kSec = Use::SecurityOnly;
constexpr Use kNo = Use::Never;
}  // namespace detail

inline constexpr std::array<KeyDef, kKeyCount> kKeyTable = {{
    // §11.1: "Use: During Login - Security Negotiation; Senders: Initiator
    // and Target; Scope: connection; AuthMethod = <list-of-values>".
    // Default None: §11.1 "None" means no authentication, and a login
    // without AuthMethod performs none.
    {.name = "AuthMethod",
     .section = "11.1",
     .type = ValueType::ListOfValues,
     .max = kSimpleValueMax,
     .values = kAuthMethodValues,
     .default_value = "None",
     .by_initiator = Use::SecurityOnly,
     .by_target = Use::SecurityOnly,
     .scope = Scope::ConnectionOnly,
     .result = ResultFunction::FirstAcceptable},
    // §11.1.1 Kerberos: the initiator sends KRB_AP_REQ, the target answers
    // KRB_AP_REP (mutual authentication).
    detail::auth_key("KRB_AP_REQ", "11.1.1", ValueType::Binary, 0, kLongAuthValueMax, detail::kSec,
                     detail::kNo, AuthFamily::Kerberos),
    detail::auth_key("KRB_AP_REP", "11.1.1", ValueType::Binary, 0, kLongAuthValueMax, detail::kNo,
                     detail::kSec, AuthFamily::Kerberos),
    // §11.1.2 SPKM1/SPKM2: SPKM_REQ and SPKM_REP_IT from the initiator,
    // SPKM_REP_TI from the target; SPKM_ERROR and SPKM_MIC from either side.
    detail::auth_key("SPKM_REQ", "11.1.2", ValueType::Binary, 0, kLongAuthValueMax, detail::kSec,
                     detail::kNo, AuthFamily::Spkm),
    detail::auth_key("SPKM_ERROR", "11.1.2", ValueType::Binary, 0, kLongAuthValueMax, detail::kSec,
                     detail::kSec, AuthFamily::Spkm),
    detail::auth_key("SPKM_REP_TI", "11.1.2", ValueType::Binary, 0, kLongAuthValueMax, detail::kNo,
                     detail::kSec, AuthFamily::Spkm),
    detail::auth_key("SPKM_REP_IT", "11.1.2", ValueType::Binary, 0, kLongAuthValueMax, detail::kSec,
                     detail::kNo, AuthFamily::Spkm),
    detail::auth_key("SPKM_MIC", "11.1.2", ValueType::Binary, 0, kLongAuthValueMax, detail::kSec,
                     detail::kSec, AuthFamily::Spkm),
    // §11.1.3 SRP: initiator SRP_U + TargetAuth; target SRP_GROUP list +
    // SRP_s; initiator SRP_A + SRP_GROUP selection; target SRP_B; initiator
    // SRP_M; target SRP_HM. "G, Gn, and U are text strings, s,A,B,M, and
    // H(A | M | K) are binary-values ... MUST NOT exceed 1024 bytes."
    detail::auth_key("SRP_U", "11.1.3", ValueType::TextString, 0, kSimpleValueMax, detail::kSec,
                     detail::kNo, AuthFamily::Srp),
    detail::auth_key("TargetAuth", "11.1.3", ValueType::Boolean, 0, 0, detail::kSec, detail::kNo,
                     AuthFamily::Srp),
    {.name = "SRP_GROUP",
     .section = "11.1.3",
     .type = ValueType::ListOfValues,
     .max = kSimpleValueMax,
     .values = kSrpGroupValues,
     .by_initiator = Use::SecurityOnly,
     .by_target = Use::SecurityOnly,
     .scope = Scope::ConnectionOnly,
     .result = ResultFunction::AuthExchange,
     .auth = AuthFamily::Srp},
    detail::auth_key("SRP_s", "11.1.3", ValueType::Binary, 0, kAuthValueMax, detail::kNo,
                     detail::kSec, AuthFamily::Srp),
    detail::auth_key("SRP_A", "11.1.3", ValueType::Binary, 0, kAuthValueMax, detail::kSec,
                     detail::kNo, AuthFamily::Srp),
    detail::auth_key("SRP_B", "11.1.3", ValueType::Binary, 0, kAuthValueMax, detail::kNo,
                     detail::kSec, AuthFamily::Srp),
    detail::auth_key("SRP_M", "11.1.3", ValueType::Binary, 0, kAuthValueMax, detail::kSec,
                     detail::kNo, AuthFamily::Srp),
    detail::auth_key("SRP_HM", "11.1.3", ValueType::Binary, 0, kAuthValueMax, detail::kNo,
                     detail::kSec, AuthFamily::Srp),
    // §11.1.4 CHAP: initiator CHAP_A=<A1,A2...>; target CHAP_A=<A> CHAP_I
    // CHAP_C; initiator CHAP_N CHAP_R (plus CHAP_I CHAP_C for mutual
    // authentication); target CHAP_N CHAP_R. "A,A1,A2, and I are numbers"
    // (RFC 1994: one-octet algorithm and identifier); "C and R are
    // large-binary-values ... MUST NOT exceed 1024 bytes".
    detail::auth_key("CHAP_A", "11.1.4", ValueType::NumberList, 0, 255, detail::kSec, detail::kSec,
                     AuthFamily::Chap),
    detail::auth_key("CHAP_I", "11.1.4", ValueType::Numerical, 0, 255, detail::kSec, detail::kSec,
                     AuthFamily::Chap),
    detail::auth_key("CHAP_C", "11.1.4", ValueType::Binary, 0, kAuthValueMax, detail::kSec,
                     detail::kSec, AuthFamily::Chap),
    detail::auth_key("CHAP_N", "11.1.4", ValueType::TextString, 0, kSimpleValueMax, detail::kSec,
                     detail::kSec, AuthFamily::Chap),
    detail::auth_key("CHAP_R", "11.1.4", ValueType::Binary, 0, kAuthValueMax, detail::kSec,
                     detail::kSec, AuthFamily::Chap),

    // §12.1: "Use: IO; Senders: Initiator and Target; Scope: CO; Default is
    // None for both HeaderDigest and DataDigest."
    {.name = "HeaderDigest",
     .section = "12.1",
     .type = ValueType::ListOfValues,
     .max = kSimpleValueMax,
     .values = kDigestValues,
     .default_value = "None",
     .by_initiator = Use::InitializeOnly,
     .by_target = Use::InitializeOnly,
     .scope = Scope::ConnectionOnly,
     .result = ResultFunction::FirstAcceptable},
    {.name = "DataDigest",
     .section = "12.1",
     .type = ValueType::ListOfValues,
     .max = kSimpleValueMax,
     .values = kDigestValues,
     .default_value = "None",
     .by_initiator = Use::InitializeOnly,
     .by_target = Use::InitializeOnly,
     .scope = Scope::ConnectionOnly,
     .result = ResultFunction::FirstAcceptable},
    // §12.2: "Use: LO; Irrelevant when: SessionType=Discovery;
    // MaxConnections=<numerical-value-from-1-to-65535>; Default is 1; Result
    // function is Minimum."
    {.name = "MaxConnections",
     .section = "12.2",
     .type = ValueType::Numerical,
     .min = 1,
     .max = 65535,
     .default_value = "1",
     .by_initiator = Use::LeadingOnly,
     .by_target = Use::LeadingOnly,
     .result = ResultFunction::Minimum,
     .irrelevant_when = kIrrelevantInDiscovery},
    // §12.3: "Use: FFPO; Senders: Initiator; Scope: SW" (Appendix D).
    {.name = "SendTargets",
     .section = "12.3",
     .type = ValueType::SendTargets,
     .max = kSimpleValueMax,
     .by_initiator = Use::FullFeatureOnly,
     .result = ResultFunction::SendTargetsQuery},
    // §12.4: "Use: IO by initiator, FFPO by target - only as response to a
    // SendTargets, Declarative, Any-Stage; Senders: Initiator and Target".
    {.name = "TargetName",
     .section = "12.4",
     .type = ValueType::IscsiName,
     .by_initiator = Use::InitializeOnly,
     .by_target = Use::FullFeatureOnly,
     .any_stage = true},
    // §12.5: "Use: IO, Declarative, Any-Stage; Senders: Initiator".
    {.name = "InitiatorName",
     .section = "12.5",
     .type = ValueType::IscsiName,
     .by_initiator = Use::InitializeOnly,
     .any_stage = true},
    // §12.6: "Use: ALL, Declarative, Any-Stage; Senders: Target;
    // TargetAlias=<iSCSI-local-name-value>".
    {.name = "TargetAlias",
     .section = "12.6",
     .type = ValueType::LocalName,
     .max = kSimpleValueMax,
     .by_target = Use::All,
     .any_stage = true},
    // §12.7: "Use: ALL, Declarative, Any-Stage; Senders: Initiator".
    {.name = "InitiatorAlias",
     .section = "12.7",
     .type = ValueType::LocalName,
     .max = kSimpleValueMax,
     .by_initiator = Use::All,
     .any_stage = true},
    // §12.8: "Use: ALL, Declarative, Any-Stage; Senders: Target;
    // TargetAddress=domainname[:port][,portal-group-tag]".
    {.name = "TargetAddress",
     .section = "12.8",
     .type = ValueType::TargetAddress,
     .max = kSimpleValueMax,
     .by_target = Use::All,
     .any_stage = true,
     .repeatable = true},
    // §12.9: "Use: IO by target, Declarative, Any-Stage; Senders: Target;
    // TargetPortalGroupTag=<16-bit-binary-value>".
    {.name = "TargetPortalGroupTag",
     .section = "12.9",
     .type = ValueType::Binary16,
     .min = 0,
     .max = 65535,
     .by_target = Use::InitializeOnly,
     .any_stage = true},
    // §12.10: "Use: LO; Irrelevant when: SessionType=Discovery; Default is
    // Yes; Result function is OR."
    {.name = "InitialR2T",
     .section = "12.10",
     .type = ValueType::Boolean,
     .default_value = "Yes",
     .by_initiator = Use::LeadingOnly,
     .by_target = Use::LeadingOnly,
     .result = ResultFunction::Or,
     .irrelevant_when = kIrrelevantInDiscovery},
    // §12.11: "Use: LO; Irrelevant when: SessionType=Discovery; Default is
    // Yes; Result function is AND."
    {.name = "ImmediateData",
     .section = "12.11",
     .type = ValueType::Boolean,
     .default_value = "Yes",
     .by_initiator = Use::LeadingOnly,
     .by_target = Use::LeadingOnly,
     .result = ResultFunction::And,
     .irrelevant_when = kIrrelevantInDiscovery},
    // §12.12: "Use: ALL, Declarative; Scope: CO;
    // MaxRecvDataSegmentLength=<numerical-value-512-to-(2**24-1)>; Default is
    // 8192 bytes." Not Any-Stage: an operational key.
    {.name = "MaxRecvDataSegmentLength",
     .section = "12.12",
     .type = ValueType::Numerical,
     .min = 512,
     .max = kMax24,
     .default_value = "8192",
     .by_initiator = Use::All,
     .by_target = Use::All,
     .scope = Scope::ConnectionOnly},
    // §12.13: "Use: LO; Irrelevant when: SessionType=Discovery; 512 to
    // 2**24-1; Default is 262144; Result function is Minimum."
    {.name = "MaxBurstLength",
     .section = "12.13",
     .type = ValueType::Numerical,
     .min = 512,
     .max = kMax24,
     .default_value = "262144",
     .by_initiator = Use::LeadingOnly,
     .by_target = Use::LeadingOnly,
     .result = ResultFunction::Minimum,
     .irrelevant_when = kIrrelevantInDiscovery},
    // §12.14: "Irrelevant when: SessionType=Discovery; Irrelevant when:
    // (InitialR2T=Yes and ImmediateData=No); Default is 65536; Result
    // function is Minimum. FirstBurstLength MUST NOT exceed MaxBurstLength."
    {.name = "FirstBurstLength",
     .section = "12.14",
     .type = ValueType::Numerical,
     .min = 512,
     .max = kMax24,
     .default_value = "65536",
     .by_initiator = Use::LeadingOnly,
     .by_target = Use::LeadingOnly,
     .result = ResultFunction::Minimum,
     .irrelevant_when = kIrrelevantInDiscovery | kIrrelevantNoUnsolicited},
    // §12.15: "Use: LO; DefaultTime2Wait=<numerical-value-0-to-3600>; Default
    // is 2; Result function is Maximum." No irrelevance condition.
    {.name = "DefaultTime2Wait",
     .section = "12.15",
     .type = ValueType::Numerical,
     .min = 0,
     .max = 3600,
     .default_value = "2",
     .by_initiator = Use::LeadingOnly,
     .by_target = Use::LeadingOnly,
     .result = ResultFunction::Maximum},
    // §12.16: "Use: LO; 0-to-3600; Default is 20; Result function is Minimum."
    {.name = "DefaultTime2Retain",
     .section = "12.16",
     .type = ValueType::Numerical,
     .min = 0,
     .max = 3600,
     .default_value = "20",
     .by_initiator = Use::LeadingOnly,
     .by_target = Use::LeadingOnly,
     .result = ResultFunction::Minimum},
    // §12.17: "Use: LO; Irrelevant when: SessionType=Discovery; from 1 to
    // 65535; Default is 1; Result function is Minimum."
    {.name = "MaxOutstandingR2T",
     .section = "12.17",
     .type = ValueType::Numerical,
     .min = 1,
     .max = 65535,
     .default_value = "1",
     .by_initiator = Use::LeadingOnly,
     .by_target = Use::LeadingOnly,
     .result = ResultFunction::Minimum,
     .irrelevant_when = kIrrelevantInDiscovery},
    // §12.18: "Use: LO; Irrelevant when: SessionType=Discovery; Default is
    // Yes; Result function is OR."
    {.name = "DataPDUInOrder",
     .section = "12.18",
     .type = ValueType::Boolean,
     .default_value = "Yes",
     .by_initiator = Use::LeadingOnly,
     .by_target = Use::LeadingOnly,
     .result = ResultFunction::Or,
     .irrelevant_when = kIrrelevantInDiscovery},
    // §12.19: same shape as §12.18.
    {.name = "DataSequenceInOrder",
     .section = "12.19",
     .type = ValueType::Boolean,
     .default_value = "Yes",
     .by_initiator = Use::LeadingOnly,
     .by_target = Use::LeadingOnly,
     .result = ResultFunction::Or,
     .irrelevant_when = kIrrelevantInDiscovery},
    // §12.20: "Use: LO; ErrorRecoveryLevel=<numerical-value-0-to-2>; Default
    // is 0; Result function is Minimum."
    {.name = "ErrorRecoveryLevel",
     .section = "12.20",
     .type = ValueType::Numerical,
     .min = 0,
     .max = 2,
     .default_value = "0",
     .by_initiator = Use::LeadingOnly,
     .by_target = Use::LeadingOnly,
     .result = ResultFunction::Minimum},
    // §12.21: "Use: LO, Declarative, Any-Stage; Senders: Initiator;
    // SessionType=<Discovery|Normal>; Default is Normal."
    {.name = "SessionType",
     .section = "12.21",
     .type = ValueType::Enumerated,
     .values = kSessionTypeValues,
     .default_value = "Normal",
     .by_initiator = Use::LeadingOnly,
     .any_stage = true},

    // Appendix A.3.1: "Use: IO; Senders: Initiator and Target; Scope: CO;
    // OFMarker=<boolean-value>; Default is No; Result function is AND."
    {.name = "OFMarker",
     .section = "A.3.1",
     .type = ValueType::Boolean,
     .default_value = "No",
     .by_initiator = Use::InitializeOnly,
     .by_target = Use::InitializeOnly,
     .scope = Scope::ConnectionOnly,
     .result = ResultFunction::And},
    {.name = "IFMarker",
     .section = "A.3.1",
     .type = ValueType::Boolean,
     .default_value = "No",
     .by_initiator = Use::InitializeOnly,
     .by_target = Use::InitializeOnly,
     .scope = Scope::ConnectionOnly,
     .result = ResultFunction::And},
    // Appendix A.3.2: "Use: IO; Scope: CO; OFMarkInt is Irrelevant when:
    // OFMarker=No; Offering: OFMarkInt=<numeric-range-from-1-to-65535>;
    // Responding: OFMarkInt=<numeric-value-from-1-to-65535>|Reject; The
    // default is 2048."
    {.name = "OFMarkInt",
     .section = "A.3.2",
     .type = ValueType::NumericalRange,
     .min = 1,
     .max = 65535,
     .default_value = "2048",
     .by_initiator = Use::InitializeOnly,
     .by_target = Use::InitializeOnly,
     .scope = Scope::ConnectionOnly,
     .result = ResultFunction::RangeSelect,
     .irrelevant_when = kIrrelevantOFMarkerOff},
    {.name = "IFMarkInt",
     .section = "A.3.2",
     .type = ValueType::NumericalRange,
     .min = 1,
     .max = 65535,
     .default_value = "2048",
     .by_initiator = Use::InitializeOnly,
     .by_target = Use::InitializeOnly,
     .scope = Scope::ConnectionOnly,
     .result = ResultFunction::RangeSelect,
     .irrelevant_when = kIrrelevantIFMarkerOff},
}};

constexpr const KeyDef& key_def(Key k) {
  return kKeyTable[index_of(k)];
}

// The key named `name` (case-sensitive, §5.1), or nullopt for keys outside
// the table (unknown standard-looking keys and X- / X# extension keys).
std::optional<Key> find_key(std::string_view name);

constexpr Use use_by(const KeyDef& def, Role sender) {
  return sender == Role::Initiator ? def.by_initiator : def.by_target;
}

constexpr bool is_negotiated(const KeyDef& def) {
  switch (def.result) {
    case ResultFunction::FirstAcceptable:
    case ResultFunction::Minimum:
    case ResultFunction::Maximum:
    case ResultFunction::And:
    case ResultFunction::Or:
    case ResultFunction::RangeSelect:
      return true;
    default:
      return false;
  }
}

// Whether `sender` may send the key in `stage` on a leading or non-leading
// connection, per the key's Use (§11, §12).
enum class UseCheck : std::uint8_t { Allowed, WrongSender, WrongStage, NotLeading };
UseCheck check_use(const KeyDef& def, Role sender, Stage stage, bool leading);

// A default value's number, for Numerical and NumericalRange keys (0 when the
// key has none). Evaluated at compile time for the typed results.
constexpr std::uint64_t default_number(Key k) {
  std::uint64_t v = 0;
  for (char c : key_def(k).default_value) {
    if (c < '0' || c > '9') return 0;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

constexpr bool default_boolean(Key k) {
  return key_def(k).default_value == "Yes";
}

}  // namespace iscsi::negotiation
