// Conditions: and/or/not precedence, parentheses, `1 of` / `all of` forms,
// and the errors a bad condition produces.
#include "condition.hpp"
#include "rule_error.hpp"
#include "sigma_rule_cases.hpp"
#include "sigma_test_util.hpp"

using namespace sigma_test;
using vigil::behavior::sigma::ConditionNode;
using vigil::behavior::sigma::parse_condition;
using vigil::behavior::sigma::RuleError;

namespace {
const std::vector<std::string> kNames = {"a", "b", "c", "sel_x", "sel_y", "filter_1", "_helper"};

std::string tree(std::string_view cond) { return to_string(parse_condition(cond, kNames), kNames); }

// Evaluates `cond` where the named identifiers are true.
bool truth(std::string_view cond, std::initializer_list<std::string_view> true_names) {
    auto n = parse_condition(cond, kNames);
    return vigil::behavior::sigma::evaluate_condition(n, [&](std::uint32_t i) {
        for (auto t : true_names)
            if (kNames[i] == t) return true;
        return false;
    });
}

std::string error_of(std::string_view cond) {
    try {
        parse_condition(cond, kNames);
    } catch (const RuleError& e) {
        return e.what();
    }
    return "";
}
}  // namespace

TEST_CASE("behavior_sigma_condition: rule cases (sigma_cases/condition.yaml)") { check_rule_cases("condition.yaml"); }

TEST_CASE("behavior_sigma_condition: precedence is not > and > or") {
    CHECK(tree("a or b and c") == "(a or (b and c))");
    CHECK(tree("a and b or c") == "((a and b) or c)");
    CHECK(tree("not a and b") == "((not a) and b)");
    CHECK(tree("not a or not b and c") == "((not a) or ((not b) and c))");
    CHECK(tree("a and b and c") == "(a and b and c)");  // flattened
    CHECK(tree("not not a") == "(not (not a))");
    // Operators are case-insensitive.
    CHECK(tree("a AND NOT b") == "(a and (not b))");
}

TEST_CASE("behavior_sigma_condition: parentheses override precedence") {
    CHECK(tree("(a or b) and c") == "((a or b) and c)");
    CHECK(tree("not (a or b)") == "(not (a or b))");
    CHECK(tree("a and (b or (c and not sel_x))") == "(a and (b or (c and (not sel_x))))");
    CHECK(tree("((a))") == "a");

    CHECK(truth("a or b and c", {"a"}));
    CHECK_FALSE(truth("(a or b) and c", {"a"}));
    CHECK(truth("(a or b) and c", {"b", "c"}));
    CHECK(truth("not (a or b)", {}));
    CHECK_FALSE(truth("not (a or b)", {"b"}));
    CHECK(truth("not a and b", {"b"}));
    CHECK_FALSE(truth("not a and b", {"a", "b"}));
}

TEST_CASE("behavior_sigma_condition: 1 of / all of patterns and them") {
    CHECK(tree("1 of sel_*") == "(sel_x or sel_y)");
    CHECK(tree("all of sel_*") == "(sel_x and sel_y)");
    CHECK(tree("1 of *_1") == "filter_1");
    // `them` covers every identifier except those starting with '_'.
    CHECK(tree("1 of them") == "(a or b or c or sel_x or sel_y or filter_1)");
    CHECK(tree("all of them") == "(a and b and c and sel_x and sel_y and filter_1)");
    CHECK(tree("a and not 1 of filter*") == "(a and (not filter_1))");

    CHECK(truth("1 of sel_*", {"sel_y"}));
    CHECK_FALSE(truth("all of sel_*", {"sel_y"}));
    CHECK(truth("all of sel_*", {"sel_x", "sel_y"}));
    CHECK(truth("all of them", {"a", "b", "c", "sel_x", "sel_y", "filter_1"}));
    CHECK_FALSE(truth("all of them", {"a", "b", "c", "sel_x", "sel_y"}));
    CHECK(truth("1 of them", {"c"}));
    CHECK_FALSE(truth("1 of them", {"_helper"}));
    CHECK(truth("_helper", {"_helper"}));  // still usable by name
}

TEST_CASE("behavior_sigma_condition: errors name the problem") {
    CHECK(error_of("a and nosuch").find("unknown search identifier 'nosuch'") != std::string::npos);
    CHECK(error_of("(a or b").find("missing ')'") != std::string::npos);
    CHECK(error_of("a or b)").find("unexpected ')'") != std::string::npos);
    CHECK(error_of("a and").find("expression expected") != std::string::npos);
    CHECK(error_of("1 of zzz*").find("matches no search identifier") != std::string::npos);
    CHECK(error_of("2 of sel_*").find("only '1 of' and 'all of'") != std::string::npos);
    CHECK(error_of("a | count() > 5").find("aggregation") != std::string::npos);
    CHECK(error_of("").find("empty") != std::string::npos);
    CHECK(error_of("a b").find("unexpected 'b'") != std::string::npos);
    CHECK(error_of("1 of").find("after 'of'") != std::string::npos);
    // Deep nesting is refused, not a stack overflow.
    std::string deep(5000, '(');
    CHECK(error_of(deep + "a" + std::string(5000, ')')).find("too deep") != std::string::npos);
    std::string nots;
    for (int i = 0; i < 5000; ++i) nots += "not ";
    CHECK(error_of(nots + "a").find("too deep") != std::string::npos);
}

