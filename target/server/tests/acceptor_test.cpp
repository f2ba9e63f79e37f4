// The shared accepting side: one connection per call, admission limits,
// an empty queue, and a stopped listener.
#include "server/acceptor.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server/portal.h"

namespace iscsi::server {
namespace {

// A blocking client connection to 127.0.0.1:`port`; -1 on failure.
int connect_to(std::uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Waits (at most 2 s) until the listener has a connection queued.
bool readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 2000) == 1;
}

class AcceptorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string error;
    listener = listen_on(portal, error);
    ASSERT_GE(listener, 0) << error;
  }
  void TearDown() override {
    for (int fd : clients) ::close(fd);
    if (listener >= 0) ::close(listener);
  }
  int client() {
    const int fd = connect_to(portal.port);
    EXPECT_GE(fd, 0);
    if (fd >= 0) clients.push_back(fd);
    return fd;
  }

  PortalAddress portal{"127.0.0.1", 0};
  int listener = -1;
  std::vector<int> clients;
};

TEST_F(AcceptorTest, AcceptsOneConnectionPerCallWithItsAddress) {
  Acceptor acceptor({listener}, ConnectionLimits{});
  std::optional<Acceptor::Accepted> accepted;
  EXPECT_EQ(acceptor.accept_one(0, accepted), Acceptor::Outcome::Empty);
  EXPECT_FALSE(accepted);

  client();
  client();
  ASSERT_TRUE(readable(listener));
  ASSERT_EQ(acceptor.accept_one(0, accepted), Acceptor::Outcome::Accepted);
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->slot.address(), "127.0.0.1");
  // listen_on sets TCP_NODELAY on the listener; the accepted socket has it.
  int nodelay = 0;
  socklen_t length = sizeof nodelay;
  ASSERT_EQ(getsockopt(accepted->fd, IPPROTO_TCP, TCP_NODELAY, &nodelay, &length), 0);
  EXPECT_NE(nodelay, 0);
  ::close(accepted->fd);
  accepted.reset();
  ASSERT_TRUE(readable(listener));  // the second is still queued
  ASSERT_EQ(acceptor.accept_one(0, accepted), Acceptor::Outcome::Accepted);
  ::close(accepted->fd);
}

TEST_F(AcceptorTest, OverTheAddressLimitIsRefusedUntilASlotIsReleased) {
  ConnectionLimits limits;
  limits.per_address = 1;
  Acceptor acceptor({listener}, limits);
  std::optional<Acceptor::Accepted> first;
  client();
  ASSERT_TRUE(readable(listener));
  ASSERT_EQ(acceptor.accept_one(0, first), Acceptor::Outcome::Accepted);

  std::optional<Acceptor::Accepted> second;
  client();
  ASSERT_TRUE(readable(listener));
  EXPECT_EQ(acceptor.accept_one(0, second), Acceptor::Outcome::Refused);
  EXPECT_FALSE(second);

  ::close(first->fd);
  first.reset();  // releases the slot
  client();
  ASSERT_TRUE(readable(listener));
  ASSERT_EQ(acceptor.accept_one(0, second), Acceptor::Outcome::Accepted);
  ::close(second->fd);
}

TEST_F(AcceptorTest, AStoppedListenerReportsClosedAndRefusesConnections) {
  Acceptor acceptor({listener}, ConnectionLimits{});
  acceptor.stop();
  std::optional<Acceptor::Accepted> accepted;
  EXPECT_EQ(acceptor.accept_one(0, accepted), Acceptor::Outcome::Closed);
  EXPECT_EQ(connect_to(portal.port), -1);
  EXPECT_EQ(acceptor.accept_one(1, accepted), Acceptor::Outcome::Closed);  // no such portal
}

}  // namespace
}  // namespace iscsi::server
