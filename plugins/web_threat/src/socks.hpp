// SOCKS4/4a and SOCKS5 CONNECT requests on the monitored proxy port (1080):
// the target host (or address) is judged before the request goes on. Each
// parser looks at the bytes the client sent so far.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::web_threat {

struct SocksTarget {
    std::string host;  // a name (4a, 5 domain) or an address's text
    uint16_t port = 0;
    bool is_name = false;
};

enum class SocksParse : uint8_t { need_more, done, error };

struct SocksResult {
    SocksParse state = SocksParse::need_more;
    size_t length = 0;  // bytes of the message when done
    std::string why;    // when error
};

// SOCKS4 / 4a: VN 4, CD 1 (CONNECT), port, IPv4, user id NUL [, host NUL].
SocksResult parse_socks4(std::string_view bytes, SocksTarget& out);
// SOCKS5 greeting: VER 5, NMETHODS, METHODS; `no_auth` says whether method 0 is offered.
SocksResult parse_socks5_greeting(std::string_view bytes, bool& no_auth);
// SOCKS5 request: VER 5, CMD 1 (CONNECT), RSV 0, ATYP (1 IPv4, 3 name, 4 IPv6), address, port.
SocksResult parse_socks5_request(std::string_view bytes, SocksTarget& out);

}  // namespace vigil::web_threat
