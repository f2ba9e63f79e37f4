// A TCP connection to a portal, with bounded waits (poll) and no signals.
#pragma once

#include <optional>

#include "transport/transport.h"

namespace iscsi::sim {

class TcpTransport final : public Transport {
 public:
  // Connects within `timeout`; nullptr and `error` set on failure.
  static std::unique_ptr<TcpTransport> connect(const std::string& host, std::uint16_t port,
                                               std::chrono::milliseconds timeout,
                                               std::string& error);
  ~TcpTransport() override;

  bool send(wire::ByteView bytes) override;
  RecvStatus receive(wire::Bytes& out, std::chrono::milliseconds timeout) override;
  void close() override;
  std::string describe() const override { return description_; }

 private:
  TcpTransport(int fd, std::string description) : fd_(fd), description_(std::move(description)) {}
  int fd_;
  std::string description_;
};

}  // namespace iscsi::sim
