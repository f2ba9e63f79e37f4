#include "decode_command.h"

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "capture/capture_decoder.h"
#include "capture/decode_output.h"
#include "cli_number.h"

namespace {

using iscsi::sim::parse_cli_number;

const char* kDecodeUsage =
    "usage: iscsi-sim decode CAPTURE [--json] [--port PORT]... [--data-bytes N]\n"
    "  --json          one JSON object per line (connections, PDUs, notes, summary)\n"
    "  --port PORT     also take TCP port PORT as an iSCSI target port (3260 always is)\n"
    "  --data-bytes N  data segment bytes shown per PDU in JSON (default 64)\n";

int usage(const std::string& message) {
  std::fprintf(stderr, "iscsi-sim decode: %s\n%s", message.c_str(), kDecodeUsage);
  return 2;
}

}  // namespace

int decode_command(const std::vector<std::string>& args) {
  using namespace iscsi::capture;
  std::string path;
  bool json = false;
  DecoderOptions options;
  OutputOptions output;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--json") {
      json = true;
    } else if (a == "--port") {
      std::uint64_t port = 0;
      if (i + 1 >= args.size() || !parse_cli_number(args[++i], 65535, port) || port == 0) {
        return usage("--port needs a TCP port (1-65535)");
      }
      options.target_ports.insert(static_cast<std::uint16_t>(port));
    } else if (a == "--data-bytes") {
      std::uint64_t n = 0;
      if (i + 1 >= args.size() || !parse_cli_number(args[++i], 1u << 24, n)) {
        return usage("--data-bytes needs a byte count");
      }
      output.data_bytes = n;
      options.framing.max_retained_data =
          std::max<std::size_t>(options.framing.max_retained_data, n);
    } else if (a == "--help" || a == "-h") {
      std::fputs(kDecodeUsage, stdout);
      return 0;
    } else if (!a.empty() && a[0] == '-') {
      return usage("unknown option " + a);
    } else if (path.empty()) {
      path = a;
    } else {
      return usage("one capture at a time");
    }
  }
  if (path.empty()) return usage("no capture given");

  auto reader = CaptureReader::open_file(path);
  if (!reader) {
    std::fprintf(stderr, "iscsi-sim decode: %s\n", reader.error().message.c_str());
    return 2;
  }
  StreamSink sink(std::cout, json, output);
  auto summary = decode_capture(*reader, options, sink);
  if (!summary) {
    std::cout.flush();
    std::fprintf(stderr, "iscsi-sim decode: %s: %s\n", path.c_str(),
                 summary.error().message.c_str());
    return 2;
  }
  sink.summary(*summary);
  std::cout.flush();
  if (summary->read_error) {
    std::fprintf(stderr, "iscsi-sim decode: %s: %s\n", path.c_str(), summary->read_error->c_str());
    return 1;
  }
  return 0;
}
