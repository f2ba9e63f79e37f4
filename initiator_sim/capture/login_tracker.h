// Follows the text negotiation of one connection, as an observer, to learn
// what framing the rest of the connection uses:
// - HeaderDigest and DataDigest (RFC 3720 §12.1): the value the responder
//   answered in the login; in effect from the first PDU after the final
//   Login Response (T=1, NSG=3, Status-Class 0, §10.13);
// - each side's MaxRecvDataSegmentLength (§12.12), a declaration, also
//   renegotiable by Text PDUs in full feature phase;
// - SessionType (§12.21).
// Texts spread over several PDUs with the C bit are assembled first
// (§10.10.2, §10.12.2).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "wire/opcode.h"
#include "wire/pdu.h"
#include "wire/text.h"

namespace iscsi::capture {

// Splits a data segment into its NUL-terminated key=value texts, leniently
// (for display): a text without '=' is a key with an empty value. Text after
// the last NUL is returned in `fragment` (it continues in the next PDU).
std::vector<wire::text::KeyValue> split_key_values(wire::ByteView data, std::string* fragment);

class LoginTracker {
 public:
  LoginTracker();

  enum class Event : std::uint8_t {
    None,
    LoginComplete,  // this PDU is the final Login Response of a successful login
    LoginFailed,    // this PDU is a Login Response with a non-zero Status-Class
  };

  // Feeds one PDU (its data segment as captured, which may be partial:
  // then its text is not used). `problem` receives a description of a text
  // the negotiation could not use.
  Event observe(const wire::Pdu& pdu, bool data_complete, std::string* problem);

  bool header_digest() const { return negotiated("HeaderDigest") == "CRC32C"; }
  bool data_digest() const { return negotiated("DataDigest") == "CRC32C"; }
  // §12.12: the declared value, 8192 when not declared.
  std::uint32_t initiator_max_recv_data_segment_length() const { return mrdsl(initiator_); }
  std::uint32_t target_max_recv_data_segment_length() const { return mrdsl(target_); }
  std::string session_type() const;
  bool complete() const { return complete_; }

 private:
  struct Sent {
    std::string value;
    std::uint64_t order = 0;  // when it was sent, to tell offer from answer
  };
  using Keys = std::map<std::string, Sent>;

  void absorb(const wire::Bytes& text, Keys& keys);
  // The result of a negotiated key: the later of the two sides' values (the
  // answer), or empty when only one side sent it (not negotiated).
  std::string negotiated(const std::string& key) const;
  static std::uint32_t mrdsl(const Keys& keys);

  wire::text::Assembler initiator_text_;
  wire::text::Assembler target_text_;
  Keys initiator_;
  Keys target_;
  std::uint64_t order_ = 0;
  bool complete_ = false;
};

}  // namespace iscsi::capture
