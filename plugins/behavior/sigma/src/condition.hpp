// Sigma detection conditions: a tokenizer and recursive-descent parser that
// turn `selection and not 1 of filter_*` into an evaluation tree over the
// rule's search identifiers, built once when the rule loads.
//
// Grammar (least to most binding: or, and, not):
//   expr    := and_expr ('or' and_expr)*
//   and_expr:= unary ('and' unary)*
//   unary   := 'not' unary | primary
//   primary := '(' expr ')' | ('1' | 'all') 'of' (pattern | 'them') | identifier
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::behavior::sigma {

struct ConditionNode {
    enum class Op : std::uint8_t { And, Or, Not, Search };
    Op op = Op::Search;
    std::uint32_t search = 0;  // Op::Search: index into the rule's search list
    std::vector<ConditionNode> children;
};

// Parses `text`; `names` are the rule's search identifiers in order. Throws
// RuleError naming the problem (unknown identifier, pattern matching nothing,
// unbalanced parenthesis, unsupported aggregation, ...).
ConditionNode parse_condition(std::string_view text, const std::vector<std::string>& names);

// Evaluates the tree; `search(i)` evaluates search identifier i. Short-circuits.
bool evaluate_condition(const ConditionNode& node, const std::function<bool(std::uint32_t)>& search);

template <class SearchFn>
bool evaluate(const ConditionNode& node, const SearchFn& search) {
    switch (node.op) {
    case ConditionNode::Op::Search: return search(node.search);
    case ConditionNode::Op::Not: return !evaluate(node.children.front(), search);
    case ConditionNode::Op::And:
        for (const auto& c : node.children)
            if (!evaluate(c, search)) return false;
        return true;
    case ConditionNode::Op::Or:
        for (const auto& c : node.children)
            if (evaluate(c, search)) return true;
        return false;
    }
    return false;
}

// Renders the tree (for tests and debugging), e.g. "(a and (not b))".
std::string to_string(const ConditionNode& node, const std::vector<std::string>& names);

}  // namespace vigil::behavior::sigma
