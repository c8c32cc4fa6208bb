// libFuzzer: bytes read as a list snapshot (what the worker takes from the
// plugin) must be refused or give a set whose lookups terminate.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "list_snapshot.hpp"

using namespace vigil::web_threat;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        const auto set = read_list_snapshot(std::string_view(reinterpret_cast<const char*>(data), size));
        (void)set->match_host("a.b.example.test", kAllCategories);
        (void)set->match_ip(*vigil::common::parse_ip_address("10.0.0.1"), kAllCategories);
        (void)set->match_url(*canonicalize_url("http://example.test/a/b"), kAllCategories);
    } catch (const SnapshotError&) {
    }
    return 0;
}
