// Reading a compressed capture through the system's own decompressor
// (`gzip -dc`, `xz -dc`) in a child process, so that no compression library
// is linked in. The compression is recognised by the file's magic bytes, not
// by its name. The child reads the file on its standard input and writes
// the plain capture into a pipe, which is handed to libpcap as a FILE*.
#pragma once

#include <sys/types.h>

#include <cstdio>
#include <optional>
#include <string>

#include "capture/capture_reader.h"
#include "wire/bytes.h"
#include "wire/result.h"

namespace iscsi::capture {

enum class Compression { None, Gzip, Xz };

// The compression the first bytes of a file show: gzip (RFC 1952 §2.3.1:
// 1f 8b) or xz (the .xz file format §2.1.1.1: fd 37 7a 58 5a 00).
Compression detect_compression(wire::ByteView head);

// "gzip" or "xz", the program that decompresses it.
const char* decompressor_program(Compression c);

class Decompressor {
 public:
  // Starts `PROGRAM -dc` on `input_fd`, which it takes over (the fd is
  // closed in this process whatever happens). `program` overrides the
  // program's name (tests name a missing one).
  static wire::Result<Decompressor, CaptureError> start(Compression c, int input_fd,
                                                        const char* program = nullptr);

  Decompressor(Decompressor&& other) noexcept;
  Decompressor& operator=(Decompressor&& other) noexcept;
  Decompressor(const Decompressor&) = delete;
  Decompressor& operator=(const Decompressor&) = delete;
  ~Decompressor();

  // The decompressed stream. The caller owns the FILE (libpcap closes it);
  // only the first call returns it, later ones nullptr.
  FILE* take_output();

  // Waits for the child and says why it failed, if it did: the program
  // could not be run, it exited with a failure status (a damaged or
  // truncated stream: its own message is quoted) or died of a signal.
  // Call once the output reached its end or was closed: a child still
  // writing into an open pipe would block, so with `stop` the child is
  // killed first (the reader gave up early; its status is then not an
  // error). Later calls return the first answer.
  std::optional<std::string> finish(bool stop = false);

 private:
  Decompressor() = default;
  void reset();

  Compression kind_ = Compression::None;
  std::string program_;
  pid_t pid_ = -1;
  FILE* output_ = nullptr;  // the pipe's read end until taken
  int stderr_fd_ = -1;      // an anonymous file holding the child's messages
  int exec_fd_ = -1;        // close-on-exec pipe: errno of a failed execvp
  std::optional<std::optional<std::string>> result_;
};

}  // namespace iscsi::capture
