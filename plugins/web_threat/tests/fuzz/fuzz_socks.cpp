// libFuzzer: bytes a client sends on the SOCKS port through the SOCKS4/4a
// and SOCKS5 parsers and the worker's SOCKS step (greeting answer, target
// verdict); a parsed message never claims more bytes than it has.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "list_parser.hpp"
#include "socks.hpp"
#include "socks_session.hpp"

using namespace vigil::web_threat;

namespace {

// A domain list (suffix match, malicious) with names and addresses.
Policy make_policy() {
    ListSetBuilder b;
    parse_list_text(b, ListSpec{.name = "bad"}, "blocked.test\n10.9.0.66\nfd09::66\n", "fuzz");
    return Policy{.blocked = b.finish(), .trusted = build_trusted({"ok.blocked.test"})};
}

const Policy& policy() {
    static const Policy p = make_policy();
    return p;
}

}  // namespace

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
    bool greeted = false;
    const SocksStep st = socks_step(b, policy(), greeted);
    if ((st.state == SocksStep::State::judged) != st.inspection.has_value()) std::abort();
    if (st.upstream_rest.size() > b.size()) std::abort();
    return 0;
}
