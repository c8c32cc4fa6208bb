// A rule ready to evaluate: its searches (OR of AND-groups of field tests)
// and its condition tree, built once at load time.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "behavior_sigma/category.hpp"
#include "behavior_sigma/event.hpp"
#include "behavior_sigma/rule.hpp"
#include "condition.hpp"
#include "field_test.hpp"

namespace vigil::behavior::sigma {

// A search identifier's body: a map is one AND-group; a list of maps is an OR
// of AND-groups; a keyword list is one group holding one keyword test.
struct Search {
    std::vector<std::vector<FieldTest>> alternatives;
    bool eval(const SigmaEvent& event) const;
};

struct CompiledRule {
    std::shared_ptr<const RuleInfo> info;
    std::optional<Category> category;  // nullopt: a log source we do not produce
    std::vector<std::string> search_names;
    std::vector<Search> searches;
    ConditionNode condition;

    // The fields of the event any of its searches reads.
    FieldMask fields() const;

    bool matches(const SigmaEvent& event) const {
        return evaluate(condition, [&](std::uint32_t i) { return searches[i].eval(event); });
    }
};

}  // namespace vigil::behavior::sigma
