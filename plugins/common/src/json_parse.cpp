#include "vigil/common/json_parse.hpp"

#include <rapidjson/error/en.h>

namespace vigil::common {

int json_nesting_depth(std::string_view text, int limit) {
    int depth = 0, deepest = 0;
    JsonStringSkipper strings;
    for (char c : text) {
        if (strings.in_string(c)) continue;
        if (c == '[' || c == '{') {
            if (++depth > deepest) deepest = depth;
            if (deepest > limit) return limit + 1;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return deepest;
}

std::string parse_json_bounded(rapidjson::Document& doc, std::string_view text, int max_depth) {
    if (json_nesting_depth(text, max_depth) > max_depth)
        return "nested deeper than " + std::to_string(max_depth) + " levels";
    doc.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
    if (doc.HasParseError())
        return "invalid JSON at offset " + std::to_string(doc.GetErrorOffset()) + ": " +
               rapidjson::GetParseError_En(doc.GetParseError());
    return {};
}

}  // namespace vigil::common
