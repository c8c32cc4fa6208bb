// libFuzzer: URL canonicalisation and lookup expressions. Properties: the
// canonical form is a fixed point, at most 30 expressions, no empty host.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "host_name.hpp"
#include "url_canon.hpp"

using namespace vigil::web_threat;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)canonical_host(text);
    (void)valid_domain(text);
    auto u = canonicalize_url(text);
    if (!u) return 0;
    if (u->host.empty() || u->path.empty() || u->path[0] != '/') std::abort();
    const auto exprs = url_expressions(*u);
    if (exprs.empty() || exprs.size() > 30) std::abort();
    auto again = canonicalize_url(u->text());
    if (!again || again->text() != u->text()) std::abort();
    return 0;
}
