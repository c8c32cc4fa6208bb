#include "rule_index.hpp"

namespace vigil::behavior::sigma {

namespace {

using Anchors = std::optional<std::vector<Anchor>>;

void append(std::vector<Anchor>& to, std::vector<Anchor>&& from) {
    for (auto& a : from) to.push_back(std::move(a));
}

Anchors search_anchors(const Search& s) {
    std::vector<Anchor> out;
    for (const auto& group : s.alternatives) {
        // Every test of an AND-group is necessary; the one with the fewest
        // literals is the cheapest necessary condition.
        Anchors best;
        for (const auto& t : group) {
            auto a = t.anchors();
            if (a && (!best || a->size() < best->size())) best = std::move(a);
        }
        if (!best) return std::nullopt;
        append(out, std::move(*best));
    }
    if (out.empty()) return std::nullopt;
    return out;
}

Anchors node_anchors(const ConditionNode& n, const CompiledRule& rule) {
    switch (n.op) {
    case ConditionNode::Op::Search: return search_anchors(rule.searches[n.search]);
    case ConditionNode::Op::Not: return std::nullopt;
    case ConditionNode::Op::And: {
        Anchors best;
        for (const auto& c : n.children) {
            auto a = node_anchors(c, rule);
            if (a && (!best || a->size() < best->size())) best = std::move(a);
        }
        return best;
    }
    case ConditionNode::Op::Or: {
        std::vector<Anchor> out;
        for (const auto& c : n.children) {
            auto a = node_anchors(c, rule);
            if (!a) return std::nullopt;
            append(out, std::move(*a));
        }
        return out;
    }
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::vector<Anchor>> rule_anchors(const CompiledRule& rule) { return node_anchors(rule.condition, rule); }

std::vector<std::uint8_t>& RuleIndex::scratch() {
    thread_local std::vector<std::uint8_t> mark;
    return mark;
}

void RuleIndex::insert(std::vector<ByLength>& by_len, const std::string& literal, std::uint32_t rule) {
    for (auto& b : by_len)
        if (b.length == literal.size()) {
            b.rules[literal].push_back(rule);
            return;
        }
    by_len.push_back({literal.size(), {}});
    by_len.back().rules[literal].push_back(rule);
}

void RuleIndex::add(const CompiledRule* rule) {
    auto index = static_cast<std::uint32_t>(rules_.size());
    rules_.push_back(rule);
    auto anchors = rule_anchors(*rule);
    if (!anchors) {
        unanchored_.push_back(index);
        return;
    }
    ++anchored_;
    for (const auto& a : *anchors) {
        FieldIndex& f = fields_[static_cast<std::size_t>(a.field)];
        switch (a.kind) {
        case Anchor::Kind::Exact: f.exact[a.literal].push_back(index); break;
        case Anchor::Kind::Prefix: insert(f.prefix, a.literal, index); break;
        case Anchor::Kind::Suffix: insert(f.suffix, a.literal, index); break;
        }
    }
}

void RuleIndex::clear() {
    rules_.clear();
    unanchored_.clear();
    anchored_ = 0;
    fields_ = {};
}

void RuleIndex::mark_anchored(const SigmaEvent& event, std::vector<std::uint8_t>& mark) const {
    auto hit = [&](const LiteralMap& m, std::string_view key) {
        if (auto it = m.find(key); it != m.end())
            for (auto i : it->second) mark[i] = 1;
    };
    for (std::size_t f = 0; f < kFieldCount; ++f) {
        const FieldIndex& fi = fields_[f];
        if (fi.empty()) continue;
        auto value = event.lookup_lower(static_cast<FieldId>(f));
        if (!value) continue;
        std::string_view v = *value;
        hit(fi.exact, v);
        for (const auto& b : fi.prefix)
            if (b.length <= v.size()) hit(b.rules, v.substr(0, b.length));
        for (const auto& b : fi.suffix)
            if (b.length <= v.size()) hit(b.rules, v.substr(v.size() - b.length));
    }
}

}  // namespace vigil::behavior::sigma
