// Parsing of the two kinds of URL the connector is configured with: central
// server endpoints (https://host[:port]) and the agent-wide HTTP proxy
// (http://[user:pass@]host:port).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::kataedr {

struct ServerUrl {
    std::string text;  // normalised "https://host:port" (for logs and status)
    std::string host;  // without IPv6 brackets
    uint16_t port = 443;
    bool operator==(const ServerUrl&) const = default;
};

struct ProxyUrl {
    std::string host;
    uint16_t port = 0;
    std::string username;  // percent-decoded; empty when none
    std::string password;
};

// Throws std::invalid_argument naming what is wrong.
ServerUrl parse_server_url(std::string_view url);

// Empty string means "no proxy". Throws std::invalid_argument on a bad URL.
std::optional<ProxyUrl> parse_proxy_url(std::string_view url);

}  // namespace vigil::kataedr
