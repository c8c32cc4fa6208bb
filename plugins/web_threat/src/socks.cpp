#include "socks.hpp"

#include <vigil/common/ip_address.hpp>

namespace vigil::web_threat {

namespace {

constexpr size_t kMaxUserId = 255, kMaxName = 255;

SocksResult need() { return {SocksParse::need_more, 0, {}}; }
SocksResult error(const char* why) { return {SocksParse::error, 0, why}; }
SocksResult done(size_t n) { return {SocksParse::done, n, {}}; }

uint16_t be16(std::string_view s, size_t at) { return uint16_t(uint8_t(s[at]) << 8 | uint8_t(s[at + 1])); }

// A NUL-terminated string starting at `at`, at most `max` bytes: its end
// (the NUL's offset), or npos while incomplete; `too_long` when it exceeds `max`.
size_t nul_end(std::string_view s, size_t at, size_t max, bool& too_long) {
    const size_t end = s.find('\0', at);
    too_long = (end == std::string_view::npos ? s.size() - at : end - at) > max;
    return end;
}

bool printable_name(std::string_view n) {
    for (char c : n)
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
    return !n.empty();
}

}  // namespace

SocksResult parse_socks4(std::string_view b, SocksTarget& out) {
    if (b.empty()) return need();
    if (b[0] != 4) return error("not SOCKS4");
    if (b.size() >= 2 && b[1] != 1) return error("not a SOCKS4 CONNECT");
    if (b.size() < 9) return need();
    out.port = be16(b, 2);
    bool too_long = false;
    const size_t user_end = nul_end(b, 8, kMaxUserId, too_long);
    if (too_long) return error("SOCKS4 user id too long");
    if (user_end == std::string_view::npos) return need();
    const auto* ip = reinterpret_cast<const uint8_t*>(b.data() + 4);
    // 0.0.0.x with x != 0: SOCKS4a, the host name follows the user id.
    if (ip[0] == 0 && ip[1] == 0 && ip[2] == 0 && ip[3] != 0) {
        const size_t host_end = nul_end(b, user_end + 1, kMaxName, too_long);
        if (too_long) return error("SOCKS4a host name too long");
        if (host_end == std::string_view::npos) return need();
        out.host.assign(b.substr(user_end + 1, host_end - user_end - 1));
        if (!printable_name(out.host)) return error("bad SOCKS4a host name");
        out.is_name = true;
        return done(host_end + 1);
    }
    out.host = common::IpAddress::v4(ip).text();
    out.is_name = false;
    return done(user_end + 1);
}

SocksResult parse_socks5_greeting(std::string_view b, bool& no_auth) {
    if (b.empty()) return need();
    if (b[0] != 5) return error("not SOCKS5");
    if (b.size() < 2) return need();
    const size_t n = uint8_t(b[1]);
    if (n == 0) return error("SOCKS5 greeting without methods");
    if (b.size() < 2 + n) return need();
    no_auth = b.substr(2, n).find('\0') != std::string_view::npos;
    return done(2 + n);
}

SocksResult parse_socks5_request(std::string_view b, SocksTarget& out) {
    if (b.empty()) return need();
    if (b[0] != 5) return error("not SOCKS5");
    if (b.size() >= 2 && b[1] != 1) return error("not a SOCKS5 CONNECT");
    if (b.size() >= 3 && b[2] != 0) return error("SOCKS5 reserved byte not zero");
    if (b.size() < 4) return need();
    size_t addr_len = 0, at = 4;
    switch (b[3]) {
        case 1: addr_len = 4; break;
        case 4: addr_len = 16; break;
        case 3:
            if (b.size() < 5) return need();
            addr_len = uint8_t(b[4]), at = 5;
            break;
        default: return error("unknown SOCKS5 address type");
    }
    if (b.size() < at + addr_len + 2) return need();
    const std::string_view addr = b.substr(at, addr_len);
    if (b[3] == 3) {
        if (!printable_name(addr)) return error("bad SOCKS5 host name");
        out.host.assign(addr);
        out.is_name = true;
    } else {
        const auto* p = reinterpret_cast<const uint8_t*>(addr.data());
        out.host = (addr_len == 4 ? common::IpAddress::v4(p) : common::IpAddress::v6(p)).text();
        out.is_name = false;
    }
    out.port = be16(b, at + addr_len);
    return done(at + addr_len + 2);
}

}  // namespace vigil::web_threat
