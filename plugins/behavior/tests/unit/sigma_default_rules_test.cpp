// The project's default rule set (plugins/behavior/rules): every rule matches
// a realistic event and misses a near-miss, and every rule has such a case
// (the cases: sigma_cases/default_rules.yaml).
#include <yaml-cpp/yaml.h>

#include <map>
#include <set>
#include <stdexcept>

#include "behavior_sigma/category.hpp"
#include "sigma_test_util.hpp"

using namespace sigma_test;
using vigil::behavior::sigma::LoadOptions;

namespace {

SigmaEvent P(std::string_view image, std::string_view cmdline, std::string_view parent = "/bin/bash") {
    return process(image, cmdline, parent);
}

SigmaEvent F(Category c, std::string_view image, std::string_view target) {
    return event(c, {{FieldId::Image, image}, {FieldId::TargetFilename, target}, {FieldId::User, "root"}});
}

SigmaEvent N(std::string_view image, std::string_view cmdline, std::string_view ip, std::string_view port,
             bool initiated = true) {
    return event(Category::NetworkConnection,
                 {{FieldId::Image, image},
                  {FieldId::CommandLine, cmdline},
                  {initiated ? FieldId::DestinationIp : FieldId::SourceIp, ip},
                  {initiated ? FieldId::DestinationPort : FieldId::SourcePort, port},
                  {FieldId::Initiated, initiated ? "true" : "false"},
                  {FieldId::Protocol, "tcp"}});
}

struct Case {
    std::string rule;  // file name in plugins/behavior/rules
    SigmaEvent hit;
    SigmaEvent miss;
};

SigmaEvent event_of(const YAML::Node& e) {
    if (const auto p = e["process"]) {
        const auto a = p.as<std::vector<std::string>>();
        return a.size() > 2 ? P(a.at(0), a.at(1), a.at(2)) : P(a.at(0), a.at(1));
    }
    if (const auto f = e["file"]) {
        const auto a = f.as<std::vector<std::string>>();
        const auto category = vigil::behavior::sigma::category_from_name(a.at(0));
        if (!category) throw std::runtime_error("unknown category " + a.at(0));
        return F(*category, a.at(1), a.at(2));
    }
    const bool inbound = e["inbound"].IsDefined();
    const auto a = (inbound ? e["inbound"] : e["outbound"]).as<std::vector<std::string>>();
    return N(a.at(0), a.at(1), a.at(2), a.at(3), !inbound);
}

// The cases (one per rule file) or the variants of sigma_cases/default_rules.yaml.
std::vector<Case> load_cases(const char* section) {
    const YAML::Node doc =
        YAML::LoadFile(std::string(VIGIL_SOURCE_DIR) + "/plugins/behavior/tests/unit/sigma_cases/default_rules.yaml");
    std::vector<Case> out;
    for (const auto& c : doc[section])
        out.push_back({c["rule"].as<std::string>(), event_of(c["hit"]), event_of(c["miss"])});
    REQUIRE_FALSE(out.empty());
    return out;
}

std::vector<Case> cases() { return load_cases("cases"); }
// Extra variants that each rule's alternatives must also catch (or not).
std::vector<Case> variants() { return load_cases("variants"); }

std::map<std::string, std::string> id_by_file(const Detector& d) {
    std::map<std::string, std::string> out;
    for (const auto& r : d.rules()) out[r->source.substr(std::string("builtin:").size())] = r->id;
    return out;
}

bool fires(const Detector& d, const SigmaEvent& e, const std::string& id) {
    for (const auto& m : d.evaluate(e))
        if (m.rule->id == id) return true;
    return false;
}

}  // namespace

TEST_CASE("behavior_sigma_default_rules: each rule matches its attack and misses its near-miss") {
    Detector d;
    auto stats = d.load(LoadOptions{{}, true});
    REQUIRE(stats.skipped == 0);
    auto ids = id_by_file(d);
    std::vector<Case> all = cases();
    for (auto& v : variants()) all.push_back(std::move(v));
    for (const auto& c : all) {
        auto it = ids.find(c.rule);
        INFO("rule " << c.rule);
        REQUIRE(it != ids.end());
        CHECK(fires(d, c.hit, it->second));
        CHECK_FALSE(fires(d, c.miss, it->second));
    }
}

TEST_CASE("behavior_sigma_default_rules: every default rule has a test case") {
    Detector d;
    d.load(LoadOptions{{}, true});
    std::set<std::string> tested;
    for (const auto& c : cases()) tested.insert(c.rule);
    for (const auto& [file, id] : id_by_file(d)) {
        INFO("rule file " << file);
        CHECK(tested.count(file) == 1);
    }
}

TEST_CASE("behavior_sigma_default_rules: metadata follows the project's conventions") {
    Detector d;
    d.load(LoadOptions{{}, true});
    std::set<std::string> ids;
    for (const auto& r : d.rules()) {
        INFO("rule " << r->source);
        CHECK(r->author == "Vigil");
        CHECK(r->id.size() == 36);
        CHECK(ids.insert(r->id).second);
        CHECK(r->product == "linux");
        CHECK_FALSE(r->title.empty());
        CHECK_FALSE(r->description.empty());
        CHECK(r->unmapped_fields.empty());
        bool attack_technique = false;
        for (const auto& t : r->tags) attack_technique |= t.starts_with("attack.t");
        CHECK(attack_technique);
    }
}

TEST_CASE("behavior_sigma_default_rules: the directory holds the same rules as the built-in set") {
    Detector from_dir;
    auto stats = from_dir.load(LoadOptions{{VIGIL_BEHAVIOR_RULES_DIR}, false});
    CHECK(stats.skipped == 0);
    CHECK(stats.loaded == vigil::behavior::sigma::builtin_rules().size());
}

namespace {

// `e` with only the fields in `m`, as the plugin builds it for the loaded rules.
SigmaEvent limited(const SigmaEvent& e, const vigil::behavior::sigma::FieldMask& m) {
    SigmaEvent out(e.category());
    out.limit_to(m);
    e.any_field([&](FieldId f, std::string_view v, std::string_view) {
        out.set(f, v);
        return false;
    });
    return out;
}

std::vector<std::string> matched_ids(const Detector& d, const SigmaEvent& e) {
    std::vector<std::string> out;
    for (const auto& m : d.evaluate(e)) out.push_back(m.rule->id);
    return out;
}

}  // namespace

TEST_CASE("behavior_sigma_default_rules: events limited to the fields the rules read get the same answers") {
    Detector builtin, corpus;
    builtin.load(LoadOptions{{}, true});
    const auto sigma = std::filesystem::path(VIGIL_CORPUS_DIR) / "sigma";
    REQUIRE(corpus.load(LoadOptions{{sigma / "rules", sigma / "rules-emerging-threats", sigma / "rules-threat-hunting"},
                                    false}).loaded > 200);
    std::vector<Case> all = cases();
    for (auto& v : variants()) all.push_back(std::move(v));
    size_t fired = 0;
    for (const Detector* d : {&builtin, &corpus}) {
        const auto read = d->fields_read();
        for (const auto& c : all) {
            INFO("case of rule " << c.rule);
            for (const SigmaEvent* e : {&c.hit, &c.miss}) {
                auto want = matched_ids(*d, *e);
                fired += want.size();
                CHECK(matched_ids(*d, limited(*e, read[static_cast<size_t>(e->category())])) == want);
            }
        }
    }
    CHECK(fired > all.size());  // the comparison saw matches, not only misses
}
