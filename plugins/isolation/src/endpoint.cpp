#include "endpoint.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "exclusion.hpp"

namespace vigil::isolation {

std::string Endpoint::text() const {
    if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
    return host + ":" + std::to_string(port);
}

Endpoint parse_endpoint(std::string_view text, std::string_view field) {
    const auto bad = [&](const std::string& why) {
        return ValidationError(std::string(field) + ": '" + std::string(text) + "' " + why);
    };
    std::string_view rest = text;
    uint16_t default_port = 0;
    if (auto scheme = rest.find("://"); scheme != std::string_view::npos) {
        std::string_view s = rest.substr(0, scheme);
        if (s == "https")
            default_port = 443;
        else if (s == "http")
            default_port = 80;
        else
            throw bad("has unsupported scheme '" + std::string(s) + "' (http or https)");
        rest.remove_prefix(scheme + 3);
        if (auto slash = rest.find_first_of("/?#"); slash != std::string_view::npos)
            rest = rest.substr(0, slash);
        if (auto at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
    }
    if (rest.empty()) throw bad("has no host");
    Endpoint ep;
    std::string_view port_text;
    if (rest.front() == '[') {
        auto close = rest.find(']');
        if (close == std::string_view::npos) throw bad("has an unterminated '[' in the host");
        ep.host = std::string(rest.substr(1, close - 1));
        std::string_view after = rest.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') throw bad("has junk after ']'");
            port_text = after.substr(1);
        }
        in6_addr tmp{};
        if (inet_pton(AF_INET6, ep.host.c_str(), &tmp) != 1) throw bad("has an invalid IPv6 literal");
    } else {
        auto colon = rest.rfind(':');
        if (colon != std::string_view::npos && rest.find(':') != colon)
            throw bad("is an IPv6 literal without brackets; write [addr]:port");
        ep.host = std::string(rest.substr(0, colon));
        if (colon != std::string_view::npos) port_text = rest.substr(colon + 1);
    }
    if (ep.host.empty()) throw bad("has no host");
    for (char c : ep.host)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' || c == ':'))
            throw bad("has an invalid character in the host name");
    if (!port_text.empty()) {
        unsigned v = 0;
        auto [p, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), v);
        if (ec != std::errc() || p != port_text.data() + port_text.size() || v < 1 || v > 65535)
            throw bad("has an invalid port (1-65535)");
        ep.port = uint16_t(v);
    } else if (default_port) {
        ep.port = default_port;
    } else {
        throw bad("needs a port (host:port) or a URL scheme");
    }
    return ep;
}

std::vector<std::string> resolve_addresses(const Endpoint& ep) {
    std::vector<std::string> out;
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (getaddrinfo(ep.host.c_str(), nullptr, &hints, &res) != 0) return out;
    for (addrinfo* ai = res; ai; ai = ai->ai_next) {
        char buf[INET6_ADDRSTRLEN] = {};
        const void* src =
            ai->ai_family == AF_INET
                ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(ai->ai_addr)->sin_addr)
                : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(ai->ai_addr)->sin6_addr);
        if ((ai->ai_family == AF_INET || ai->ai_family == AF_INET6) &&
            inet_ntop(ai->ai_family, src, buf, sizeof buf))
            if (std::find(out.begin(), out.end(), buf) == out.end()) out.emplace_back(buf);
    }
    freeaddrinfo(res);
    return out;
}

}  // namespace vigil::isolation
