#include "capture/capture_decoder.h"

#include <memory>

#include "capture/link_layer.h"
#include "capture/tcp_segment.h"

namespace iscsi::capture {

namespace {

class Decoder {
 public:
  Decoder(const DecoderOptions& options, DecodeSink& sink)
      : sink_(sink),
        reassembler_(
            options.limits,
            [this](const TcpConnectionInfo& info) {
              return std::make_unique<IscsiConnection>(info, ctx_);
            },
            [this](const PacketRef& at, const std::string& message) {
              capture_note(at, "limit", message);
            }) {
    ctx_.options = options;
    ctx_.sink = &sink;
  }

  void packet(const RawPacket& p) {
    ++summary_.packets;
    auto net = strip_link_layer(p.link_type, p.data);
    if (!net) {
      switch (net.error().kind) {
        case LinkSkip::NotIp:
          ++summary_.skipped["not IP"];
          break;
        case LinkSkip::Malformed:
        case LinkSkip::UnsupportedLinkType:
          skipped(p.ref, "malformed link header", "malformed", net.error().detail);
          break;
      }
      return;
    }
    auto segment = parse_tcp_segment(*net);
    if (!segment) {
      switch (segment.error().kind) {
        case IpSkip::NotTcp:
          ++summary_.skipped["not TCP"];
          break;
        case IpSkip::Fragment:
          skipped(p.ref, "IP fragment", "ip-fragment",
                  segment.error().detail + " skipped: IP fragments are not reassembled");
          break;
        case IpSkip::Malformed:
          skipped(p.ref, "malformed IP or TCP header", "malformed", segment.error().detail);
          break;
        case IpSkip::Encrypted:
          skipped(p.ref, "IPsec ESP", "encrypted",
                  segment.error().detail + " hides the TCP header");
          break;
      }
      return;
    }
    ++summary_.tcp_segments;
    reassembler_.add(*segment, p.ref);
  }

  DecodeSummary finish(const PacketRef& last) {
    reassembler_.finish(last);
    summary_.reassembly = reassembler_.stats();
    summary_.tcp_connections = reassembler_.stats().connections;
    summary_.iscsi_connections = ctx_.next_connection - 1;
    summary_.pdus = ctx_.pdus;
    summary_.pdus_with_issues = ctx_.pdus_with_issues;
    summary_.notes = ctx_.notes;
    return summary_;
  }

  void capture_note(const PacketRef& at, const std::string& kind, const std::string& message) {
    Note n;
    n.at = at;
    n.kind = kind;
    n.message = message;
    ++ctx_.notes;
    sink_.note(n);
  }

  DecodeSummary& summary() { return summary_; }

 private:
  void skipped(const PacketRef& at, const std::string& reason, const std::string& kind,
               const std::string& detail) {
    const std::uint64_t count = ++summary_.skipped[reason];
    if (count > kMaxPacketNotesPerReason) {
      ++summary_.notes_suppressed;
      return;
    }
    capture_note(at, kind, "frame " + std::to_string(at.frame) + ": " + detail);
  }

  DecodeSink& sink_;
  DecodeContext ctx_;
  DecodeSummary summary_;
  TcpReassembler reassembler_;
};

}  // namespace

wire::Result<DecodeSummary, CaptureError> decode_capture(CaptureReader& reader,
                                                         const DecoderOptions& options,
                                                         DecodeSink& sink) {
  if (!link_type_supported(reader.link_type())) {
    return wire::Unexpected(CaptureError{
        "link type " + reader.link_type_name() + " (" + std::to_string(reader.link_type()) +
        ") is not supported; supported are Ethernet, Linux cooked capture (v1 and v2), BSD "
        "loopback and raw IPv4/IPv6"});
  }
  Decoder decoder(options, sink);
  decoder.summary().link_type = reader.link_type_name();
  PacketRef last;
  bool first = true;
  for (;;) {
    auto next = reader.next();
    if (!next) {
      decoder.summary().read_error = next.error().message;
      decoder.capture_note(last, "damaged", next.error().message);
      break;
    }
    if (!next->has_value()) break;
    const RawPacket& p = **next;
    if (first) {
      sink.begin(p.ref);
      first = false;
    }
    last = p.ref;
    decoder.packet(p);
  }
  return decoder.finish(last);
}

wire::Result<DecodeSummary, CaptureError> decode_capture_file(const std::string& path,
                                                              const DecoderOptions& options,
                                                              DecodeSink& sink) {
  auto reader = CaptureReader::open_file(path);
  if (!reader) return wire::Unexpected(reader.error());
  return decode_capture(*reader, options, sink);
}

}  // namespace iscsi::capture
