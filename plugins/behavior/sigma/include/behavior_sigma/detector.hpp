// The Sigma detection engine: loads rules, evaluates events, and answers with
// the rules that matched. Build a Detector, load() it, then call evaluate()
// from any number of threads (evaluate is const and thread-safe). To reload,
// build a new Detector and swap it in (e.g. a std::shared_ptr<const Detector>).
#pragma once

#include <array>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "behavior_sigma/category.hpp"
#include "behavior_sigma/event.hpp"
#include "behavior_sigma/rule.hpp"

namespace vigil::behavior::sigma {

struct CompiledRule;
class RuleIndex;

struct LoadOptions {
    // Directories searched recursively for *.yml / *.yaml (a file path is
    // loaded as is).
    std::vector<std::filesystem::path> rule_dirs;
    // The project's default rule set (plugins/behavior/rules), compiled in.
    bool builtin_rules = true;
};

// A rule file that could not be used (or a rule directory that could not be read).
struct LoadIssue {
    std::string file;
    std::string reason;
};

struct LoadStats {
    std::size_t files = 0;    // rule files read (built-in ones included)
    std::size_t loaded = 0;   // rules compiled and kept
    std::size_t skipped = 0;  // rule files that could not be loaded
    std::size_t builtin = 0;  // of `loaded`: from the built-in set
    std::size_t active = 0;   // of `loaded`: for a category our events have
    std::array<std::size_t, kCategoryCount> per_category{};
    std::vector<LoadIssue> issues;  // every skipped file and unreadable directory, with the reason

    // {"loaded":N,"skipped":N,"active":N,"builtin":N,"files":N,
    //  "per_category":{"process_creation":N,...},"issues":[{"file":..,"reason":..}]}
    std::string to_json() const;
};

// A program whose activity is never alerted on: its executable path matches
// `exe_glob` (fnmatch(3) syntax, `*` also crosses '/'), or, with
// include_descendants, one of its ancestors' does.
struct TrustedProgram {
    std::string exe_glob;
    bool include_descendants = false;
};

struct Match {
    std::shared_ptr<const RuleInfo> rule;
};

class Detector {
public:
    Detector();
    ~Detector();
    Detector(Detector&&) noexcept;
    Detector& operator=(Detector&&) noexcept;

    // Replaces the rule set with the rules found per `options`. Each skipped
    // file is reported to `warn` (if given) and listed in the stats.
    LoadStats load(const LoadOptions& options, const std::function<void(const LoadIssue&)>& warn = {});

    // Adds one rule from YAML text; returns the reason when it cannot be
    // loaded. `origin` names it in RuleInfo::source and messages.
    std::optional<std::string> add_rule(std::string_view yaml, std::string_view origin);

    // Throws std::invalid_argument for an empty glob.
    void set_trusted(std::vector<TrustedProgram> programs);
    // `image` is the acting executable; `ancestors` the parent executable
    // chain, nearest first (the event's ParentImage need not be repeated).
    bool is_trusted(std::string_view image, std::span<const std::string> ancestors) const;

    // The rules that match `event`, in load order; empty when the acting
    // program (or, for descendant trust, an ancestor) is trusted.
    std::vector<Match> evaluate(const SigmaEvent& event, std::span<const std::string> ancestors = {}) const;
    // Same, but the ancestor chain is asked for only when a rule matched and
    // some trusted program covers descendants, so the caller need not walk
    // its process table for every event.
    using AncestorsFn = std::function<std::vector<std::string>()>;
    std::vector<Match> evaluate(const SigmaEvent& event, const AncestorsFn& ancestors) const;

    // Per event category, the fields some rule evaluated for it reads, and those trust
    // checks read (Image, ParentImage) when programs are trusted: an event limited to
    // these (SigmaEvent::limit_to) gets the same answer from evaluate() as a full one.
    // Call after load() and set_trusted().
    FieldsByCategory fields_read() const;

    const LoadStats& stats() const { return stats_; }
    std::size_t rule_count() const;
    std::vector<std::shared_ptr<const RuleInfo>> rules() const;

private:
    std::vector<Match> match_rules(const SigmaEvent& event) const;
    bool trusted_event(const SigmaEvent& event, std::span<const std::string> ancestors) const;
    std::optional<std::string> add_compiled(std::unique_ptr<CompiledRule> rule);

    std::vector<std::unique_ptr<CompiledRule>> rules_;
    std::array<std::unique_ptr<RuleIndex>, kCategoryCount> buckets_;  // rules per category, prefiltered
    std::vector<TrustedProgram> trusted_;
    LoadStats stats_;
};

// The compiled-in default rules: {file name, YAML text}.
struct BuiltinRule {
    std::string_view name;
    std::string_view yaml;
};
std::span<const BuiltinRule> builtin_rules();

}  // namespace vigil::behavior::sigma
