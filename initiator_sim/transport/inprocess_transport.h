// The reference target's connection state machine in the same process, on
// a virtual clock: a wait of N ms advances the clock through the target's
// timers instead of sleeping, so runs are fast and deterministic.
#pragma once

#include "session/connection.h"
#include "transport/transport.h"

namespace iscsi::sim {

class InProcessTransport final : public Transport {
 public:
  InProcessTransport(const session::TargetConfig& config, session::SessionTable& sessions);

  bool send(wire::ByteView bytes) override;
  RecvStatus receive(wire::Bytes& out, std::chrono::milliseconds timeout) override;
  void close() override { closed_ = true; }
  std::string describe() const override { return "in-process reference target"; }

 private:
  session::TargetConnection::TimePoint now_;
  session::TargetConnection connection_;
  bool closed_ = false;
};

}  // namespace iscsi::sim
