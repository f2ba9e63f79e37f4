/*
 * The CPU floor of a login+logout on this machine: the cheapest server that
 * does what any iSCSI target must do for one `iscsi-inq` (accept, six
 * request/answer exchanges over loopback TCP, close), and nothing else. A
 * same-run reference for ci/bench.sh's "login+logout, target CPU ms": no
 * target using the kernel's TCP stack can go below it.
 *
 *   login_floor [CONNECTIONS [EXCHANGES]]     (default 2000 and 6)
 *
 * The server is a child process with one epoll loop, reading each new
 * connection's first request at once (as iscsi-target does); the parent is
 * the client, with the sizes of iscsi-inq's PDUs. Prints one JSON line:
 *   {"workload":"ref_login_floor","server_cpu_ms_per_conn":...,...}
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

enum { kWarmUp = 200, kRequest = 48, kLoginRequest = 48 + 460, kAnswer = 48 + 96 };

static double cpu_ms(void) {
  struct rusage u;
  getrusage(RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 +
         (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
}

/* Serves until `total` connections have closed; reports the CPU time of the
 * last `total - kWarmUp` through `report`. */
static int serve(int listener, int total, int report) {
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = listener};
  if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev) != 0) return 1;
  static char in[65536], out[kAnswer];
  struct epoll_event events[64];
  int closed = 0;
  double start = 0;
  while (closed < total) {
    int n = epoll_wait(ep, events, 64, 10000);
    if (n <= 0) return 1; /* the client went away */
    for (int i = 0; i < n; i++) {
      int fd = events[i].data.fd;
      if (fd == listener) {
        int c = accept4(listener, NULL, NULL, SOCK_NONBLOCK);
        if (c < 0) continue;
        if (recv(c, in, sizeof in, MSG_DONTWAIT) > 0) send(c, out, sizeof out, MSG_NOSIGNAL);
        struct epoll_event e = {.events = EPOLLIN | EPOLLRDHUP, .data.fd = c};
        epoll_ctl(ep, EPOLL_CTL_ADD, c, &e);
        continue;
      }
      if (recv(fd, in, sizeof in, MSG_DONTWAIT) > 0) {
        send(fd, out, sizeof out, MSG_NOSIGNAL);
        continue;
      }
      close(fd);
      if (++closed == kWarmUp) start = cpu_ms();
    }
  }
  double ms = cpu_ms() - start;
  return write(report, &ms, sizeof ms) == (ssize_t)sizeof ms ? 0 : 1;
}

int main(int argc, char** argv) {
  int connections = argc > 1 ? atoi(argv[1]) : 2000;
  int exchanges = argc > 2 ? atoi(argv[2]) : 6;
  if (connections < 1 || exchanges < 1) {
    fprintf(stderr, "usage: login_floor [CONNECTIONS [EXCHANGES]]\n");
    return 2;
  }
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1;
  setsockopt(listener, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof addr;
  int fds[2];
  if (listener < 0 || bind(listener, (struct sockaddr*)&addr, sizeof addr) != 0 ||
      listen(listener, 128) != 0 || getsockname(listener, (struct sockaddr*)&addr, &len) != 0 ||
      pipe(fds) != 0) {
    perror("login_floor");
    return 1;
  }
  pid_t server = fork();
  if (server == 0) {
    close(fds[0]);
    _exit(serve(listener, kWarmUp + connections, fds[1]));
  }
  close(fds[1]);
  close(listener);
  static char request[kLoginRequest], answer[65536];
  int failed = 0;
  for (int k = 0; k < kWarmUp + connections && !failed; k++) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(s, (struct sockaddr*)&addr, sizeof addr) != 0) failed = 1;
    for (int x = 0; x < exchanges && !failed; x++) {
      size_t size = x == 0 ? sizeof request : kRequest;
      if (send(s, request, size, MSG_NOSIGNAL) != (ssize_t)size)
        failed = 1;
      else if (recv(s, answer, sizeof answer, 0) <= 0)
        failed = 1;
    }
    close(s);
  }
  double ms = 0;
  int got = read(fds[0], &ms, sizeof ms) == (ssize_t)sizeof ms;
  if (!got) kill(server, SIGKILL);
  waitpid(server, NULL, 0);
  if (failed || !got) {
    fprintf(stderr, "login_floor: the exchange failed\n");
    return 1;
  }
  printf(
      "{\"workload\":\"ref_login_floor\",\"connections\":%d,\"exchanges\":%d,"
      "\"server_cpu_ms_per_conn\":%.4f}\n",
      connections, exchanges, ms / connections);
  return 0;
}
