#include <doctest/doctest.h>

#include "prevention_list.hpp"
#include "test_util.hpp"

using namespace vigil::file_threat;

TEST_CASE("file_threat prevention list: parse, match, replace, persist") {
    const Digests d = digest_bytes("program");
    auto p = PreventionList::parse_json("{\"sha256\":[\"" + to_hex(d.sha256) + "\"],\"md5\":[]}");
    CHECK(p.sha256_count() == 1);
    CHECK(p.match(d) == "sha256:" + to_hex(d.sha256));
    CHECK_FALSE(p.match(digest_bytes("other")));

    auto upper = to_hex(d.md5);
    for (auto& c : upper) c = char(toupper(c));
    auto by_md5 = PreventionList::parse_json("{\"md5\":[\"" + upper + "\"]}");
    CHECK(by_md5.match(d) == "md5:" + to_hex(d.md5));

    // vigilctl generic form: {"args":[],"sha256":"<one hash>"}
    auto one = PreventionList::parse_json("{\"args\":[],\"sha256\":\"" + to_hex(d.sha256) + "\"}");
    CHECK(one.match(d));

    TempDir dir;
    const std::string file = (dir.path / "prevention.json").string();
    CHECK(PreventionList::load(file).empty());  // missing file = empty list
    p.save(file);
    auto loaded = PreventionList::load(file);
    CHECK(loaded.to_json() == p.to_json());
    PreventionList::parse_json("{}").save(file);  // replaced, not merged
    CHECK(PreventionList::load(file).empty());
}

TEST_CASE("file_threat prevention list: bad input names the entry") {
    CHECK_THROWS_WITH_AS(PreventionList::parse_json("{\"sha256\":[\"abc\"]}"),
                         "sha256[0] 'abc' is not a 64-digit hex sha256 hash", std::invalid_argument);
    CHECK_THROWS_WITH_AS(PreventionList::parse_json("{\"sha1\":[]}"),
                         "unknown key 'sha1' in prevention list (expected sha256, md5)", std::invalid_argument);
    CHECK_THROWS_AS(PreventionList::parse_json("[1]"), std::invalid_argument);
    CHECK_THROWS_AS(PreventionList::parse_json("{\"md5\":\"x\"}"), std::invalid_argument);
    TempDir dir;
    auto corrupt = dir.file("p.json", "{not json");
    CHECK_THROWS_AS(PreventionList::load(corrupt), std::runtime_error);
}
