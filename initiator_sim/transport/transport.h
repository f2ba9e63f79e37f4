// How the simulator reaches a target: a byte stream with timeouts. The TCP
// transport talks to any portal; the in-process one drives the reference
// target's sans-I/O connection directly, on a virtual clock.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "wire/bytes.h"

namespace iscsi::sim {

enum class RecvStatus { Data, Timeout, Closed };

class Transport {
 public:
  virtual ~Transport() = default;
  // Sends every byte; false when the connection is gone.
  virtual bool send(wire::ByteView bytes) = 0;
  // Appends whatever arrives within `timeout` to `out` (at least one byte
  // when the status is Data).
  virtual RecvStatus receive(wire::Bytes& out, std::chrono::milliseconds timeout) = 0;
  virtual void close() = 0;
  // Every byte exchanged, for captures: called with (to_target, bytes).
  virtual std::string describe() const = 0;
};

}  // namespace iscsi::sim
