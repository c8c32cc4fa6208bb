// libFuzzer: the arguments of web_threat.set_lists and web_threat.check as
// a central node or vigilctl sends them; sent lists are loaded as the
// command would load them.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vigil/common/args.hpp>

#include "command_args.hpp"

using namespace vigil::web_threat;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const Target t = parse_check(text);
        auto trusted = build_trusted({});
        (void)verdict_json(judge(*trusted, *trusted, t, kAllCategories), t, true);
    } catch (const vigil::common::ArgError&) {
    }
    try {
        const auto sent = parse_set_lists(text, 1 << 20);
        (void)load_lists({}, {}, sent, 1 << 20, false);
    } catch (const vigil::common::ArgError&) {
    } catch (const ListError&) {
    }
    return 0;
}
