#include "capture/decompressor.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace iscsi::capture {

namespace {

wire::Unexpected<CaptureError> fail(std::string message) {
  return wire::Unexpected(CaptureError{std::move(message)});
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// The first non-empty line of what the child wrote on its standard error, at most a
// few hundred bytes of it.
std::string first_message(int fd) {
  if (fd < 0 || ::lseek(fd, 0, SEEK_SET) != 0) return {};
  char buf[512];
  ssize_t n;
  do {
    n = ::read(fd, buf, sizeof buf);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return {};
  std::string text(buf, static_cast<std::size_t>(n));
  // gzip starts its message with an empty line.
  const std::size_t start = std::min(text.find_first_not_of("\r\n"), text.size());
  text = text.substr(start, text.find('\n', start) - start);
  std::replace_if(
      text.begin(), text.end(), [](char c) { return c < 0x20 || c == 0x7f; }, '?');
  return text;
}

}  // namespace

Compression detect_compression(wire::ByteView head) {
  static constexpr std::uint8_t kGzip[] = {0x1f, 0x8b};
  static constexpr std::uint8_t kXz[] = {0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00};
  if (head.size() >= sizeof kGzip && std::equal(std::begin(kGzip), std::end(kGzip), head.begin()))
    return Compression::Gzip;
  if (head.size() >= sizeof kXz && std::equal(std::begin(kXz), std::end(kXz), head.begin()))
    return Compression::Xz;
  return Compression::None;
}

const char* decompressor_program(Compression c) {
  switch (c) {
    case Compression::Gzip:
      return "gzip";
    case Compression::Xz:
      return "xz";
    case Compression::None:
      break;
  }
  return "";
}

wire::Result<Decompressor, CaptureError> Decompressor::start(Compression c, int input_fd,
                                                             const char* program) {
  Decompressor d;
  d.kind_ = c;
  d.program_ = program ? program : decompressor_program(c);
  int data[2] = {-1, -1};
  int exec_status[2] = {-1, -1};
  // Every descriptor is close-on-exec, so that no other child started at
  // the same time keeps the pipe open (the reader would then never see
  // the end of the stream).
  d.stderr_fd_ = ::memfd_create("decompressor-stderr", MFD_CLOEXEC);
  if (d.stderr_fd_ < 0 || ::pipe2(data, O_CLOEXEC) != 0 || ::pipe2(exec_status, O_CLOEXEC) != 0) {
    const int e = errno;
    close_fd(input_fd);
    close_fd(data[0]);
    close_fd(data[1]);
    close_fd(exec_status[0]);
    return fail(std::string("cannot start ") + d.program_ + ": " + std::strerror(e));
  }
  d.exec_fd_ = exec_status[0];
  const pid_t pid = ::fork();
  if (pid == 0) {
    // The child: only async-signal-safe calls until execvp. Signals the
    // parent ignores or blocks (SIGPIPE, typically) are restored, so that
    // a reader that stops early ends the child.
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    ::sigaction(SIGPIPE, &dfl, nullptr);
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (::dup2(input_fd, 0) < 0 || ::dup2(data[1], 1) < 0 || ::dup2(d.stderr_fd_, 2) < 0) {
      const int e = errno;
      (void)!::write(exec_status[1], &e, sizeof e);
      ::_exit(127);
    }
    char dash_dc[] = "-dc";
    char* argv[] = {const_cast<char*>(d.program_.c_str()), dash_dc, nullptr};
    ::execvp(argv[0], argv);
    const int e = errno;
    (void)!::write(exec_status[1], &e, sizeof e);
    ::_exit(127);
  }
  const int fork_errno = errno;
  close_fd(input_fd);
  close_fd(data[1]);
  close_fd(exec_status[1]);
  if (pid < 0) {
    close_fd(data[0]);
    return fail(std::string("cannot start ") + d.program_ + ": " + std::strerror(fork_errno));
  }
  d.pid_ = pid;
  // The status pipe closes on a successful exec, or carries execvp's errno.
  int exec_errno = 0;
  ssize_t n;
  do {
    n = ::read(d.exec_fd_, &exec_errno, sizeof exec_errno);
  } while (n < 0 && errno == EINTR);
  close_fd(d.exec_fd_);
  if (n == static_cast<ssize_t>(sizeof exec_errno)) {
    close_fd(data[0]);
    d.finish(true);
    return fail("cannot run " + d.program_ + " to decompress the " + decompressor_program(c) +
                "-compressed capture: " + std::strerror(exec_errno));
  }
  d.output_ = ::fdopen(data[0], "rb");
  if (!d.output_) {
    const int e = errno;
    close_fd(data[0]);
    return fail("cannot read from " + d.program_ + ": " + std::strerror(e));
  }
  return d;
}

Decompressor::Decompressor(Decompressor&& other) noexcept {
  *this = std::move(other);
}

Decompressor& Decompressor::operator=(Decompressor&& other) noexcept {
  if (this != &other) {
    reset();
    kind_ = other.kind_;
    program_ = std::move(other.program_);
    pid_ = std::exchange(other.pid_, -1);
    output_ = std::exchange(other.output_, nullptr);
    stderr_fd_ = std::exchange(other.stderr_fd_, -1);
    exec_fd_ = std::exchange(other.exec_fd_, -1);
    result_ = std::move(other.result_);
  }
  return *this;
}

Decompressor::~Decompressor() {
  reset();
}

void Decompressor::reset() {
  if (output_) std::fclose(output_);
  output_ = nullptr;
  // A child not waited for yet: its output is no longer read, so it is
  // stopped and reaped, never left behind.
  if (pid_ > 0 && !result_) finish(true);
  pid_ = -1;
  close_fd(stderr_fd_);
  close_fd(exec_fd_);
  result_.reset();
}

FILE* Decompressor::take_output() {
  return std::exchange(output_, nullptr);
}

std::optional<std::string> Decompressor::finish(bool stop) {
  if (result_) return *result_;
  if (pid_ <= 0) return std::nullopt;
  if (stop) ::kill(pid_, SIGKILL);
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &status, 0);
  } while (r < 0 && errno == EINTR);
  pid_ = -1;
  std::optional<std::string> error;
  const std::string message = first_message(stderr_fd_);
  const std::string quoted = message.empty() ? "" : ": " + message;
  if (r < 0 || stop) {
    error = std::nullopt;
  } else if (WIFEXITED(status)) {
    // gzip and xz exit with 1 on an error (a damaged or truncated stream)
    // and with 2 on a warning after decompressing everything (trailing
    // garbage after the stream): only an error loses data.
    const int code = WEXITSTATUS(status);
    if (code == 127 && message.empty()) {
      error = "cannot run " + program_;
    } else if (code != 0 && code != 2) {
      error = "the " + std::string(decompressor_program(kind_)) +
              " stream is damaged or truncated (" + program_ + " -dc exited with status " +
              std::to_string(code) + quoted + ")";
    }
  } else if (WIFSIGNALED(status) && WTERMSIG(status) != SIGPIPE) {
    // SIGPIPE only says that the reader stopped reading first; the
    // reader reports why.
    error = program_ + " -dc was killed by signal " + std::to_string(WTERMSIG(status)) + quoted;
  }
  result_ = error;
  return error;
}

}  // namespace iscsi::capture
