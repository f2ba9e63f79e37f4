#include "capture/capture_reader.h"

#include <fcntl.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "capture/decompressor.h"

namespace iscsi::capture {

struct CaptureReader::Handle {
  pcap_t* pcap = nullptr;
  int link_type = -1;
  // Backing store of an in-memory capture: fmemopen reads from it and
  // pcap_close closes the FILE.
  wire::Bytes memory;
  // The child decompressing a compressed file into the pipe libpcap reads.
  std::optional<Decompressor> decompressor;
  std::uint64_t frames = 0;
  bool done = false;

  // Closes libpcap's side first: a decompressor still writing then sees
  // its pipe closed and ends, so waiting for it cannot block.
  void close() {
    if (pcap) pcap_close(pcap);
    pcap = nullptr;
  }
  ~Handle() {
    close();
    decompressor.reset();  // stops and reaps a child not finished yet
  }
};

namespace {

constexpr long long kMaxSeconds = 9'000'000'000;

wire::Unexpected<CaptureError> fail(std::string message) {
  return wire::Unexpected(CaptureError{std::move(message)});
}

}  // namespace

CaptureReader::CaptureReader(std::unique_ptr<Handle> handle) : handle_(std::move(handle)) {}
CaptureReader::CaptureReader(CaptureReader&&) noexcept = default;
CaptureReader& CaptureReader::operator=(CaptureReader&&) noexcept = default;
CaptureReader::~CaptureReader() = default;

wire::Result<CaptureReader, CaptureError> CaptureReader::open_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail("cannot open " + path + ": " + std::strerror(errno));
  std::uint8_t head[6] = {};
  ssize_t got = 0;
  while (got < static_cast<ssize_t>(sizeof head)) {
    const ssize_t n = ::pread(fd, head + got, sizeof head - got, got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += n;
  }
  // An empty file gets a clearer message than libpcap's.
  if (got == 0) {
    ::close(fd);
    return fail(path + ": empty file, not a capture");
  }
  auto handle = std::make_unique<Handle>();
  const Compression compression =
      detect_compression(wire::ByteView(head, static_cast<std::size_t>(got)));
  FILE* f = nullptr;
  std::string what = "pcap or pcapng capture";
  if (compression == Compression::None) {
    f = ::fdopen(fd, "rb");
    if (!f) {
      ::close(fd);
      return fail("cannot open " + path + ": " + std::strerror(errno));
    }
  } else {
    // A gzip- or xz-compressed capture is read through the system's
    // decompressor; the fd is the child's standard input from offset 0.
    auto d = Decompressor::start(compression, fd);
    if (!d) return fail(path + ": " + d.error().message);
    f = d->take_output();
    handle->decompressor = std::move(*d);
    what = std::string(decompressor_program(compression)) + "-compressed " + what;
  }
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  // On success pcap_close closes the FILE; on failure libpcap leaves it open.
  handle->pcap = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (!handle->pcap) {
    std::fclose(f);
    // A damaged stream explains more than the bytes it left libpcap.
    if (handle->decompressor) {
      if (auto why = handle->decompressor->finish()) return fail(path + ": " + *why);
    }
    return fail(path + ": not a readable " + what + " (" + errbuf + ")");
  }
  handle->link_type = pcap_datalink(handle->pcap);
  return CaptureReader(std::move(handle));
}

wire::Result<CaptureReader, CaptureError> CaptureReader::open_memory(wire::ByteView bytes) {
  if (bytes.empty()) return fail("empty input, not a capture");
  auto handle = std::make_unique<Handle>();
  handle->memory.assign(bytes.begin(), bytes.end());
  FILE* f = fmemopen(handle->memory.data(), handle->memory.size(), "rb");
  if (!f) return fail("fmemopen failed");
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  handle->pcap = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (!handle->pcap) {
    std::fclose(f);
    return fail(std::string("not a readable pcap or pcapng capture (") + errbuf + ")");
  }
  handle->link_type = pcap_datalink(handle->pcap);
  return CaptureReader(std::move(handle));
}

wire::Result<std::optional<RawPacket>, CaptureError> CaptureReader::next() {
  if (!handle_ || handle_->done) return std::optional<RawPacket>();
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  const int rc = pcap_next_ex(handle_->pcap, &header, &data);
  if (rc == PCAP_ERROR_BREAK) {  // end of file
    handle_->done = true;
    handle_->close();
    // A decompressor that failed (a truncated .gz) may have stopped right
    // at a record boundary: its status tells a damaged stream from the end.
    if (handle_->decompressor) {
      if (auto why = handle_->decompressor->finish()) {
        return fail("capture damaged after frame " + std::to_string(handle_->frames) + ": " + *why);
      }
    }
    return std::optional<RawPacket>();
  }
  if (rc != 1) {
    handle_->done = true;
    std::string why = pcap_geterr(handle_->pcap);
    handle_->close();
    if (handle_->decompressor) {
      if (auto damaged = handle_->decompressor->finish()) why = *damaged + "; " + why;
    }
    return fail("capture damaged after frame " + std::to_string(handle_->frames) + ": " + why);
  }
  RawPacket p;
  p.ref.frame = ++handle_->frames;
  // With nanosecond precision (see open_*) tv_usec holds nanoseconds. A
  // pcapng timestamp can name any second up to 2^64; times are kept within
  // what 64-bit nanoseconds since the epoch hold (the year 2262).
  const long long seconds = std::clamp<long long>(header->ts.tv_sec, 0, kMaxSeconds);
  const long long fraction = std::clamp<long long>(header->ts.tv_usec, 0, 999'999'999);
  p.ref.time = std::chrono::seconds(seconds) + std::chrono::nanoseconds(fraction);
  p.link_type = handle_->link_type;
  p.data = wire::ByteView(data, header->caplen);
  p.original_length = header->len < header->caplen ? header->caplen : header->len;
  return std::optional<RawPacket>(p);
}

int CaptureReader::link_type() const {
  return handle_ ? handle_->link_type : -1;
}

std::string CaptureReader::link_type_name() const {
  const char* name = pcap_datalink_val_to_name(link_type());
  return name ? name : "DLT " + std::to_string(link_type());
}

}  // namespace iscsi::capture
