#include "category.hpp"

#include <vigil/enum_table.hpp>

namespace vigil::web_threat {

namespace {
constexpr EnumName<Category> kNames[] = {{Category::malicious, "malicious"},
                                         {Category::phishing, "phishing"},
                                         {Category::adware, "adware"},
                                         {Category::other, "other"}};
}  // namespace

const char* category_name(Category c) { return enum_name(kNames, c, "other"); }

std::optional<Category> category_from_name(std::string_view name) { return enum_from_name(kNames, name); }

std::optional<Category> strongest(CategoryMask entry, CategoryMask enabled) {
    const CategoryMask m = entry & enabled;
    // The enum order is the severity order.
    for (const auto& n : kNames)
        if (m & bit(n.value)) return n.value;
    return std::nullopt;
}

}  // namespace vigil::web_threat
