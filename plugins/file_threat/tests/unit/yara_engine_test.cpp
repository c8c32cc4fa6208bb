#include <doctest/doctest.h>

#include <algorithm>

#include "eicar.hpp"
#include "yara_engine.hpp"
#include "test_util.hpp"

using namespace vigil::file_threat;

namespace {
std::vector<std::string> rules_matching(const YaraRules& r, const std::string& data, YaraRules::Externals ext = {}) {
    std::vector<YaraRules::Match> m;
    std::string err;
    REQUIRE(r.scan(data, ext, 10, m, err) == YaraRules::Status::Ok);
    std::vector<std::string> names;
    for (auto& x : m) names.push_back(x.rule);
    std::sort(names.begin(), names.end());
    return names;
}
bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

// A file built to match Yara-Rules' Mirai_Okiru, which needs the private rule
// is__elf and the rule is__Mirai_gen7 from 000_common_rules.yar.
std::string mirai_okiru_sample() {
    std::string s("\x7f" "ELF", 4);
    s += std::string(60, '\0');
    for (const char* cmd : {"/bin/busybox rm", "/bin/busybox echo", "/bin/busybox wget", "/bin/busybox tftp",
                            "/bin/busybox cp"}) {
        s += cmd;
        s.push_back('\0');
    }
    s += "\x68\x7f\x27\x70\x60\x62\x73\x3c\x27\x28\x65\x6e\x69\x28\x65\x72";
    s.push_back('\0');
    s += "\x74\x7e\x65\x68\x7f\x27\x73\x61\x73\x77\x3c\x27\x28\x65\x6e\x69";
    return s;
}
}  // namespace

TEST_CASE("file_threat yara: files depending on a common file compile when it comes first") {
    auto rules = YaraRules::compile({corpus("yara/yara-rules/malware/000_common_rules.yar"),
                                     corpus("yara/yara-rules/malware/MALW_Mirai_Okiru_ELF.yar")});
    CHECK(rules->files().size() == 2);
    auto m = rules_matching(*rules, mirai_okiru_sample());
    CHECK(has(m, "Mirai_Okiru"));
    CHECK(has(m, "is__Mirai_gen7"));
    CHECK(rules_matching(*rules, "harmless text").empty());
}

TEST_CASE("file_threat yara: the wrong order fails with the file, line and reason") {
    try {
        YaraRules::compile({corpus("yara/yara-rules/malware/MALW_Mirai_Okiru_ELF.yar"),
                            corpus("yara/yara-rules/malware/000_common_rules.yar")});
        FAIL("compiled in the wrong order");
    } catch (const std::runtime_error& e) {
        const std::string msg = e.what();
        CHECK(msg.find("MALW_Mirai_Okiru_ELF.yar:") != std::string::npos);
        CHECK(msg.find("undefined identifier \"is__elf\"") != std::string::npos);
    }
}

TEST_CASE("file_threat yara: a directory compiles in sorted order, all corpus rules together") {
    auto rules = YaraRules::compile({corpus("yara/yara-rules/malware"), corpus("yara/signature-base")});
    CHECK(rules->files().front().find("000_common_rules.yar") != std::string::npos);
    CHECK(rules->files().size() == 41);
    CHECK(rules->rule_count() > 150);
    auto m = rules_matching(*rules, eicar_string());
    CHECK(has(m, "SUSP_Just_EICAR"));
    CHECK(has(m, "eicar"));
    // Embedded after other text only the Yara-Rules rule matches (SUSP_Just_EICAR wants it at 0).
    m = rules_matching(*rules, "prefix " + eicar_string());
    CHECK(has(m, "eicar"));
    CHECK_FALSE(has(m, "SUSP_Just_EICAR"));
}

TEST_CASE("file_threat yara: external variables are defined and set per file") {
    // Needs filepath etc.: fails without externals in plain yara.
    CHECK_NOTHROW(YaraRules::compile({corpus("yara/signature-base/gen_webshells_ext_vars.yar")}));

    TempDir dir;
    auto rule = dir.file("ext.yar", R"(
rule ext_vars {
  condition: filename == "x.php" and filepath == "/srv/www" and extension == ".php" and
             filetype == "ELF" and owner == "root"
})");
    auto rules = YaraRules::compile({rule});
    YaraRules::Externals ext{"x.php", "/srv/www", ".php", "ELF", "root"};
    CHECK(rules_matching(*rules, "anything", ext) == std::vector<std::string>{"ext_vars"});
    ext.owner = "nobody";
    CHECK(rules_matching(*rules, "anything", ext).empty());
}

TEST_CASE("file_threat yara: errors name the file; missing sources are refused") {
    TempDir dir;
    auto bad = dir.file("bad.yar", "rule broken { condition: nonsense_identifier }\n");
    try {
        YaraRules::compile({bad});
        FAIL("bad rule compiled");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()).find(bad + ":1:") != std::string::npos);
    }
    CHECK_THROWS_WITH_AS(YaraRules::compile({"/nonexistent/rules.yar"}),
                         "YARA rule source '/nonexistent/rules.yar' does not exist", std::runtime_error);
    CHECK(YaraRules::compile({})->empty());
}
