// Selections: maps (AND), value lists (OR), lists of maps (OR of ANDs),
// keyword searches, null/empty/numeric values, unknown fields.
#include "sigma_rule_cases.hpp"
#include "sigma_test_util.hpp"

using namespace sigma_test;

TEST_CASE("behavior_sigma_selection: rule cases (sigma_cases/selection.yaml)") { check_rule_cases("selection.yaml"); }

TEST_CASE("behavior_sigma_selection: unknown fields load but never match") {
    Detector d;
    auto err = d.add_rule(rule_yaml("    sel:\n        Image|endswith: '/sh'\n        LogonId: 0\n"
                                    "    filter:\n        IntegrityLevel: High\n"
                                    "    condition: sel or not filter\n"),
                          "test");
    REQUIRE_FALSE(err);
    auto rules = d.rules();
    REQUIRE(rules.size() == 1);
    CHECK(rules[0]->unmapped_fields == std::vector<std::string>{"IntegrityLevel", "LogonId"});
    // `sel` needs LogonId so it never matches; `not filter` is true.
    CHECK(hits(d, process("/bin/sh", "sh")));
}

