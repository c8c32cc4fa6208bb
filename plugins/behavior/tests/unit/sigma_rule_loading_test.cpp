// Loading rules: required parts, clear reasons for skipped files, directory
// walking, duplicate ids, statistics.
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "rule_compiler.hpp"
#include "rule_error.hpp"
#include "sigma_test_util.hpp"
#include "vigil/testing/temp_dir.hpp"

using namespace sigma_test;
namespace fs = std::filesystem;
using vigil::behavior::sigma::LoadIssue;
using vigil::behavior::sigma::LoadOptions;

namespace {

// The shared TempDir (tests/support) with the member these tests use.
struct TempDir : vigil::testing::TempDir {
    fs::path path = vigil::testing::TempDir::path();
    void write(const fs::path& rel, std::string_view text) const {
        vigil::testing::TempDir::write(rel.string(), std::string(text));
    }
};

const char* kGood =
    "title: Good rule\n"
    "id: 11111111-1111-4111-8111-111111111111\n"
    "description: finds nc\n"
    "author: Vigil\n"
    "level: medium\n"
    "tags: [attack.execution, attack.t1059]\n"
    "logsource: {product: linux, category: process_creation}\n"
    "detection:\n  sel:\n    Image|endswith: /nc\n  condition: sel\n";

std::string error_for(std::string_view yaml) {
    Detector d;
    return d.add_rule(yaml, "x.yml").value_or("");
}

}  // namespace

TEST_CASE("behavior_sigma_loading: rule metadata is kept") {
    Detector d;
    REQUIRE_FALSE(d.add_rule(kGood, "good.yml"));
    auto m = d.evaluate(process("/usr/bin/nc", "nc -l 4444"));
    REQUIRE(m.size() == 1);
    const auto& r = *m[0].rule;
    CHECK(r.id == "11111111-1111-4111-8111-111111111111");
    CHECK(r.title == "Good rule");
    CHECK(r.description == "finds nc");
    CHECK(r.author == "Vigil");
    CHECK(r.level == vigil::behavior::sigma::Level::Medium);
    CHECK(vigil::behavior::sigma::to_severity(r.level) == VIGIL_SEV_MEDIUM);
    CHECK(vigil::behavior::sigma::join_tags(r) == "attack.execution,attack.t1059");
    CHECK(r.source == "good.yml");
    CHECK(r.category == "process_creation");
}

TEST_CASE("behavior_sigma_loading: a rule that cannot load says why") {
    CHECK(error_for("title: [unclosed\n").find("YAML error at line") != std::string::npos);
    CHECK(error_for("- a\n- b\n").find("must be a YAML map") != std::string::npos);
    CHECK(error_for("").find("no YAML document") != std::string::npos);
    CHECK(error_for("logsource: {product: linux}\ndetection: {s: {Image: x}, condition: s}\n")
              .find("no title") != std::string::npos);
    CHECK(error_for("title: t\ndetection: {s: {Image: x}, condition: s}\n").find("logsource") != std::string::npos);
    CHECK(error_for("title: t\nlogsource: {product: windows, category: process_creation}\n"
                    "detection: {s: {Image: x}, condition: s}\n")
              .find("product 'windows' is not linux") != std::string::npos);
    CHECK(error_for("title: t\nlogsource: {product: linux}\n").find("detection must be a map") != std::string::npos);
    CHECK(error_for("title: t\nlogsource: {product: linux}\ndetection: {s: {Image: x}}\n").find("no condition") !=
          std::string::npos);
    CHECK(error_for("title: t\nlevel: severe\nlogsource: {product: linux}\ndetection: {s: {Image: x}, condition: s}\n")
              .find("level 'severe'") != std::string::npos);
    CHECK(error_for("title: t\ncorrelation: {type: event_count}\n").find("correlation rules") != std::string::npos);
    CHECK(error_for("title: a\nlogsource: {product: linux}\ndetection: {s: {Image: x}, condition: s}\n---\ntitle: b\n")
              .find("2 YAML documents") != std::string::npos);
    CHECK(error_for("title: t\nlogsource: {product: linux}\ndetection: {s: {Image: x}, condition: s, timeframe: 5m}\n")
              .find("timeframe") != std::string::npos);
}

TEST_CASE("behavior_sigma_loading: directories are walked recursively and bad files are skipped with a reason") {
    TempDir dir;
    dir.write("a/good.yml", kGood);
    std::string second = kGood;
    second.replace(second.find("11111111-1111"), 13, "22222222-2222");
    dir.write("a/b/c/second.yaml", second);
    dir.write("broken.yml", "title: broken\nlogsource: {product: linux}\ndetection: {s: {Image|nope: x}, condition: s}\n");
    dir.write("notes.txt", "not a rule");
    std::string dup = kGood;  // same id as good.yml
    dir.write("z_dup.yml", dup);
    dir.write("auditd.yml",
              "title: auditd rule\nid: 33333333-3333-4333-8333-333333333333\n"
              "logsource: {product: linux, service: auditd}\ndetection: {s: {type: EXECVE}, condition: s}\n");

    Detector d;
    std::vector<LoadIssue> warned;
    auto stats = d.load(LoadOptions{{dir.path, dir.path / "missing"}, false},
                        [&](const LoadIssue& i) { warned.push_back(i); });
    CHECK(stats.files == 5);
    CHECK(stats.loaded == 3);  // good, second, auditd
    CHECK(stats.skipped == 2); // broken, duplicate
    CHECK(stats.active == 2);  // auditd is loaded but never evaluated
    CHECK(stats.per_category[0] == 2);
    CHECK(stats.builtin == 0);
    REQUIRE(stats.issues.size() == 3);
    CHECK(warned.size() == 3);
    bool saw_broken = false, saw_dup = false, saw_missing = false;
    for (const auto& i : stats.issues) {
        if (i.file.ends_with("broken.yml")) saw_broken = i.reason.find("unknown modifier 'nope'") != std::string::npos;
        if (i.file.ends_with("z_dup.yml")) saw_dup = i.reason.find("duplicate rule id") != std::string::npos;
        if (i.file.ends_with("missing")) saw_missing = i.reason.find("does not exist") != std::string::npos;
    }
    CHECK(saw_broken);
    CHECK(saw_dup);
    CHECK(saw_missing);
    CHECK(d.rule_count() == 3);
    CHECK(hits(d, process("/usr/bin/nc", "nc")));

    auto json = stats.to_json();
    CHECK(json.find("\"loaded\":3") != std::string::npos);
    CHECK(json.find("\"skipped\":2") != std::string::npos);
    CHECK(json.find("\"process_creation\":2") != std::string::npos);
    CHECK(json.find("unknown modifier 'nope'") != std::string::npos);

    // Reloading replaces the rule set.
    auto again = d.load(LoadOptions{{dir.path / "a"}, false});
    CHECK(again.loaded == 2);
    CHECK(again.skipped == 0);
    CHECK(d.rule_count() == 2);
}

TEST_CASE("behavior_sigma_loading: a single file path loads that file") {
    TempDir dir;
    dir.write("one.yml", kGood);
    Detector d;
    auto stats = d.load(LoadOptions{{dir.path / "one.yml"}, false});
    CHECK(stats.loaded == 1);
}

TEST_CASE("behavior_sigma_loading: the built-in default rules load") {
    Detector d;
    auto stats = d.load(LoadOptions{{}, true});
    CHECK(stats.builtin == vigil::behavior::sigma::builtin_rules().size());
    CHECK(stats.builtin >= 30);
    CHECK(stats.skipped == 0);
    for (const auto& i : stats.issues) FAIL_CHECK(i.file << ": " << i.reason);
}

TEST_CASE("sigma: deeply nested or alias-bombed rule files are refused, not walked") {
    std::string deep = "title: t\nlogsource: {product: linux, category: process_creation}\ndetection:\n  selection:\n    Image: ";
    deep += std::string(100, '[') + "x" + std::string(100, ']') + "\n  condition: selection\n";
    CHECK_THROWS_WITH_AS(vigil::behavior::sigma::compile_rule(deep, "deep.yml"), doctest::Contains("nested deeper than"),
                         vigil::behavior::sigma::RuleError);
    std::string bomb = "title: t\nlogsource: {product: linux, category: process_creation}\nx0: &a0 [a, a, a, a, a, a, a, a, a, a]\n";
    for (int i = 1; i < 8; ++i) {
        bomb += "x" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
        for (int j = 0; j < 10; ++j) bomb += (j ? ", *a" : "*a") + std::to_string(i - 1);
        bomb += "]\n";
    }
    bomb += "detection:\n  selection:\n    Image: /x\n  condition: selection\n";
    CHECK_THROWS_WITH_AS(vigil::behavior::sigma::compile_rule(bomb, "bomb.yml"), doctest::Contains("once aliases are expanded"),
                         vigil::behavior::sigma::RuleError);
}

TEST_CASE("sigma: a rule file on which yaml-cpp's LoadAll would never return is refused") {
    // Reduced from a sigma_fuzz_rule timeout: a mutated rule whose line became "       , CommandLine|contains|all:".
    const std::string rule = "title: t\n---\n       , CommandLine|contains|all:\n            - ' stop '\n";
    CHECK_THROWS_WITH_AS(vigil::behavior::sigma::compile_rule(rule, "comma.yml"),
                         doctest::Contains("more than 64 YAML documents"), vigil::behavior::sigma::RuleError);
}
