#include "condition.hpp"

#include <cctype>

#include "ascii.hpp"
#include "rule_error.hpp"

namespace vigil::behavior::sigma {

namespace {

struct Token {
    enum class Kind { Word, LParen, RParen, End };
    Kind kind;
    std::string_view text;
    std::size_t pos;
};

std::vector<Token> tokenize(std::string_view s) {
    std::vector<Token> out;
    std::size_t i = 0;
    while (i < s.size()) {
        char c = s[i];
        if (std::isspace(static_cast<unsigned char>(c))) {
            ++i;
        } else if (c == '(') {
            out.push_back({Token::Kind::LParen, s.substr(i, 1), i});
            ++i;
        } else if (c == ')') {
            out.push_back({Token::Kind::RParen, s.substr(i, 1), i});
            ++i;
        } else if (c == '|') {
            throw RuleError("condition uses an aggregation ('|' at offset " + std::to_string(i) +
                            "), which is not supported");
        } else {
            std::size_t start = i;
            while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i])) && s[i] != '(' && s[i] != ')' &&
                   s[i] != '|')
                ++i;
            out.push_back({Token::Kind::Word, s.substr(start, i - start), start});
        }
    }
    out.push_back({Token::Kind::End, {}, s.size()});
    return out;
}

// Identifier patterns in `1 of x*` use `*` for any run of characters.
bool name_matches(std::string_view pattern, std::string_view name) {
    std::size_t p = 0, n = 0, star = std::string_view::npos, mark = 0;
    while (n < name.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = n;
        } else if (p < pattern.size() && pattern[p] == name[n]) {
            ++p;
            ++n;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            n = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

class Parser {
public:
    Parser(std::string_view text, const std::vector<std::string>& names)
        : text_(text), names_(names), tokens_(tokenize(text)) {}

    ConditionNode parse() {
        if (peek().kind == Token::Kind::End) throw RuleError("condition is empty");
        ConditionNode n = expr();
        if (peek().kind != Token::Kind::End) fail("unexpected '" + std::string(peek().text) + "'");
        return n;
    }

private:
    static constexpr int kMaxDepth = 100;

    const Token& peek() const { return tokens_[pos_]; }
    const Token& next() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }
    bool is_word(std::string_view w) const {
        return peek().kind == Token::Kind::Word && iequals(peek().text, w);
    }
    [[noreturn]] void fail(const std::string& what) const {
        throw RuleError("condition '" + std::string(text_) + "': " + what + " at offset " +
                        std::to_string(peek().pos));
    }

    static ConditionNode combine(ConditionNode::Op op, std::vector<ConditionNode> parts) {
        if (parts.size() == 1) return std::move(parts.front());
        ConditionNode n;
        n.op = op;
        // Flatten nested nodes of the same operator: a and b and c.
        for (auto& p : parts) {
            if (p.op == op) {
                for (auto& c : p.children) n.children.push_back(std::move(c));
            } else {
                n.children.push_back(std::move(p));
            }
        }
        return n;
    }

    ConditionNode expr() {
        if (++depth_ > kMaxDepth) fail("nesting too deep");
        std::vector<ConditionNode> parts{and_expr()};
        while (is_word("or")) {
            next();
            parts.push_back(and_expr());
        }
        --depth_;
        return combine(ConditionNode::Op::Or, std::move(parts));
    }

    ConditionNode and_expr() {
        std::vector<ConditionNode> parts{unary()};
        while (is_word("and")) {
            next();
            parts.push_back(unary());
        }
        return combine(ConditionNode::Op::And, std::move(parts));
    }

    ConditionNode unary() {
        if (is_word("not")) {
            next();
            if (++depth_ > kMaxDepth) fail("nesting too deep");
            ConditionNode n;
            n.op = ConditionNode::Op::Not;
            n.children.push_back(unary());
            --depth_;
            return n;
        }
        return primary();
    }

    ConditionNode primary() {
        const Token& t = peek();
        if (t.kind == Token::Kind::LParen) {
            next();
            ConditionNode n = expr();
            if (peek().kind != Token::Kind::RParen) fail("missing ')'");
            next();
            return n;
        }
        if (t.kind == Token::Kind::RParen) fail("unexpected ')'");
        if (t.kind == Token::Kind::End) fail("expression expected");
        if (iequals(t.text, "and") || iequals(t.text, "or") || iequals(t.text, "of") || iequals(t.text, "them"))
            fail("unexpected '" + std::string(t.text) + "'");

        // Quantified selections: `1 of x*`, `all of them`.
        bool quantifier = t.text == "1" || iequals(t.text, "all") || iequals(t.text, "any");
        bool followed_by_of = tokens_[pos_ + 1].kind == Token::Kind::Word && iequals(tokens_[pos_ + 1].text, "of");
        if (followed_by_of) {
            if (!quantifier) fail("only '1 of' and 'all of' are supported, not '" + std::string(t.text) + " of'");
            bool all = iequals(t.text, "all");
            next();
            next();
            if (peek().kind != Token::Kind::Word) fail("search identifier pattern or 'them' expected after 'of'");
            std::string_view target = next().text;
            return quantified(all, target);
        }
        next();
        for (std::uint32_t i = 0; i < names_.size(); ++i)
            if (names_[i] == t.text) return leaf(i);
        throw RuleError("condition references unknown search identifier '" + std::string(t.text) + "'");
    }

    ConditionNode quantified(bool all, std::string_view target) {
        std::vector<ConditionNode> parts;
        bool them = iequals(target, "them");
        for (std::uint32_t i = 0; i < names_.size(); ++i) {
            // `them` skips identifiers starting with '_' by convention.
            bool selected = them ? !names_[i].starts_with('_') : name_matches(target, names_[i]);
            if (selected) parts.push_back(leaf(i));
        }
        if (parts.empty())
            throw RuleError("condition: '" + std::string(all ? "all" : "1") + " of " + std::string(target) +
                            "' matches no search identifier");
        return combine(all ? ConditionNode::Op::And : ConditionNode::Op::Or, std::move(parts));
    }

    static ConditionNode leaf(std::uint32_t i) {
        ConditionNode n;
        n.op = ConditionNode::Op::Search;
        n.search = i;
        return n;
    }

    std::string_view text_;
    const std::vector<std::string>& names_;
    std::vector<Token> tokens_;
    std::size_t pos_ = 0;
    int depth_ = 0;
};

}  // namespace

ConditionNode parse_condition(std::string_view text, const std::vector<std::string>& names) {
    return Parser(text, names).parse();
}

bool evaluate_condition(const ConditionNode& node, const std::function<bool(std::uint32_t)>& search) {
    return evaluate(node, search);
}

std::string to_string(const ConditionNode& node, const std::vector<std::string>& names) {
    switch (node.op) {
    case ConditionNode::Op::Search: return names.at(node.search);
    case ConditionNode::Op::Not: return "(not " + to_string(node.children.front(), names) + ")";
    case ConditionNode::Op::And:
    case ConditionNode::Op::Or: {
        std::string out = "(";
        for (std::size_t i = 0; i < node.children.size(); ++i) {
            if (i) out += node.op == ConditionNode::Op::And ? " and " : " or ";
            out += to_string(node.children[i], names);
        }
        return out + ")";
    }
    }
    return {};
}

}  // namespace vigil::behavior::sigma
