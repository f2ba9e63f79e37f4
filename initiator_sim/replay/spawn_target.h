// The in-process reference target a `replay --spawn` runs against,
// configured from what the capture shows: the target names the initiators
// logged in to (and SendTargets listed), the LUN numbers they addressed,
// and each LUN's block size, capacity and thin provisioning from the
// recorded READ CAPACITY answers. What the capture does not show takes the
// simulator's defaults (64 MiB of 512-byte blocks).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "replay/capture_script.h"
#include "scsi/lun_spec.h"
#include "session/session_table.h"
#include "session/target_config.h"

namespace iscsi::replay {

struct SpawnPlan {
  std::vector<std::string> target_names;
  std::vector<scsi::LunSpec> luns;
  std::vector<std::string> notes;  // what was read from where, for the report
};

// `target_name` (--map-target) replaces every recorded name; `luns`
// (--map-lun) renumbers the LUNs.
SpawnPlan plan_spawn(const CaptureScript& script, const std::optional<std::string>& target_name,
                     const std::map<std::uint16_t, std::uint16_t>& luns);

struct SpawnedTarget {
  session::TargetConfig config;
  session::SessionTable sessions;
  std::vector<std::shared_ptr<session::ScsiPort>> ports;
};

wire::Result<std::unique_ptr<SpawnedTarget>, std::string> spawn_target(const SpawnPlan& plan);

}  // namespace iscsi::replay
