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

// A compiled IOC with its facts and evaluator; hits holds those of the last match.
struct Run {
    CompiledIoc ioc;
    GlobalFacts facts;
    Evaluator ev;
    std::vector<Hit> hits;
    explicit Run(CompiledIoc c) : ioc(std::move(c)), facts(ioc.leaves.size()), ev(ioc, facts) {}
    bool match(Document d, ItemView& item) { return ev.match(d, item, hits); }
};

}  // namespace

TEST_CASE("ioc_scanner AND needs one item to satisfy all its terms") {
    Run r(ioc_of(ind("AND", item("FileItem/FileName", "is", "evil.sh") +
                                item("FileItem/SizeInBytes", "greater-than", "100", "int"))));
    FakeItem a = fake("/a/evil.sh", {{TermId::FileFileName, "evil.sh"}, {TermId::FileSizeInBytes, "500"}});
    FakeItem b = fake("/b/evil.sh", {{TermId::FileFileName, "evil.sh"}, {TermId::FileSizeInBytes, "50"}});
    CHECK(r.match(Document::File, a));
    REQUIRE(r.hits.size() == 2);
    CHECK(r.hits[0].object == "/a/evil.sh");
    CHECK_FALSE(r.match(Document::File, b));
    CHECK(r.hits.empty());
}

TEST_CASE("ioc_scanner nested OR/AND and negate") {
    Run r(ioc_of(ind("OR", item("FileItem/FileName", "is", "a.bin") +
                               ind("AND", item("FileItem/FilePath", "starts-with", "/etc") +
                                              item("FileItem/FileExtension", "is", "conf", "string", true)))));
    FakeItem x = fake("/etc/x.sh", {
        {TermId::FileFileName, "x.sh"}, {TermId::FileFilePath, "/etc"}, {TermId::FileFileExtension, "sh"}});
    CHECK(r.match(Document::File, x));
    CHECK(r.hits.size() == 2);
    FakeItem y = x;
    y.vals = {{TermId::FileFileName, "y.conf"},
              {TermId::FileFilePath, "/etc"},
              {TermId::FileFileExtension, "conf"}};
    CHECK_FALSE(r.match(Document::File, y));
    FakeItem z = x;
    z.vals = {
        {TermId::FileFileName, "a.bin"}, {TermId::FileFilePath, "/usr"}, {TermId::FileFileExtension, "bin"}};
    CHECK(r.match(Document::File, z));
    REQUIRE(r.hits.size() == 1);
    CHECK(r.hits[0].value == "a.bin");
}

TEST_CASE("ioc_scanner cheap terms first: hashes only when they can decide") {
    Run r(ioc_of(ind("AND", item("FileItem/Md5sum", "is", "0123456789abcdef0123456789abcdef", "md5") +
                                item("FileItem/FileName", "is", "target"))));
    CHECK(r.ioc.file_needs.md5);
    FakeItem other = fake("/other", {{TermId::FileFileName, "other"}});
    CHECK_FALSE(r.match(Document::File, other));
    CHECK(other.hash_calls == 0);
    FakeItem t =
        fake("/target", {{TermId::FileFileName, "target"}, {TermId::FileMd5sum, "0123456789ABCDEF0123456789ABCDEF"}});
    CHECK(r.match(Document::File, t));
    CHECK(t.hash_calls == 1);
    // An unavailable value (over the size limit) never matches, even negated.
    Run n(ioc_of(ind("AND", item("FileItem/Md5sum", "is", "0123456789abcdef0123456789abcdef", "md5", true))));
    FakeItem big;
    big.name = "/big";
    big.unavailable_hash = true;
    CHECK_FALSE(n.match(Document::File, big));
}

TEST_CASE("ioc_scanner long OR lists become one set lookup") {
    std::string body;
    for (int i = 0; i < 50; ++i) {
        char h[33];
        snprintf(h, sizeof h, "%032x", i);
        body += item("FileItem/Md5sum", "is", h, "md5");
    }
    Run r(ioc_of(ind("OR", body)));
    REQUIRE(r.ioc.root.children.size() == 1);
    CHECK(r.ioc.root.children[0].sets.size() == 1);
    CHECK(r.ioc.root.children[0].parts.size() == 1);
    FakeItem f = fake("/f", {{TermId::FileMd5sum, "0000000000000000000000000000002A"}});
    CHECK(r.match(Document::File, f));
    REQUIRE(r.hits.size() == 1);
    CHECK(r.ioc.leaves[size_t(r.hits[0].leaf)].content == "0000000000000000000000000000002a");
    f.vals = {{TermId::FileMd5sum, "ffff0000000000000000000000000000"}};
    CHECK_FALSE(r.match(Document::File, f));
}

TEST_CASE("ioc_scanner terms of other documents are facts about any item") {
    Run r(ioc_of(
        ind("AND", item("ProcessItem/name", "is", "miner") + item("FileItem/FileName", "is", "cfg.json"))));
    FakeItem file = fake("/tmp/cfg.json", {{TermId::FileFileName, "cfg.json"}});
    CHECK_FALSE(r.match(Document::File, file));  // no process yet
    FakeItem proc = fake("pid 42 (miner)", {{TermId::ProcName, "miner"}});
    r.ev.record_facts(Document::Process, proc);
    CHECK(r.match(Document::File, file));
    REQUIRE(r.hits.size() == 2);
    bool other = false;
    for (const auto& h : r.hits) other |= h.other_item && h.object == "pid 42 (miner)";
    CHECK(other);
    // The process is reported as well, with the file as a fact.
    CHECK(r.match(Document::Process, proc));
    // An unrelated process is not reported for a match that happened elsewhere.
    Run o(ioc_of(
        ind("OR", item("ProcessItem/name", "is", "miner") + item("FileItem/FileName", "is", "cfg.json"))));
    CHECK(o.match(Document::File, file));
    FakeItem bash = fake("pid 7 (bash)", {{TermId::ProcName, "bash"}});
    CHECK_FALSE(o.match(Document::Process, bash));
}

TEST_CASE("ioc_scanner unknown terms never match") {
    Run r(ioc_of(
        ind("OR", item("RegistryItem/Path", "contains", "Run") + item("FileItem/FileName", "is", "z"))));
    FakeItem f = fake("/y", {{TermId::FileFileName, "y"}});
    CHECK_FALSE(r.match(Document::File, f));
    Run n(ioc_of(ind("AND", item("RegistryItem/Path", "contains", "Run", "string", true) +
                                item("FileItem/FileName", "is", "y"))));
    CHECK_FALSE(n.match(Document::File, f));
}

TEST_CASE("ioc_scanner OpenIOC 1.0 isnot / containsnot evaluate as negations") {
    std::string xml =
        R"(<ioc xmlns="http://schemas.mandiant.com/2010/ioc" id="n10"><authored_date>2020-01-01T00:00:00Z</authored_date><definition>
      <Indicator operator="AND" id="r">
        <IndicatorItem id="a" condition="isnot"><Context document="FileItem" search="FileItem/FileName" type="mir"/><Content type="string">good.sh</Content></IndicatorItem>
        <IndicatorItem id="b" condition="containsnot"><Context document="FileItem" search="FileItem/FilePath" type="mir"/><Content type="string">/usr/</Content></IndicatorItem>
        <IndicatorItem id="c" condition="contains"><Context document="FileItem" search="FileItem/FileName" type="mir"/><Content type="string">.sh</Content></IndicatorItem>
      </Indicator></definition></ioc>)";
    Run r(compile(parse_ioc(xml, "n10")));
    auto file = [](const std::string& dir, const std::string& name) {
        return fake(dir + "/" + name, {{TermId::FileFileName, name}, {TermId::FileFilePath, dir}});
    };
    FakeItem bad = file("/tmp", "bad.sh"), good = file("/tmp", "good.sh"), usr = file("/usr/bin", "bad.sh");
    CHECK(r.match(Document::File, bad));
    CHECK(r.hits.size() == 3);
    CHECK_FALSE(r.match(Document::File, good));
    CHECK_FALSE(r.match(Document::File, usr));
}
