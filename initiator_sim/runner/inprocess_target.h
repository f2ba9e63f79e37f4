// The reference target built inside the simulator for --spawn runs: the
// default target name, LUN 0 = ram:64M,thin, default limits.
#pragma once

#include <memory>

#include "session/session_table.h"
#include "session/target_config.h"

namespace iscsi::sim {

struct InProcessTarget {
  session::TargetConfig config;
  session::SessionTable sessions;
  std::shared_ptr<session::ScsiPort> scsi;
};

std::unique_ptr<InProcessTarget> make_inprocess_target(const std::string& iqn);

}  // namespace iscsi::sim
