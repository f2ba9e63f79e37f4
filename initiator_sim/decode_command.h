// `iscsi-sim decode CAPTURE [--json] [--port PORT]... [--data-bytes N]`:
// every iSCSI PDU of a pcap or pcapng capture, one line each (or one JSON
// object per line), with connection, direction, time, fields, text keys and
// problems, then a summary.
#pragma once

#include <string>
#include <vector>

// Returns the process exit status: 0 decoded, 1 the capture is damaged
// (everything before the damage was decoded), 2 usage error or unreadable
// capture.
int decode_command(const std::vector<std::string>& args);
