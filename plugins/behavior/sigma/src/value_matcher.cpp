#include "value_matcher.hpp"

#include <charconv>

namespace vigil::behavior::sigma {

std::optional<double> parse_number(std::string_view text) {
    double v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return v;
}

bool NumberCompareValue::match(const SigmaEvent&, std::string_view value, std::string_view) const {
    auto v = parse_number(value);
    if (!v) return false;
    switch (op_) {
    case Modifiers::Compare::Lt: return *v < bound_;
    case Modifiers::Compare::Lte: return *v <= bound_;
    case Modifiers::Compare::Gt: return *v > bound_;
    case Modifiers::Compare::Gte: return *v >= bound_;
    case Modifiers::Compare::None: break;
    }
    return false;
}

bool FieldRefValue::match(const SigmaEvent& event, std::string_view value, std::string_view lower) const {
    if (!other_) return false;
    auto ref = cased_ ? event.lookup(*other_) : event.lookup_lower(*other_);
    if (!ref) return false;
    std::string_view text = cased_ ? value : lower;
    switch (pos_) {
    case Position::Equal: return text == *ref;
    case Position::Prefix: return text.starts_with(*ref);
    case Position::Suffix: return text.ends_with(*ref);
    case Position::Contains: return text.find(*ref) != std::string_view::npos;
    }
    return false;
}

}  // namespace vigil::behavior::sigma
