// The event the Sigma engine evaluates: a category plus the Sigma fields it
// carries. Built from our bus payloads by event_builder.hpp, or by hand in
// tests. Each value is stored twice, as given and ASCII-lower-cased, so the
// (default) case-insensitive matchers compare without folding per rule.
#pragma once

#include <array>
#include <bitset>
#include <optional>
#include <string>
#include <string_view>

#include "behavior_sigma/category.hpp"
#include "behavior_sigma/field.hpp"

namespace vigil::behavior::sigma {

// Per event category (index: Category), a set of fields.
using FieldsByCategory = std::array<FieldMask, kCategoryCount>;

class SigmaEvent {
public:
    explicit SigmaEvent(Category category) : category_(category) {}

    Category category() const { return category_; }

    // Sets (or replaces) a field. An event without a field is different from
    // one with an empty value only for the `exists` modifier.
    void set(FieldId field, std::string_view value);
    void clear(FieldId field) { present_.reset(index(field)); }
    // Empty again, as a new event of `category` (every field wanted); the strings keep their
    // memory for the next values.
    void reset(Category category) {
        category_ = category;
        present_.reset();
        wanted_.set();
    }

    // From now on set() keeps only these fields (all by default): an event built for the
    // loaded rules skips what none of them reads, and an event without a field is what a
    // rule that does not read it never sees.
    void limit_to(const FieldMask& wanted) { wanted_ = wanted; }
    bool wants(FieldId field) const { return wanted_.test(index(field)); }

    bool has(FieldId field) const { return present_.test(index(field)); }
    std::optional<std::string_view> lookup(FieldId field) const;
    // Looks a field up by Sigma name; unknown names yield nullopt.
    std::optional<std::string_view> lookup(std::string_view field_name) const;
    // The ASCII-lower-cased value (same presence as lookup()).
    std::optional<std::string_view> lookup_lower(FieldId field) const;

    // Calls fn(field, value, lower) for every present field (keyword searches).
    template <class Fn>
    bool any_field(Fn&& fn) const {
        for (std::size_t i = 0; i < kFieldCount; ++i)
            if (present_.test(i) && fn(static_cast<FieldId>(i), std::string_view(values_[i]),
                                       std::string_view(lowers_[i])))
                return true;
        return false;
    }

private:
    static std::size_t index(FieldId f) { return static_cast<std::size_t>(f); }

    Category category_;
    FieldMask present_;
    FieldMask wanted_ = FieldMask().set();
    std::array<std::string, kFieldCount> values_;
    std::array<std::string, kFieldCount> lowers_;
};

}  // namespace vigil::behavior::sigma
