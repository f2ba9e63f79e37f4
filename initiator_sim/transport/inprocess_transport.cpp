#include "transport/inprocess_transport.h"

namespace iscsi::sim {

InProcessTransport::InProcessTransport(const session::TargetConfig& config,
                                       session::SessionTable& sessions)
    : now_(session::TargetConnection::TimePoint{} + std::chrono::hours(1)),
      connection_(config, sessions, now_) {}

bool InProcessTransport::send(wire::ByteView bytes) {
  if (closed_ || connection_.wants_close()) return false;
  connection_.receive(bytes, now_);
  return true;
}

RecvStatus InProcessTransport::receive(wire::Bytes& out, std::chrono::milliseconds timeout) {
  const auto end = now_ + timeout;
  for (;;) {
    const wire::ByteView pending = connection_.pending_output();
    if (!pending.empty()) {
      out.insert(out.end(), pending.begin(), pending.end());
      connection_.consume_output(pending.size());
      return RecvStatus::Data;
    }
    if (closed_ || connection_.wants_close()) return RecvStatus::Closed;
    const auto deadline = connection_.next_deadline();
    if (!deadline || *deadline > end) {
      now_ = end;
      return RecvStatus::Timeout;
    }
    now_ = std::max(now_, *deadline);
    connection_.on_timer(now_);
  }
}

}  // namespace iscsi::sim
