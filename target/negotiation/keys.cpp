#include "negotiation/keys.h"

namespace iscsi::negotiation {

std::optional<Key> find_key(std::string_view name) {
  // §5.1: key names are case sensitive ("SessionType" is not "sessiontype").
  for (std::size_t i = 0; i < kKeyTable.size(); ++i) {
    if (kKeyTable[i].name == name) return static_cast<Key>(i);
  }
  return std::nullopt;
}

UseCheck check_use(const KeyDef& def, Role sender, Stage stage, bool leading) {
  const Use use = use_by(def, sender);
  if (use == Use::Never) return UseCheck::WrongSender;
  switch (stage) {
    case Stage::SecurityNegotiation:
      // §11: "Only the following keys are used during the SecurityNegotiation
      // stage of the Login Phase: SessionType, InitiatorName, TargetName,
      // TargetAddress, InitiatorAlias, TargetAlias, TargetPortalGroupTag,
      // AuthMethod and the keys used by the authentication methods ...
      // Other keys MUST NOT be used." (the Any-Stage keys of §12 plus §11).
      if (use != Use::SecurityOnly && !def.any_stage) return UseCheck::WrongStage;
      // A target's TargetName is FFPO even though the key is Any-Stage.
      if (use == Use::FullFeatureOnly) return UseCheck::WrongStage;
      break;
    case Stage::LoginOperationalNegotiation:
      // §11 keys belong to the security stage; FFPO keys to full feature phase.
      if (use == Use::SecurityOnly || use == Use::FullFeatureOnly) return UseCheck::WrongStage;
      break;
    case Stage::FullFeature:
      // §12: IO "can only be used during login"; LO keys "cannot be changed
      // after the leading connection login".
      if (use != Use::All && use != Use::FullFeatureOnly) return UseCheck::WrongStage;
      return UseCheck::Allowed;
  }
  // §5.3: "Some session specific parameters can only be specified during the
  // login phase of the first connection of a session (i.e., begun by a login
  // request that contains a zero-valued TSIH) - the leading login phase".
  if (use == Use::LeadingOnly && !leading) return UseCheck::NotLeading;
  return UseCheck::Allowed;
}

}  // namespace iscsi::negotiation
