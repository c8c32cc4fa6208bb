// libFuzzer: Sigma detection conditions (`selection and not 1 of filter_*`)
// parse into a tree or are refused with RuleError; parsed trees evaluate.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "condition.hpp"
#include "rule_error.hpp"

using namespace vigil::behavior::sigma;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::vector<std::string> names = {"selection", "filter_main", "filter_optional_x", "sel_1",
                                                   "keywords"};
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const ConditionNode tree = parse_condition(text, names);
        (void)evaluate_condition(tree, [](std::uint32_t i) { return i % 2 == 0; });
        (void)evaluate_condition(tree, [](std::uint32_t) { return true; });
    } catch (const RuleError&) {
    }
    return 0;
}
