// libFuzzer: bytes a client sends on the SOCKS port through the SOCKS4/4a
// and SOCKS5 parsers; a parsed message never claims more bytes than it has.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "socks.hpp"

using namespace vigil::web_threat;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view b(reinterpret_cast<const char*>(data), size);
    SocksTarget t;
    bool no_auth = false;
    for (const auto& r : {parse_socks4(b, t), parse_socks5_request(b, t), parse_socks5_greeting(b, no_auth)})
        if (r.state == SocksParse::done && (r.length == 0 || r.length > b.size())) std::abort();
    // A greeting followed by a request, as a client sends them.
    const auto g = parse_socks5_greeting(b, no_auth);
    if (g.state == SocksParse::done) {
        const auto r = parse_socks5_request(b.substr(g.length), t);
        if (r.state == SocksParse::done && r.length > b.size() - g.length) std::abort();
    }
    return 0;
}
