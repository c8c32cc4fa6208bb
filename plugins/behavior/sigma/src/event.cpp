#include "behavior_sigma/event.hpp"

#include "ascii.hpp"

namespace vigil::behavior::sigma {

void SigmaEvent::set(FieldId field, std::string_view value) {
    std::size_t i = index(field);
    if (!wanted_.test(i)) return;
    values_[i].assign(value);
    lower_into(value, lowers_[i]);
    present_.set(i);
}

std::optional<std::string_view> SigmaEvent::lookup(FieldId field) const {
    std::size_t i = index(field);
    if (!present_.test(i)) return std::nullopt;
    return std::string_view(values_[i]);
}

std::optional<std::string_view> SigmaEvent::lookup(std::string_view field_name) const {
    auto id = field_from_name(field_name);
    if (!id) return std::nullopt;
    return lookup(*id);
}

std::optional<std::string_view> SigmaEvent::lookup_lower(FieldId field) const {
    std::size_t i = index(field);
    if (!present_.test(i)) return std::nullopt;
    return std::string_view(lowers_[i]);
}

}  // namespace vigil::behavior::sigma
