// libFuzzer: bytes a client sends on an HTTP port, through the request
// reader as the worker drives it (consume each head and body step); each
// head's URL is canonicalised and a block page built for it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "block_page.hpp"
#include "http_request.hpp"
#include "inspector.hpp"
#include "list_parser.hpp"
#include "url_canon.hpp"

using namespace vigil::web_threat;

namespace {

// The whole connection through the inspector in two pieces: whatever it
// forwards must be a prefix of what the client sent.
void inspect(std::string_view wire) {
    static const Policy policy = [] {
        ListSetBuilder b;
        ListSpec s;
        s.name = "d";
        (void)parse_list_text(b, s, "blocked.test\n10.9.0.66\n", "d");
        Policy p;
        p.blocked = b.finish();
        p.trusted = build_trusted({"trusted.test"});
        return p;
    }();
    ConnectionInspector c(policy, *vigil::common::parse_ip_address("10.9.0.2"));
    const size_t cut = wire.size() / 3;
    std::string forwarded;
    if (c.feed(wire.substr(0, cut)) != ConnectionInspector::Outcome::block) {
        forwarded += c.take_forward();
        (void)c.feed(wire.substr(cut));
    }
    forwarded += c.take_forward();
    if (wire.substr(0, forwarded.size()) != forwarded) std::abort();
    (void)c.take_decisions();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view rest(reinterpret_cast<const char*>(data), size);
    inspect(rest);
    HttpRequestReader r;
    for (int guard = 0; guard < 100000; ++guard) {
        const auto step = r.next(rest);
        using Kind = HttpRequestReader::Kind;
        if (step.kind == Kind::head || step.kind == Kind::body) {
            if (step.length == 0 || step.length > rest.size()) std::abort();  // no progress / overrun
            if (step.kind == Kind::head) {
                const auto& q = r.request();
                BlockInfo info;
                if (auto u = url_of_request("http", q.target_host(), q.connect ? "/" : q.target)) info.url = u->text();
                (void)block_page_response(info);
            }
            rest.remove_prefix(step.length);
            continue;
        }
        return 0;
    }
    std::abort();  // the reader never stopped
}
