// Indicator logic: nested AND/OR, negate, cross-document facts, hash sets.
#include <doctest/doctest.h>

#include <map>

#include "compiled_ioc.hpp"
#include "evaluator.hpp"
#include "ioc_parser.hpp"

using namespace vigil::ioc_scanner;

namespace {

struct FakeItem : ItemView {
    std::string name;
    std::multimap<TermId, std::string> vals;
    bool unavailable_hash = false;
    int hash_calls = 0;
    bool values(TermId id, std::vector<std::string_view>& out) override {
        if (id == TermId::FileMd5sum || id == TermId::FileSha256sum) {
            ++hash_calls;
            if (unavailable_hash) return false;
        }
        auto [b, e] = vals.equal_range(id);
        for (auto it = b; it != e; ++it) out.emplace_back(it->second);
        return true;
    }
    std::string object() const override { return name; }
};

FakeItem fake(const std::string& name, std::multimap<TermId, std::string> vals) {
    FakeItem f;
    f.name = name;
    f.vals = std::move(vals);
    return f;
}

std::string item(const std::string& search, const std::string& cond, const std::string& content,
                 const std::string& type = "string", bool negate = false) {
    static int n = 0;
    return "<IndicatorItem id=\"it" + std::to_string(++n) + "\" condition=\"" + cond +
           "\" preserve-case=\"false\" negate=\"" + (negate ? "true" : "false") + "\"><Context document=\"" +
           search.substr(0, search.find('/')) + "\" search=\"" + search +
           "\" type=\"mir\"/><Content type=\"" + type + "\">" + content + "</Content></IndicatorItem>";
}

CompiledIoc ioc_of(const std::string& body) {
    std::string xml =
        R"(<OpenIOC xmlns="http://openioc.org/schemas/OpenIOC_1.1" id="x"><metadata><short_description>t</short_description><authored_date>2020-01-01T00:00:00Z</authored_date></metadata><criteria>)" +
        body + "</criteria></OpenIOC>";
    return compile(parse_ioc(xml, "test"));
}

std::string ind(const std::string& op, const std::string& inner) {
    return "<Indicator operator=\"" + op + "\" id=\"n\">" + inner + "</Indicator>";
}

}  // namespace

TEST_CASE("ioc_scanner AND needs one item to satisfy all its terms") {
    auto c = ioc_of(ind("AND", item("FileItem/FileName", "is", "evil.sh") +
                                   item("FileItem/SizeInBytes", "greater-than", "100", "int")));
    GlobalFacts facts(c.leaves.size());
    Evaluator ev(c, facts);
    FakeItem a = fake("/a/evil.sh", {{TermId::FileFileName, "evil.sh"}, {TermId::FileSizeInBytes, "500"}});
    FakeItem b = fake("/b/evil.sh", {{TermId::FileFileName, "evil.sh"}, {TermId::FileSizeInBytes, "50"}});
    std::vector<Hit> hits;
    CHECK(ev.match(Document::File, a, hits));
    REQUIRE(hits.size() == 2);
    CHECK(hits[0].object == "/a/evil.sh");
    CHECK_FALSE(ev.match(Document::File, b, hits));
    CHECK(hits.empty());
}

TEST_CASE("ioc_scanner nested OR/AND and negate") {
    auto c =
        ioc_of(ind("OR", item("FileItem/FileName", "is", "a.bin") +
                             ind("AND", item("FileItem/FilePath", "starts-with", "/etc") +
                                            item("FileItem/FileExtension", "is", "conf", "string", true))));
    GlobalFacts facts(c.leaves.size());
    Evaluator ev(c, facts);
    std::vector<Hit> hits;
    FakeItem x = fake("/etc/x.sh", {
        {TermId::FileFileName, "x.sh"}, {TermId::FileFilePath, "/etc"}, {TermId::FileFileExtension, "sh"}});
    CHECK(ev.match(Document::File, x, hits));
    CHECK(hits.size() == 2);
    FakeItem y = x;
    y.vals = {{TermId::FileFileName, "y.conf"},
              {TermId::FileFilePath, "/etc"},
              {TermId::FileFileExtension, "conf"}};
    CHECK_FALSE(ev.match(Document::File, y, hits));
    FakeItem z = x;
    z.vals = {
        {TermId::FileFileName, "a.bin"}, {TermId::FileFilePath, "/usr"}, {TermId::FileFileExtension, "bin"}};
    CHECK(ev.match(Document::File, z, hits));
    REQUIRE(hits.size() == 1);
    CHECK(hits[0].value == "a.bin");
}

TEST_CASE("ioc_scanner cheap terms first: hashes only when they can decide") {
    auto c = ioc_of(ind("AND", item("FileItem/Md5sum", "is", "0123456789abcdef0123456789abcdef", "md5") +
                                   item("FileItem/FileName", "is", "target")));
    CHECK(c.file_needs.md5);
    GlobalFacts facts(c.leaves.size());
    Evaluator ev(c, facts);
    std::vector<Hit> hits;
    FakeItem other = fake("/other", {{TermId::FileFileName, "other"}});
    CHECK_FALSE(ev.match(Document::File, other, hits));
    CHECK(other.hash_calls == 0);
    FakeItem t =
        fake("/target", {{TermId::FileFileName, "target"}, {TermId::FileMd5sum, "0123456789ABCDEF0123456789ABCDEF"}});
    CHECK(ev.match(Document::File, t, hits));
    CHECK(t.hash_calls == 1);
    // An unavailable value (over the size limit) never matches, even negated.
    auto n =
        ioc_of(ind("AND", item("FileItem/Md5sum", "is", "0123456789abcdef0123456789abcdef", "md5", true)));
    GlobalFacts f2(n.leaves.size());
    Evaluator ev2(n, f2);
    FakeItem big;
    big.name = "/big";
    big.unavailable_hash = true;
    CHECK_FALSE(ev2.match(Document::File, big, hits));
}

TEST_CASE("ioc_scanner long OR lists become one set lookup") {
    std::string body;
    for (int i = 0; i < 50; ++i) {
        char h[33];
        snprintf(h, sizeof h, "%032x", i);
        body += item("FileItem/Md5sum", "is", h, "md5");
    }
    auto c = ioc_of(ind("OR", body));
    REQUIRE(c.root.children.size() == 1);
    CHECK(c.root.children[0].sets.size() == 1);
    CHECK(c.root.children[0].parts.size() == 1);
    GlobalFacts facts(c.leaves.size());
    Evaluator ev(c, facts);
    FakeItem f = fake("/f", {{TermId::FileMd5sum, "0000000000000000000000000000002A"}});
    std::vector<Hit> hits;
    CHECK(ev.match(Document::File, f, hits));
    REQUIRE(hits.size() == 1);
    CHECK(c.leaves[size_t(hits[0].leaf)].content == "0000000000000000000000000000002a");
    f.vals = {{TermId::FileMd5sum, "ffff0000000000000000000000000000"}};
    CHECK_FALSE(ev.match(Document::File, f, hits));
}

TEST_CASE("ioc_scanner terms of other documents are facts about any item") {
    auto c = ioc_of(
        ind("AND", item("ProcessItem/name", "is", "miner") + item("FileItem/FileName", "is", "cfg.json")));
    GlobalFacts facts(c.leaves.size());
    Evaluator ev(c, facts);
    std::vector<Hit> hits;
    FakeItem file = fake("/tmp/cfg.json", {{TermId::FileFileName, "cfg.json"}});
    CHECK_FALSE(ev.match(Document::File, file, hits));  // no process yet
    FakeItem proc = fake("pid 42 (miner)", {{TermId::ProcName, "miner"}});
    ev.record_facts(Document::Process, proc);
    CHECK(ev.match(Document::File, file, hits));
    REQUIRE(hits.size() == 2);
    bool other = false;
    for (const auto& h : hits) other |= h.other_item && h.object == "pid 42 (miner)";
    CHECK(other);
    // The process is reported as well, with the file as a fact.
    CHECK(ev.match(Document::Process, proc, hits));
    // An unrelated process is not reported for a match that happened elsewhere.
    auto o = ioc_of(
        ind("OR", item("ProcessItem/name", "is", "miner") + item("FileItem/FileName", "is", "cfg.json")));
    GlobalFacts f2(o.leaves.size());
    Evaluator ev2(o, f2);
    CHECK(ev2.match(Document::File, file, hits));
    FakeItem bash = fake("pid 7 (bash)", {{TermId::ProcName, "bash"}});
    CHECK_FALSE(ev2.match(Document::Process, bash, hits));
}

TEST_CASE("ioc_scanner unknown terms never match") {
    auto c = ioc_of(
        ind("OR", item("RegistryItem/Path", "contains", "Run") + item("FileItem/FileName", "is", "z")));
    GlobalFacts facts(c.leaves.size());
    Evaluator ev(c, facts);
    FakeItem f = fake("/y", {{TermId::FileFileName, "y"}});
    std::vector<Hit> hits;
    CHECK_FALSE(ev.match(Document::File, f, hits));
    auto n = ioc_of(ind("AND", item("RegistryItem/Path", "contains", "Run", "string", true) +
                                   item("FileItem/FileName", "is", "y")));
    GlobalFacts f2(n.leaves.size());
    Evaluator ev2(n, f2);
    CHECK_FALSE(ev2.match(Document::File, f, hits));
}

TEST_CASE("ioc_scanner OpenIOC 1.0 isnot / containsnot evaluate as negations") {
    std::string xml =
        R"(<ioc xmlns="http://schemas.mandiant.com/2010/ioc" id="n10"><authored_date>2020-01-01T00:00:00Z</authored_date><definition>
      <Indicator operator="AND" id="r">
        <IndicatorItem id="a" condition="isnot"><Context document="FileItem" search="FileItem/FileName" type="mir"/><Content type="string">good.sh</Content></IndicatorItem>
        <IndicatorItem id="b" condition="containsnot"><Context document="FileItem" search="FileItem/FilePath" type="mir"/><Content type="string">/usr/</Content></IndicatorItem>
        <IndicatorItem id="c" condition="contains"><Context document="FileItem" search="FileItem/FileName" type="mir"/><Content type="string">.sh</Content></IndicatorItem>
      </Indicator></definition></ioc>)";
    auto c = compile(parse_ioc(xml, "n10"));
    GlobalFacts facts(c.leaves.size());
    Evaluator ev(c, facts);
    std::vector<Hit> hits;
    auto file = [](const std::string& dir, const std::string& name) {
        return fake(dir + "/" + name, {{TermId::FileFileName, name}, {TermId::FileFilePath, dir}});
    };
    FakeItem bad = file("/tmp", "bad.sh"), good = file("/tmp", "good.sh"), usr = file("/usr/bin", "bad.sh");
    CHECK(ev.match(Document::File, bad, hits));
    CHECK(hits.size() == 3);
    CHECK_FALSE(ev.match(Document::File, good, hits));
    CHECK_FALSE(ev.match(Document::File, usr, hits));
}
