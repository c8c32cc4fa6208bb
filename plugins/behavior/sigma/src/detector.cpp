#include "behavior_sigma/detector.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "compiled_rule.hpp"
#include "rule_index.hpp"
#include "rule_compiler.hpp"
#include "rule_error.hpp"

namespace vigil::behavior::sigma {

Detector::Detector() {
    for (auto& b : buckets_) b = std::make_unique<RuleIndex>();
}
Detector::~Detector() = default;
Detector::Detector(Detector&&) noexcept = default;
Detector& Detector::operator=(Detector&&) noexcept = default;

std::optional<std::string> Detector::add_compiled(std::unique_ptr<CompiledRule> rule) {
    for (const auto& r : rules_)
        if (r->info->id == rule->info->id)
            return "duplicate rule id " + rule->info->id + " (already loaded from " + r->info->source + ")";
    if (rule->category) {
        for (auto& b : buckets_)  // a moved-from detector has none
            if (!b) b = std::make_unique<RuleIndex>();
        buckets_[static_cast<std::size_t>(*rule->category)]->add(rule.get());
        ++stats_.per_category[static_cast<std::size_t>(*rule->category)];
        ++stats_.active;
    }
    ++stats_.loaded;
    rules_.push_back(std::move(rule));
    return std::nullopt;
}

std::optional<std::string> Detector::add_rule(std::string_view yaml, std::string_view origin) {
    try {
        return add_compiled(compile_rule(yaml, origin));
    } catch (const RuleError& e) {
        return std::string(e.what());
    } catch (const std::exception& e) {
        // Anything else is a defect of ours, but must not take the host down.
        return std::string("internal error: ") + e.what();
    }
}

void Detector::set_trusted(std::vector<TrustedProgram> programs) {
    for (const auto& p : programs)
        if (p.exe_glob.empty()) throw std::invalid_argument("trusted program with an empty path glob");
    trusted_ = std::move(programs);
}

bool Detector::is_trusted(std::string_view image, std::span<const std::string> ancestors) const {
    if (trusted_.empty()) return false;
    auto matches = [](const std::string& glob, std::string_view path) {
        std::string p(path);
        return !p.empty() && fnmatch(glob.c_str(), p.c_str(), 0) == 0;
    };
    for (const auto& t : trusted_) {
        if (matches(t.exe_glob, image)) return true;
        if (!t.include_descendants) continue;
        for (const auto& a : ancestors)
            if (matches(t.exe_glob, a)) return true;
    }
    return false;
}

std::vector<Match> Detector::match_rules(const SigmaEvent& event) const {
    std::vector<Match> out;
    for (Category bucket : rule_buckets_for(event.category()))
        if (const RuleIndex* index = buckets_[static_cast<std::size_t>(bucket)].get())
            index->for_each_candidate(event, [&](const CompiledRule& r) {
                if (r.matches(event)) out.push_back({r.info});
            });
    return out;
}

bool Detector::trusted_event(const SigmaEvent& event, std::span<const std::string> ancestors) const {
    std::vector<std::string> chain;
    if (auto parent = event.lookup(FieldId::ParentImage)) chain.emplace_back(*parent);
    chain.insert(chain.end(), ancestors.begin(), ancestors.end());
    return is_trusted(event.lookup(FieldId::Image).value_or(""), chain);
}

std::vector<Match> Detector::evaluate(const SigmaEvent& event, std::span<const std::string> ancestors) const {
    auto out = match_rules(event);
    // Trust is checked only on a hit: matches are rare, globbing is not free.
    if (!out.empty() && !trusted_.empty() && trusted_event(event, ancestors)) out.clear();
    return out;
}

std::vector<Match> Detector::evaluate(const SigmaEvent& event, const AncestorsFn& ancestors) const {
    auto out = match_rules(event);
    if (out.empty() || trusted_.empty()) return out;
    bool descendants = std::any_of(trusted_.begin(), trusted_.end(),
                                   [](const TrustedProgram& t) { return t.include_descendants; });
    std::vector<std::string> chain;
    if (descendants && ancestors) chain = ancestors();
    if (trusted_event(event, chain)) out.clear();
    return out;
}

FieldsByCategory Detector::fields_read() const {
    FieldsByCategory by_bucket{}, out{};
    for (const auto& r : rules_)
        if (r->category) by_bucket[static_cast<std::size_t>(*r->category)] |= r->fields();
    for (std::size_t c = 0; c < kCategoryCount; ++c) {
        for (Category bucket : rule_buckets_for(static_cast<Category>(c)))
            out[c] |= by_bucket[static_cast<std::size_t>(bucket)];
        if (!trusted_.empty())
            out[c].set(static_cast<std::size_t>(FieldId::Image)).set(static_cast<std::size_t>(FieldId::ParentImage));
    }
    return out;
}

std::size_t Detector::rule_count() const { return rules_.size(); }

std::vector<std::shared_ptr<const RuleInfo>> Detector::rules() const {
    std::vector<std::shared_ptr<const RuleInfo>> out;
    out.reserve(rules_.size());
    for (const auto& r : rules_) out.push_back(r->info);
    return out;
}

}  // namespace vigil::behavior::sigma
