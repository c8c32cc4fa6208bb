// libFuzzer: modifier chains (`CommandLine|base64offset|contains`) and the
// encoders they run on rule values.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "modifiers.hpp"
#include "rule_error.hpp"

using namespace vigil::behavior::sigma;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const size_t nl = text.find('\n');
    const std::string_view chain = text.substr(0, nl);
    const std::string_view value = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    std::vector<std::string_view> names;
    for (size_t pos = 0; pos <= chain.size();) {
        const size_t bar = chain.find('|', pos);
        const size_t end = bar == std::string_view::npos ? chain.size() : bar;
        names.push_back(chain.substr(pos, end - pos));
        pos = end + 1;
    }
    try {
        (void)parse_modifiers(names);
    } catch (const RuleError&) {
    }
    (void)base64_encode(value);
    (void)base64_offsets(value);
    for (auto form : {Utf16Form::Le, Utf16Form::Be, Utf16Form::Bom}) (void)utf16_encode(value, form);
    return 0;
}
