// VIGIL_PLUGIN states the licence and homepage it is given.
#include <doctest/doctest.h>

#include <cstring>
#include <vigil/sdk.hpp>

namespace {
class Minimal : public vigil::Plugin {
public:
    using Plugin::Plugin;
};
}  // namespace

VIGIL_PLUGIN(Minimal, "minimal", "2.0.0", "a test plugin", nullptr, nullptr, "MIT", "https://example.org/minimal")

TEST_CASE("VIGIL_PLUGIN: names, versions, licence and homepage reach the info") {
    vigil_host_info hi{sizeof hi, VIGIL_ABI_MAJOR, VIGIL_ABI_MINOR, 0, "test"};
    const vigil_plugin_info* info = vigil_plugin_entry(&hi);
    REQUIRE(info);
    CHECK(std::strcmp(info->name, "minimal") == 0);
    CHECK(std::strcmp(info->version, "2.0.0") == 0);
    CHECK(info->abi_major == VIGIL_ABI_MAJOR);
    CHECK(info->abi_min_minor == 1);
    CHECK(info->abi_built_minor == VIGIL_ABI_MINOR);
    CHECK(std::strcmp(info->license, "MIT") == 0);
    CHECK(std::strcmp(info->homepage, "https://example.org/minimal") == 0);
    CHECK(info->api->struct_size == sizeof(vigil_plugin_api));
}
