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
bool truth(std::string_view cond, const std::vector<std::string_view>& true_names) {
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

namespace {

// Conditions and the tree they parse to.
struct TreeCase {
    std::string_view condition, tree;
};
const TreeCase kTrees[] = {
    // precedence is not > and > or
    {"a or b and c", "(a or (b and c))"},
    {"a and b or c", "((a and b) or c)"},
    {"not a and b", "((not a) and b)"},
    {"not a or not b and c", "((not a) or ((not b) and c))"},
    {"a and b and c", "(a and b and c)"},  // flattened
    {"not not a", "(not (not a))"},
    // Operators are case-insensitive.
    {"a AND NOT b", "(a and (not b))"},
    // parentheses override precedence
    {"(a or b) and c", "((a or b) and c)"},
    {"not (a or b)", "(not (a or b))"},
    {"a and (b or (c and not sel_x))", "(a and (b or (c and (not sel_x))))"},
    {"((a))", "a"},
    // 1 of / all of patterns and them
    {"1 of sel_*", "(sel_x or sel_y)"},
    {"all of sel_*", "(sel_x and sel_y)"},
    {"1 of *_1", "filter_1"},
    // `them` covers every identifier except those starting with '_'.
    {"1 of them", "(a or b or c or sel_x or sel_y or filter_1)"},
    {"all of them", "(a and b and c and sel_x and sel_y and filter_1)"},
    {"a and not 1 of filter*", "(a and (not filter_1))"},
};

// Conditions, the identifiers that are true, and the result.
struct TruthCase {
    std::string_view condition;
    std::vector<std::string_view> true_names;
    bool result;
};
const TruthCase kTruths[] = {
    // parentheses override precedence
    {"a or b and c", {"a"}, true},
    {"(a or b) and c", {"a"}, false},
    {"(a or b) and c", {"b", "c"}, true},
    {"not (a or b)", {}, true},
    {"not (a or b)", {"b"}, false},
    {"not a and b", {"b"}, true},
    {"not a and b", {"a", "b"}, false},
    // 1 of / all of patterns and them
    {"1 of sel_*", {"sel_y"}, true},
    {"all of sel_*", {"sel_y"}, false},
    {"all of sel_*", {"sel_x", "sel_y"}, true},
    {"all of them", {"a", "b", "c", "sel_x", "sel_y", "filter_1"}, true},
    {"all of them", {"a", "b", "c", "sel_x", "sel_y"}, false},
    {"1 of them", {"c"}, true},
    {"1 of them", {"_helper"}, false},
    {"_helper", {"_helper"}, true},  // still usable by name
};

}  // namespace

TEST_CASE("behavior_sigma_condition: precedence (not > and > or), parentheses, 1 of / all of and them") {
    for (const TreeCase& c : kTrees) {
        CAPTURE(c.condition);
        CHECK(tree(c.condition) == c.tree);
    }
    for (const TruthCase& c : kTruths) {
        CAPTURE(c.condition);
        CHECK(truth(c.condition, c.true_names) == c.result);
    }
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

