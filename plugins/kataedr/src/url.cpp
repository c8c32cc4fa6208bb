#include "url.hpp"

#include <cctype>
#include <charconv>
#include <stdexcept>

namespace vigil::kataedr {
namespace {

struct HostPort {
    std::string host;
    std::optional<uint16_t> port;
};

std::invalid_argument bad(std::string_view url, std::string_view why) {
    return std::invalid_argument("invalid URL \"" + std::string(url) + "\": " + std::string(why));
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string percent_decode(std::string_view url, std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out.push_back(s[i]);
            continue;
        }
        if (i + 2 >= s.size()) throw bad(url, "truncated percent escape");
        int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
        if (hi < 0 || lo < 0) throw bad(url, "invalid percent escape");
        out.push_back(char(hi * 16 + lo));
        i += 2;
    }
    return out;
}

// Parses "host", "host:port", "[v6]" or "[v6]:port".
HostPort parse_host_port(std::string_view url, std::string_view s) {
    HostPort hp;
    std::string_view rest;
    if (s.empty()) throw bad(url, "missing host");
    if (s.front() == '[') {
        size_t close = s.find(']');
        if (close == std::string_view::npos) throw bad(url, "unterminated IPv6 address");
        hp.host = std::string(s.substr(1, close - 1));
        rest = s.substr(close + 1);
        if (hp.host.empty()) throw bad(url, "empty IPv6 address");
    } else {
        size_t colon = s.find(':');
        hp.host = std::string(s.substr(0, colon));
        rest = colon == std::string_view::npos ? std::string_view{} : s.substr(colon);
        if (hp.host.empty()) throw bad(url, "missing host");
    }
    for (char c : hp.host) {
        bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' || c == ':';
        if (!ok) throw bad(url, "invalid character in host");
    }
    if (!rest.empty()) {
        if (rest.front() != ':') throw bad(url, "unexpected text after host");
        rest.remove_prefix(1);
        unsigned value = 0;
        auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
        if (rest.empty() || ec != std::errc() || p != rest.data() + rest.size() || value == 0 ||
            value > 65535)
            throw bad(url, "port must be a number from 1 to 65535");
        hp.port = uint16_t(value);
    }
    return hp;
}

std::string bracket(const std::string& host) {
    return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

}  // namespace

ServerUrl parse_server_url(std::string_view url) {
    constexpr std::string_view scheme = "https://";
    if (url.substr(0, scheme.size()) != scheme) throw bad(url, "a server URL must start with https://");
    std::string_view rest = url.substr(scheme.size());
    if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    if (rest.find('/') != std::string_view::npos)
        throw bad(url, "a server URL has no path (https://host:port)");
    if (rest.find('@') != std::string_view::npos) throw bad(url, "a server URL has no user info");
    HostPort hp = parse_host_port(url, rest);
    ServerUrl out;
    out.host = hp.host;
    out.port = hp.port.value_or(443);
    out.text = "https://" + bracket(out.host) + ":" + std::to_string(out.port);
    return out;
}

std::optional<ProxyUrl> parse_proxy_url(std::string_view url) {
    if (url.empty()) return std::nullopt;
    constexpr std::string_view scheme = "http://";
    if (url.substr(0, scheme.size()) != scheme)
        throw bad(url, "the proxy must be an http:// URL (HTTP CONNECT proxy): http://[user:pass@]host:port");
    std::string_view rest = url.substr(scheme.size());
    if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    if (rest.find('/') != std::string_view::npos) throw bad(url, "a proxy URL has no path");
    ProxyUrl out;
    size_t at = rest.rfind('@');
    if (at != std::string_view::npos) {
        std::string_view userinfo = rest.substr(0, at);
        rest = rest.substr(at + 1);
        size_t colon = userinfo.find(':');
        out.username = percent_decode(url, userinfo.substr(0, colon));
        if (colon != std::string_view::npos) out.password = percent_decode(url, userinfo.substr(colon + 1));
        if (out.username.empty()) throw bad(url, "empty proxy user name before '@'");
    }
    HostPort hp = parse_host_port(url, rest);
    if (!hp.port) throw bad(url, "the proxy URL needs a port (http://host:port)");
    out.host = hp.host;
    out.port = *hp.port;
    return out;
}

}  // namespace vigil::kataedr
