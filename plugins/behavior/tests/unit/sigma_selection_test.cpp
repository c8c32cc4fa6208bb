// Selections: maps (AND), value lists (OR), lists of maps (OR of ANDs),
// keyword searches, null/empty/numeric values, unknown fields.
#include "sigma_rule_cases.hpp"
#include "sigma_test_util.hpp"

using namespace sigma_test;

TEST_CASE("behavior_sigma_selection: rule cases (sigma_cases/selection.yaml)") { check_rule_cases("selection.yaml"); }

TEST_CASE("behavior_sigma_selection: numbers, booleans and empty strings compare as text") {
    auto d = detector_for("    sel:\n        ProcessId: 4242\n        Initiated: true\n    condition: sel\n");
    auto e = process("/bin/x", "x");
    e.set(FieldId::Initiated, "true");
    CHECK(hits(d, e));
    e.set(FieldId::ProcessId, "42");
    CHECK_FALSE(hits(d, e));

    auto empty = detector_for("    sel:\n        CurrentDirectory: ''\n    condition: sel\n");
    auto with_empty = process("/bin/x", "x");
    with_empty.set(FieldId::CurrentDirectory, "");
    CHECK(hits(empty, with_empty));
    CHECK_FALSE(hits(empty, process("/bin/x", "x")));  // absent is not empty
}

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

TEST_CASE("behavior_sigma_selection: malformed selections are reported") {
    CHECK(load_error("    sel:\n        Image:\n            nested: map\n    condition: sel\n").find("field 'Image'") !=
          std::string::npos);
    CHECK(load_error("    sel: {}\n    condition: sel\n").find("empty map") != std::string::npos);
    CHECK(load_error("    sel: []\n    condition: sel\n").find("empty list") != std::string::npos);
    CHECK(load_error("    sel:\n    condition: sel\n").find("'sel' is null") != std::string::npos);
    CHECK(load_error("    sel:\n        Image:\n            - a\n            - null\n    condition: sel\n")
              .find("null cannot be part of a value list") != std::string::npos);
    CHECK(load_error("    sel:\n        Image: []\n    condition: sel\n").find("empty value list") != std::string::npos);
    CHECK(load_error("    sel:\n        - [a, b]\n    condition: sel\n").find("a list in its list") != std::string::npos);
}
