#include "field_test.hpp"

#include <algorithm>

#include "ascii.hpp"
#include "rule_error.hpp"

namespace vigil::behavior::sigma {

namespace {

std::vector<std::string_view> split_key(std::string_view key) {
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (true) {
        std::size_t bar = key.find('|', start);
        parts.push_back(key.substr(start, bar == std::string_view::npos ? std::string_view::npos : bar - start));
        if (bar == std::string_view::npos) break;
        start = bar + 1;
    }
    return parts;
}

std::string quote(std::string_view s) { return "'" + std::string(s) + "'"; }

// Dash forms `windash` treats as equal: - / – — ―.
constexpr std::string_view kDashClass = "(?:-|/|\xE2\x80\x93|\xE2\x80\x94|\xE2\x80\x95)";

// `windash` compiles the final pattern into an anchored regex in which every
// dash form matches any other.
std::unique_ptr<ValueMatcher> windash_matcher(const Pattern& p, bool cased) {
    const auto& s = p.symbols();
    std::string re = "^";
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == Pattern::kAnyRun) {
            re += ".*";
        } else if (s[i] == Pattern::kAnyChar) {
            re += ".";
        } else if (s[i] == '-' || s[i] == '/') {
            re += kDashClass;
        } else if (s[i] == 0xE2 && i + 2 < s.size() && s[i + 1] == 0x80 && s[i + 2] >= 0x93 && s[i + 2] <= 0x95) {
            re += kDashClass;
            i += 2;
        } else {
            re += regex_quote(std::string(1, static_cast<char>(s[i])));
        }
    }
    re += "$";
    try {
        return std::make_unique<RegexValue>(Regex(re, {.caseless = !cased, .multiline = false, .dotall = true}));
    } catch (const std::invalid_argument& e) {
        throw RuleError(std::string("windash: ") + e.what());  // e.g. a value that is not valid UTF-8
    }
}

// Applies the encoders to a literal value; each may multiply the values.
std::vector<Pattern> encode(const Pattern& value, const std::string& raw, const Modifiers& mods) {
    std::vector<Pattern> current{value};
    for (auto enc : mods.encoders) {
        std::vector<Pattern> next;
        for (const auto& p : current) {
            if (p.has_wildcards())
                throw RuleError("value " + quote(raw) + ": base64/utf16 modifiers need a value without wildcards");
            std::string bytes = p.literal_text();
            switch (enc) {
            case Modifiers::Encoder::Base64: next.push_back(Pattern::literal(base64_encode(bytes))); break;
            case Modifiers::Encoder::Base64Offset:
                for (auto& v : base64_offsets(bytes)) next.push_back(Pattern::literal(v));
                break;
            case Modifiers::Encoder::Utf16Le: next.push_back(Pattern::literal(utf16_encode(bytes, Utf16Form::Le))); break;
            case Modifiers::Encoder::Utf16Be: next.push_back(Pattern::literal(utf16_encode(bytes, Utf16Form::Be))); break;
            case Modifiers::Encoder::Utf16Bom: next.push_back(Pattern::literal(utf16_encode(bytes, Utf16Form::Bom))); break;
            }
        }
        current = std::move(next);
    }
    return current;
}

void apply_position(Pattern& p, bool leading, bool trailing) {
    const auto& s = p.symbols();
    if (leading && (s.empty() || s.front() != Pattern::kAnyRun)) p.prepend_any_run();
    if (trailing && (p.symbols().empty() || p.symbols().back() != Pattern::kAnyRun)) p.append_any_run();
}

void add_value_matchers(const RawValue& v, const Modifiers& mods, bool keyword, std::vector<StringMatcher>& strings,
                        std::vector<std::unique_ptr<ValueMatcher>>& out) {
    const std::string& raw = v.text;
    if (mods.re) {
        try {
            out.push_back(std::make_unique<RegexValue>(
                Regex(raw, {.caseless = mods.re_i, .multiline = mods.re_m, .dotall = mods.re_s})));
        } catch (const std::invalid_argument& e) {
            throw RuleError(e.what());
        }
        return;
    }
    if (mods.cidr) {
        try {
            out.push_back(std::make_unique<CidrValue>(raw));
        } catch (const std::invalid_argument& e) {
            throw RuleError(e.what());
        }
        return;
    }
    if (mods.compare != Modifiers::Compare::None) {
        auto n = parse_number(raw);
        if (!n) throw RuleError("value " + quote(raw) + " is not a number (lt/lte/gt/gte)");
        out.push_back(std::make_unique<NumberCompareValue>(mods.compare, *n));
        return;
    }
    if (mods.fieldref) {
        auto pos = mods.contains     ? FieldRefValue::Position::Contains
                   : mods.startswith ? FieldRefValue::Position::Prefix
                   : mods.endswith   ? FieldRefValue::Position::Suffix
                                     : FieldRefValue::Position::Equal;
        out.push_back(std::make_unique<FieldRefValue>(field_from_name(raw), pos, mods.cased));
        return;
    }
    // Keyword searches look for the value anywhere in a field, like the
    // full-text search backends run for them.
    bool leading = mods.contains || mods.endswith || (keyword && !mods.startswith);
    bool trailing = mods.contains || mods.startswith || (keyword && !mods.endswith);
    for (Pattern& p : encode(Pattern::parse(raw), raw, mods)) {
        apply_position(p, leading, trailing);
        if (mods.windash) out.push_back(windash_matcher(p, mods.cased));
        else strings.emplace_back(p, mods.cased);
    }
}

}  // namespace

FieldTest FieldTest::build(std::string_view key, const std::vector<RawValue>& values, std::set<std::string>& unmapped) {
    auto parts = split_key(key);
    std::string_view field = parts.front();
    std::vector<std::string_view> names(parts.begin() + 1, parts.end());
    Modifiers mods;
    try {
        mods = parse_modifiers(names);
    } catch (const RuleError& e) {
        throw RuleError("field " + quote(key) + ": " + e.what());
    }

    FieldTest t;
    t.all_ = mods.all;
    t.neq_ = mods.neq;
    bool keyword = field.empty();
    if (values.empty()) throw RuleError("field " + quote(key) + " has an empty value list");
    if (keyword && (mods.exists || mods.fieldref || mods.neq))
        throw RuleError("keyword search " + quote(key) + " cannot use exists/fieldref/neq");

    std::optional<FieldId> id;
    if (!keyword) {
        id = field_from_name(field);
        if (!id) unmapped.insert(std::string(field));
        if (mods.fieldref)
            for (const auto& v : values)
                if (!field_from_name(v.text)) unmapped.insert(v.text);
    }

    bool has_null = std::any_of(values.begin(), values.end(), [](const RawValue& v) { return v.is_null; });
    if (has_null && values.size() > 1)
        throw RuleError("field " + quote(key) + ": null cannot be part of a value list (use its own selection)");

    if (mods.exists) {
        if (values.size() != 1 || (values[0].text != "true" && values[0].text != "false"))
            throw RuleError("field " + quote(key) + ": exists needs true or false");
        t.kind_ = id ? Kind::Exists : Kind::Never;
        if (id) t.field_ = *id;
        t.exists_expected_ = values[0].text == "true";
        return t;
    }
    if (has_null) {
        if (keyword) throw RuleError("keyword search cannot be null");
        t.kind_ = id ? Kind::Null : Kind::Never;
        if (id) t.field_ = *id;
        return t;
    }

    // Values are compiled even for unmapped fields so a bad value is reported.
    for (const auto& v : values) {
        try {
            add_value_matchers(v, mods, keyword, t.strings_, t.values_);
        } catch (const RuleError& e) {
            throw RuleError((keyword ? std::string("keyword search: ") : "field " + quote(key) + ": ") + e.what());
        }
    }
    if (keyword) t.kind_ = Kind::Keyword;
    else if (id) t.kind_ = Kind::Values, t.field_ = *id;
    else t.kind_ = Kind::Never;
    return t;
}

std::optional<std::vector<Anchor>> FieldTest::anchors() const {
    if (kind_ != Kind::Values || neq_ || !values_.empty() || strings_.empty()) return std::nullopt;
    std::vector<Anchor> out;
    for (const auto& m : strings_) {
        if (m.cased()) return std::nullopt;
        Anchor::Kind k;
        switch (m.kind()) {
        case StringMatcher::Kind::Exact: k = Anchor::Kind::Exact; break;
        case StringMatcher::Kind::Prefix: k = Anchor::Kind::Prefix; break;
        case StringMatcher::Kind::Suffix: k = Anchor::Kind::Suffix; break;
        default: return std::nullopt;
        }
        out.push_back({field_, k, m.literal()});
        // With `all`, every value must match, so any single one is necessary.
        if (all_) break;
    }
    return out;
}

void FieldTest::add_fields(FieldMask& m) const {
    switch (kind_) {
    case Kind::Never: return;
    case Kind::Keyword: m.set(); return;
    case Kind::Values:
    case Kind::Null:
    case Kind::Exists: m.set(static_cast<std::size_t>(field_)); break;
    }
    for (const auto& v : values_) v->add_fields(m);
}

bool FieldTest::match_values(const SigmaEvent& event, std::string_view value, std::string_view lower) const {
    // Plain string patterns first: contiguous, no virtual call.
    auto str = [&](const StringMatcher& m) { return m.match(m.cased() ? value : lower); };
    auto other = [&](const std::unique_ptr<ValueMatcher>& m) { return m->match(event, value, lower); };
    if (all_)
        return std::all_of(strings_.begin(), strings_.end(), str) && std::all_of(values_.begin(), values_.end(), other);
    return std::any_of(strings_.begin(), strings_.end(), str) || std::any_of(values_.begin(), values_.end(), other);
}

bool FieldTest::eval(const SigmaEvent& event) const {
    switch (kind_) {
    case Kind::Never: return false;
    case Kind::Null: {
        auto v = event.lookup(field_);
        return !v || v->empty();
    }
    case Kind::Exists: return event.has(field_) == exists_expected_;
    case Kind::Values: {
        auto v = event.lookup(field_);
        if (!v) return false;
        bool hit = match_values(event, *v, *event.lookup_lower(field_));
        return neq_ ? !hit : hit;
    }
    case Kind::Keyword: {
        // Each value must be found in some field (all) or one value in any field.
        auto in_any_field = [&](auto&& match_one) {
            return event.any_field([&](FieldId, std::string_view v, std::string_view l) { return match_one(v, l); });
        };
        auto str = [&](const StringMatcher& m) {
            return in_any_field([&](std::string_view v, std::string_view l) { return m.match(m.cased() ? v : l); });
        };
        auto other = [&](const std::unique_ptr<ValueMatcher>& m) {
            return in_any_field([&](std::string_view v, std::string_view l) { return m->match(event, v, l); });
        };
        if (all_)
            return std::all_of(strings_.begin(), strings_.end(), str) &&
                   std::all_of(values_.begin(), values_.end(), other);
        return std::any_of(strings_.begin(), strings_.end(), str) || std::any_of(values_.begin(), values_.end(), other);
    }
    }
    return false;
}

}  // namespace vigil::behavior::sigma
