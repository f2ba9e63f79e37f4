#include "runner/inprocess_target.h"

#include "scsi/lun_spec.h"
#include "scsi/scsi_target.h"
#include "server/scsi_port_adapter.h"

namespace iscsi::sim {

std::unique_ptr<InProcessTarget> make_inprocess_target(const std::string& iqn) {
  auto t = std::make_unique<InProcessTarget>();
  auto scsi = std::make_unique<scsi::ScsiTarget>(iqn, 1);
  scsi->add(*scsi::parse_lun_spec("0=ram:64M,thin"));
  auto port = std::make_shared<server::ScsiPortAdapter>(std::move(scsi));
  t->scsi = port;
  t->config.targets.push_back(session::TargetNode{iqn, "", 1, port.get()});
  t->config.portal_addresses = {"127.0.0.1:3260"};
  return t;
}

}  // namespace iscsi::sim
