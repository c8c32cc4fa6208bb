// One compiled rule value that is not a plain string pattern (those are
// StringMatchers held inline by FieldTest, the hot path): decides whether a
// field value matches it.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "behavior_sigma/event.hpp"
#include "cidr.hpp"
#include "modifiers.hpp"
#include "regex.hpp"
#include "string_matcher.hpp"

namespace vigil::behavior::sigma {

class ValueMatcher {
public:
    virtual ~ValueMatcher() = default;
    // `value` as the event has it and `lower` its lower-cased form.
    virtual bool match(const SigmaEvent& event, std::string_view value, std::string_view lower) const = 0;
    // Adds the other fields of the event this value reads (fieldref's).
    virtual void add_fields(FieldMask&) const {}
};

class RegexValue final : public ValueMatcher {
public:
    explicit RegexValue(Regex re) : re_(std::move(re)) {}
    bool match(const SigmaEvent&, std::string_view value, std::string_view) const override {
        return re_.search(value);
    }

private:
    Regex re_;
};

class CidrValue final : public ValueMatcher {
public:
    explicit CidrValue(std::string_view network) : cidr_(network) {}
    bool match(const SigmaEvent&, std::string_view value, std::string_view) const override {
        return cidr_.contains(value);
    }

private:
    CidrMatcher cidr_;
};

class NumberCompareValue final : public ValueMatcher {
public:
    NumberCompareValue(Modifiers::Compare op, double bound) : op_(op), bound_(bound) {}
    bool match(const SigmaEvent&, std::string_view value, std::string_view) const override;

private:
    Modifiers::Compare op_;
    double bound_;
};

// `fieldref`: the value names another field whose content must match.
class FieldRefValue final : public ValueMatcher {
public:
    enum class Position { Equal, Prefix, Suffix, Contains };
    FieldRefValue(std::optional<FieldId> other, Position pos, bool cased) : other_(other), pos_(pos), cased_(cased) {}
    bool match(const SigmaEvent& event, std::string_view value, std::string_view lower) const override;
    void add_fields(FieldMask& m) const override {
        if (other_) m.set(static_cast<std::size_t>(*other_));
    }

private:
    std::optional<FieldId> other_;  // nullopt: a field our events lack, never matches
    Position pos_;
    bool cased_;
};

std::optional<double> parse_number(std::string_view text);

}  // namespace vigil::behavior::sigma
