// The rules of one category, with a prefilter that skips rules which cannot
// match an event.
//
// Most rules need some field to equal, start with or end with one of a few
// literals (`Image|endswith: ['/nc', '/ncat']` AND ...). Such literals are a
// rule's *anchors*: it can only match when one of them holds. Anchors go into
// hash tables keyed by field and literal; an event looks its field values up
// (each distinct prefix/suffix length once) and only the rules found, plus
// the rules without anchors, are evaluated. Results equal evaluating every
// rule, in load order.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "compiled_rule.hpp"

namespace vigil::behavior::sigma {

// The anchors of a whole rule, from its condition tree; nullopt when some
// path to a match needs no indexable literal.
std::optional<std::vector<Anchor>> rule_anchors(const CompiledRule& rule);

class RuleIndex {
public:
    void add(const CompiledRule* rule);
    void clear();
    std::size_t size() const { return rules_.size(); }
    std::size_t anchored() const { return anchored_; }

    // Calls fn(rule) for every rule that may match `event`, in load order.
    template <class Fn>
    void for_each_candidate(const SigmaEvent& event, Fn&& fn) const {
        std::vector<std::uint8_t>& mark = scratch();
        mark.assign(rules_.size(), 0);
        for (auto i : unanchored_) mark[i] = 1;
        mark_anchored(event, mark);
        for (std::size_t i = 0; i < rules_.size(); ++i)
            if (mark[i]) fn(*rules_[i]);
    }

private:
    struct SvHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    using LiteralMap = std::unordered_map<std::string, std::vector<std::uint32_t>, SvHash, std::equal_to<>>;
    struct ByLength {
        std::size_t length;
        LiteralMap rules;
    };
    struct FieldIndex {
        LiteralMap exact;
        std::vector<ByLength> prefix, suffix;
        bool empty() const { return exact.empty() && prefix.empty() && suffix.empty(); }
    };

    static std::vector<std::uint8_t>& scratch();
    static void insert(std::vector<ByLength>& by_len, const std::string& literal, std::uint32_t rule);
    void mark_anchored(const SigmaEvent& event, std::vector<std::uint8_t>& mark) const;

    std::vector<const CompiledRule*> rules_;
    std::vector<std::uint32_t> unanchored_;
    std::size_t anchored_ = 0;
    std::array<FieldIndex, kFieldCount> fields_;
};

}  // namespace vigil::behavior::sigma
