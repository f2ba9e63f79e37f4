// Reading capture files through libpcap (pcap and pcapng), from a file or
// from bytes in memory. A file may be gzip- or xz-compressed (recognised by
// its magic bytes, whatever its name): it is then read through `gzip -dc`
// or `xz -dc` in a child process (capture/decompressor.h). Packets come out one at a time, numbered
// from 1 as Wireshark numbers frames, with nanosecond timestamps.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "wire/bytes.h"
#include "wire/result.h"

namespace iscsi::capture {

struct CaptureError {
  std::string message;
};

// Where a byte came from: the frame that carried it and its capture time.
struct PacketRef {
  std::uint64_t frame = 0;           // 1-based frame number in the capture
  std::chrono::nanoseconds time{0};  // since the Unix epoch
};

struct RawPacket {
  PacketRef ref;
  int link_type = 0;  // the DLT_ value of the capture
  // The captured bytes; valid until the next call to next().
  wire::ByteView data;
  // Length of the frame on the wire; larger than data.size() when the
  // capture's snapshot length cut the frame.
  std::uint32_t original_length = 0;
};

class CaptureReader {
 public:
  // Opens a capture file, plain or compressed. A decompressor that cannot
  // be run or a stream that does not decompress to a capture is an error
  // here; a stream damaged further on is an error from next().
  static wire::Result<CaptureReader, CaptureError> open_file(const std::string& path);
  // Reads a plain capture held in memory (the bytes are copied).
  static wire::Result<CaptureReader, CaptureError> open_memory(wire::ByteView bytes);

  CaptureReader(CaptureReader&&) noexcept;
  CaptureReader& operator=(CaptureReader&&) noexcept;
  ~CaptureReader();

  // The next packet, nullopt at the end of the capture, or an error for a
  // damaged file (a record cut short, an impossible record length, a
  // compressed stream that is truncated or corrupt). After an error or the
  // end the reader returns nullopt; a decompressor has then been reaped.
  wire::Result<std::optional<RawPacket>, CaptureError> next();

  int link_type() const;
  // libpcap's name of the link type ("EN10MB", "LINUX_SLL", ...).
  std::string link_type_name() const;

 private:
  struct Handle;
  explicit CaptureReader(std::unique_ptr<Handle> handle);
  std::unique_ptr<Handle> handle_;
};

}  // namespace iscsi::capture
