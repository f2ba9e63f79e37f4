#include "transport/tcp_transport.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace iscsi::sim {

std::unique_ptr<TcpTransport> TcpTransport::connect(const std::string& host, std::uint16_t port,
                                                    std::chrono::milliseconds timeout,
                                                    std::string& error) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  const std::string service = std::to_string(port);
  if (int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &res); rc != 0) {
    error = "cannot resolve " + host + ": " + gai_strerror(rc);
    return nullptr;
  }
  int fd = -1;
  for (addrinfo* a = res; a && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
      ::close(fd);
      fd = -1;
      continue;
    }
    pollfd p{fd, POLLOUT, 0};
    int soerr = 0;
    socklen_t len = sizeof soerr;
    if (poll(&p, 1, static_cast<int>(timeout.count())) != 1 ||
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0 || soerr != 0) {
      error = "cannot connect to " + host + ":" + service + ": " +
              (soerr ? std::strerror(soerr) : "timeout");
      ::close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(res);
  if (fd < 0) {
    if (error.empty()) error = "cannot connect to " + host + ":" + service;
    return nullptr;
  }
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return std::unique_ptr<TcpTransport>(new TcpTransport(fd, host + ":" + service));
}

TcpTransport::~TcpTransport() {
  close();
}

void TcpTransport::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool TcpTransport::send(wire::ByteView bytes) {
  while (!bytes.empty()) {
    if (fd_ < 0) return false;
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes = bytes.subspan(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd_, POLLOUT, 0};
      if (poll(&p, 1, 10000) != 1) return false;  // a peer that reads nothing for 10 s
      continue;
    }
    return false;
  }
  return true;
}

RecvStatus TcpTransport::receive(wire::Bytes& out, std::chrono::milliseconds timeout) {
  if (fd_ < 0) return RecvStatus::Closed;
  pollfd p{fd_, POLLIN, 0};
  const int rc = poll(&p, 1, static_cast<int>(std::max<long long>(0, timeout.count())));
  if (rc == 0) return RecvStatus::Timeout;
  if (rc < 0) return errno == EINTR ? RecvStatus::Timeout : RecvStatus::Closed;
  std::uint8_t buf[65536];
  const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
  if (n > 0) {
    out.insert(out.end(), buf, buf + n);
    return RecvStatus::Data;
  }
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return RecvStatus::Timeout;
  return RecvStatus::Closed;
}

}  // namespace iscsi::sim
