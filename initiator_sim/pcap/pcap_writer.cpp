#include "pcap/pcap_writer.h"

#include <pcap/pcap.h>

#include <algorithm>

namespace iscsi::capture {

struct PcapWriter::Handles {
  pcap_t* dead = nullptr;
  pcap_dumper_t* dumper = nullptr;
  ~Handles() {
    if (dumper) pcap_dump_close(dumper);
    if (dead) pcap_close(dead);
  }
};

namespace {

wire::Unexpected<PcapError> fail(std::string message) {
  return wire::Unexpected(PcapError{std::move(message)});
}

}  // namespace

PcapWriter::PcapWriter(std::unique_ptr<Handles> handles) : handles_(std::move(handles)) {}
PcapWriter::PcapWriter(PcapWriter&&) noexcept = default;
PcapWriter& PcapWriter::operator=(PcapWriter&&) noexcept = default;
PcapWriter::~PcapWriter() = default;

wire::Result<PcapWriter, PcapError> PcapWriter::create(const std::string& path) {
  auto handles = std::make_unique<Handles>();
  handles->dead = pcap_open_dead(DLT_EN10MB, kSnapshotLength);
  if (!handles->dead) return fail("pcap_open_dead failed");
  handles->dumper = pcap_dump_open(handles->dead, path.c_str());
  if (!handles->dumper) {
    return fail("cannot create " + path + ": " + pcap_geterr(handles->dead));
  }
  return PcapWriter(std::move(handles));
}

TcpConnectionConfig PcapWriter::next_connection_config() const {
  TcpConnectionConfig config;
  // 49152-65535 is the dynamic port range (RFC 6335 §6).
  config.client.port = static_cast<std::uint16_t>(49152 + connections_.size() % 16384);
  return config;
}

const TcpConnection* PcapWriter::connection(ConnectionId id) const {
  return id < connections_.size() ? &connections_[id] : nullptr;
}

wire::Result<std::size_t, PcapError> PcapWriter::write_frames(
    const wire::Result<std::vector<Bytes>, std::string>& frames, Timestamp at) {
  if (!frames) return fail(frames.error());
  for (const Bytes& frame : frames.value()) {
    const Timestamp stamp = std::max(at, last_frame_time_ + Timestamp(1));
    pcap_pkthdr header{};
    header.ts.tv_sec = static_cast<time_t>(stamp.count() / 1'000'000);
    header.ts.tv_usec = static_cast<suseconds_t>(stamp.count() % 1'000'000);
    header.caplen = static_cast<bpf_u_int32>(frame.size());
    header.len = static_cast<bpf_u_int32>(frame.size());
    pcap_dump(reinterpret_cast<u_char*>(handles_->dumper), &header, frame.data());
    last_frame_time_ = stamp;
    ++frames_written_;
  }
  return frames.value().size();
}

std::optional<PcapError> PcapWriter::check_writable(Timestamp at) const {
  if (!handles_) return PcapError{"the writer was moved from"};
  if (at.count() < 0) return PcapError{"timestamps before the Unix epoch cannot be written"};
  // The file format stores seconds in 32 bits.
  if (at.count() / 1'000'000 > 0xffffffffLL) return PcapError{"timestamp beyond the year 2106"};
  return std::nullopt;
}

wire::Result<ConnectionId, PcapError> PcapWriter::open_connection(const TcpConnectionConfig& config,
                                                                  Timestamp at) {
  // Checked before the connection model advances, so that a refused call
  // leaves no gap in its sequence numbers.
  if (auto e = check_writable(at)) return wire::Unexpected(*e);
  auto created = TcpConnection::create(config);
  if (!created) return fail(created.error());
  TcpConnection conn = std::move(created.value());
  auto written = write_frames(conn.open(), at);
  if (!written) return wire::Unexpected(written.error());
  connections_.push_back(std::move(conn));
  return connections_.size() - 1;
}

wire::Result<std::size_t, PcapError> PcapWriter::send(ConnectionId id, Direction from,
                                                      ByteView data, Timestamp at) {
  if (id >= connections_.size()) return fail("unknown connection " + std::to_string(id));
  if (auto e = check_writable(at)) return wire::Unexpected(*e);
  return write_frames(connections_[id].send(from, data), at);
}

wire::Result<std::size_t, PcapError> PcapWriter::close_connection(ConnectionId id, Direction closer,
                                                                  Timestamp at) {
  if (id >= connections_.size()) return fail("unknown connection " + std::to_string(id));
  if (auto e = check_writable(at)) return wire::Unexpected(*e);
  return write_frames(connections_[id].close(closer), at);
}

wire::Result<std::size_t, PcapError> PcapWriter::reset_connection(ConnectionId id, Direction sender,
                                                                  Timestamp at) {
  if (id >= connections_.size()) return fail("unknown connection " + std::to_string(id));
  if (auto e = check_writable(at)) return wire::Unexpected(*e);
  return write_frames(connections_[id].reset(sender), at);
}

wire::Result<bool, PcapError> PcapWriter::flush() {
  if (!handles_) return fail("the writer was moved from");
  if (pcap_dump_flush(handles_->dumper) != 0) return fail("flushing the capture file failed");
  return true;
}

}  // namespace iscsi::capture
