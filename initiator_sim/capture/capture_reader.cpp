#include "capture/capture_reader.h"

#include <pcap/pcap.h>

#include <algorithm>
#include <cstdio>

namespace iscsi::capture {

struct CaptureReader::Handle {
  pcap_t* pcap = nullptr;
  // Backing store of an in-memory capture: fmemopen reads from it and
  // pcap_close closes the FILE.
  wire::Bytes memory;
  std::uint64_t frames = 0;
  bool done = false;
  ~Handle() {
    if (pcap) pcap_close(pcap);
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
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return fail("cannot open " + path);
  // An empty file gets a clearer message than libpcap's.
  if (std::fgetc(f) == EOF) {
    std::fclose(f);
    return fail(path + ": empty file, not a capture");
  }
  std::rewind(f);
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  auto handle = std::make_unique<Handle>();
  // On success pcap_close closes the FILE; on failure libpcap leaves it open.
  handle->pcap = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (!handle->pcap) {
    std::fclose(f);
    return fail(path + ": not a readable pcap or pcapng capture (" + errbuf + ")");
  }
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
  return CaptureReader(std::move(handle));
}

wire::Result<std::optional<RawPacket>, CaptureError> CaptureReader::next() {
  if (!handle_ || handle_->done) return std::optional<RawPacket>();
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  const int rc = pcap_next_ex(handle_->pcap, &header, &data);
  if (rc == PCAP_ERROR_BREAK) {  // end of file
    handle_->done = true;
    return std::optional<RawPacket>();
  }
  if (rc != 1) {
    handle_->done = true;
    return fail("capture damaged after frame " + std::to_string(handle_->frames) + ": " +
                pcap_geterr(handle_->pcap));
  }
  RawPacket p;
  p.ref.frame = ++handle_->frames;
  // With nanosecond precision (see open_*) tv_usec holds nanoseconds. A
  // pcapng timestamp can name any second up to 2^64; times are kept within
  // what 64-bit nanoseconds since the epoch hold (the year 2262).
  const long long seconds = std::clamp<long long>(header->ts.tv_sec, 0, kMaxSeconds);
  const long long fraction = std::clamp<long long>(header->ts.tv_usec, 0, 999'999'999);
  p.ref.time = std::chrono::seconds(seconds) + std::chrono::nanoseconds(fraction);
  p.link_type = pcap_datalink(handle_->pcap);
  p.data = wire::ByteView(data, header->caplen);
  p.original_length = header->len < header->caplen ? header->caplen : header->len;
  return std::optional<RawPacket>(p);
}

int CaptureReader::link_type() const {
  return handle_ ? pcap_datalink(handle_->pcap) : -1;
}

std::string CaptureReader::link_type_name() const {
  const char* name = pcap_datalink_val_to_name(link_type());
  return name ? name : "DLT " + std::to_string(link_type());
}

}  // namespace iscsi::capture
