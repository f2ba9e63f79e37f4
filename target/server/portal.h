// Listening sockets for the target's portals ("HOST:PORT", §3.4.1 network portals).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace iscsi::server {

struct PortalAddress {
  std::string host;  // IPv4 dotted quad, or an IPv6 literal (without brackets)
  std::uint16_t port = 3260;
  std::string to_string() const;  // "host:port", "[v6]:port"
};

// Parses "HOST:PORT", "[V6]:PORT" or "HOST" (port 3260). nullopt on error.
std::optional<PortalAddress> parse_portal(std::string_view text);

// A non-blocking listening socket bound to `address`; -1 and `error` set on
// failure. Port 0 binds a free port, which is written back into `address`.
int listen_on(PortalAddress& address, std::string& error);

}  // namespace iscsi::server
