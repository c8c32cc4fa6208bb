// libFuzzer: list text through every list format (the first byte picks the
// format); what loads is then matched against a few names, URLs and IPs.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "list_parser.hpp"
#include "verdict.hpp"

using namespace vigil::web_threat;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    ListSpec spec;
    spec.name = "fuzz";
    spec.format = ListFormat(data[0] % 8);
    spec.category = Category(data[0] / 8 % 4);
    spec.suffix = (data[0] & 0x80) != 0;
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    ListSetBuilder b;
    try {
        (void)parse_list_text(b, spec, text, "fuzz");
    } catch (const ListError&) {
        return 0;
    }
    auto set = b.finish();
    auto trusted = build_trusted({"trusted.test"});
    Target t;
    t.host = "a.b.evil.test";
    t.url = canonicalize_url("http://a.b.evil.test/x/y.html?q=1");
    t.ip = *vigil::common::parse_ip_address("198.51.100.7");
    (void)judge(*set, *trusted, t, kAllCategories);
    t.ip = *vigil::common::parse_ip_address("2001:db8::1");
    (void)judge(*set, *trusted, t, kAllCategories);
    return 0;
}
