// What a list entry is about. The product's check switches (CheckMalicious,
// CheckPhishing, CheckAdware) select which categories are enforced; "other"
// covers custom lists.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace vigil::web_threat {

enum class Category : uint8_t { malicious = 0, phishing = 1, adware = 2, other = 3 };

// A set of categories: bit (1 << category).
using CategoryMask = uint8_t;
constexpr CategoryMask kAllCategories = 0x0f;

constexpr CategoryMask bit(Category c) { return CategoryMask(1u << unsigned(c)); }

const char* category_name(Category c);
std::optional<Category> category_from_name(std::string_view name);

// The category a match reports when an entry carries several: the most
// severe one that is enabled. nullopt when none is enabled.
std::optional<Category> strongest(CategoryMask entry, CategoryMask enabled);

}  // namespace vigil::web_threat
