#include "capture/decoded_pdu.h"

namespace iscsi::capture {

std::string_view direction_name(PduDirection d) {
  return d == PduDirection::InitiatorToTarget ? "I->T" : "T->I";
}

std::string_view digest_check_name(DigestCheck c) {
  switch (c) {
    case DigestCheck::Absent:
      return "absent";
    case DigestCheck::Good:
      return "good";
    case DigestCheck::Bad:
      return "bad";
    case DigestCheck::Unchecked:
      return "unchecked";
  }
  return "?";
}

std::string_view digest_source_name(DigestSource s) {
  switch (s) {
    case DigestSource::Login:
      return "login";
    case DigestSource::Detected:
      return "detected";
    case DigestSource::Undetermined:
      return "undetermined";
  }
  return "?";
}

}  // namespace iscsi::capture
