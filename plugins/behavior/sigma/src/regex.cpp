#include "regex.hpp"

#include <stdexcept>

namespace vigil::behavior::sigma {

Regex::Regex(std::string_view pattern, Flags flags) {
    vigil::common::RegexOptions o;
    o.caseless = flags.caseless;
    o.multiline = flags.multiline;
    o.dotall = flags.dotall;
    try {
        re_ = std::make_shared<const vigil::common::Regex>(pattern, o);
    } catch (const vigil::common::RegexError& e) {
        throw std::invalid_argument("invalid regular expression '" + std::string(pattern) + "': " + e.message() +
                                    " at offset " + std::to_string(e.offset()));
    }
}

bool Regex::search(std::string_view text) const { return re_->search(text); }

std::string regex_quote(std::string_view literal) {
    std::string out;
    out.reserve(literal.size() * 2);
    for (char c : literal) {
        if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) out.push_back('\\');
        out.push_back(c);
    }
    return out;
}

}  // namespace vigil::behavior::sigma
