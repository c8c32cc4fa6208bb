// One `field|modifiers: values` item of a selection, or a keyword (field-less)
// search, compiled into matchers.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "behavior_sigma/event.hpp"
#include "value_matcher.hpp"

namespace vigil::behavior::sigma {

// "field must equal / start with / end with this lower-case literal".
struct Anchor {
    enum class Kind { Exact, Prefix, Suffix };
    FieldId field;
    Kind kind;
    std::string literal;
};

// A value as written in the rule: a string (numbers and booleans arrive as
// their text) or YAML null.
struct RawValue {
    bool is_null = false;
    std::string text;
};

class FieldTest {
public:
    // `key` is the selection key: "Field|mod|mod", or "" / "|mod" for a keyword
    // search. Fields our events never carry are added to `unmapped`; such a
    // test never matches. Throws RuleError.
    static FieldTest build(std::string_view key, const std::vector<RawValue>& values,
                           std::set<std::string>& unmapped);

    bool eval(const SigmaEvent& event) const;

    // Literal tests of which at least one must hold for this test to match,
    // when the test is a positive, case-insensitive equals/startswith/endswith
    // on a field; nullopt otherwise. Feeds the rule prefilter.
    std::optional<std::vector<Anchor>> anchors() const;

    // Adds the fields of the event this test reads (a keyword search reads every one).
    void add_fields(FieldMask& m) const;

private:
    enum class Kind { Values, Keyword, Null, Exists, Never };

    bool match_values(const SigmaEvent& event, std::string_view value, std::string_view lower) const;

    Kind kind_ = Kind::Never;
    FieldId field_{};
    bool all_ = false;
    bool neq_ = false;
    bool exists_expected_ = true;
    std::vector<StringMatcher> strings_;               // plain and wildcard string values
    std::vector<std::unique_ptr<ValueMatcher>> values_; // regex, cidr, numeric, fieldref, windash
};

}  // namespace vigil::behavior::sigma
