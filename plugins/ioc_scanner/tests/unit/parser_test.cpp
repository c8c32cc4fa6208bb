// OpenIOC parsing: 1.0 and 1.1 structure, leniency, errors, the real corpus.
#include <doctest/doctest.h>

#include <filesystem>
#include <set>

#include "compiled_ioc.hpp"
#include "ioc_parser.hpp"

using namespace vigil::ioc_scanner;
namespace fs = std::filesystem;

static const char* kIoc10 = R"(<?xml version="1.0" encoding="us-ascii"?>
<ioc xmlns="http://schemas.mandiant.com/2010/ioc" id="ioc-10" last-modified="2015-02-05T17:07:22Z">
  <short_description>TEST 1.0</short_description>
  <authored_date>2015-02-04T21:44:18Z</authored_date>
  <definition>
    <Indicator operator="OR" id="root">
      <IndicatorItem id="i1" condition="isnot">
        <Context document="FileItem" search="FileItem/FileName" type="mir"/>
        <Content type="string">a.txt</Content>
      </IndicatorItem>
      <Indicator operator="AND" id="and1">
        <IndicatorItem id="i2" condition="containsnot" preserve-case="true">
          <Context document="FileItem" search="FileItem/FullPath" type="mir"/>
          <Content type="string">  /tmp/X  </Content>
        </IndicatorItem>
        <IndicatorItem id="i3" condition="is" negate="true">
          <Context document="ProcessItem" search="ProcessItem/name" type="mir"/>
          <Content type="string">sshd</Content>
          <Comment>a comment</Comment>
        </IndicatorItem>
      </Indicator>
    </Indicator>
  </definition>
</ioc>)";

// Checks the version and description of a parsed document and that it has one
// root indicator with the operator; returns that root.
static const Indicator& single_root(const Ioc& i, const char* version, const char* description, Operator op) {
    CHECK(i.version == version);
    CHECK(i.short_description == description);
    REQUIRE(i.roots.size() == 1);
    CHECK(i.roots[0]->op == op);
    return *i.roots[0];
}

TEST_CASE("ioc_scanner parses OpenIOC 1.0 with legacy conditions and 1.1 attributes") {
    Ioc i = parse_ioc(kIoc10, "t10");
    CHECK(i.id == "ioc-10");
    const Indicator& r = single_root(i, "1.0", "TEST 1.0", Operator::Or);
    REQUIRE(r.items.size() == 1);
    CHECK(r.items[0].condition == Condition::Is);
    CHECK(r.items[0].negate);
    CHECK(r.items[0].line == 7);
    REQUIRE(r.children.size() == 1);
    const Indicator& a = *r.children[0];
    CHECK(a.op == Operator::And);
    REQUIRE(a.items.size() == 2);
    CHECK(a.items[0].condition == Condition::Contains);
    CHECK(a.items[0].negate);
    CHECK(a.items[0].preserve_case);
    CHECK(a.items[0].content == "/tmp/X");
    CHECK(a.items[1].negate);
    CHECK(a.items[1].document == "ProcessItem");
}

static const char* kIoc11 = R"(<?xml version="1.0" encoding="utf-8"?>
<OpenIOC xmlns="http://openioc.org/schemas/OpenIOC_1.1" id="ioc-11" last-modified="2015-12-18T23:05:08Z" published-date="0001-01-01T00:00:00">
  <metadata>
    <short_description>TEST 1.1</short_description>
    <description>d</description>
    <authored_by>me</authored_by>
    <authored_date>2015-12-18T18:47:14Z</authored_date>
    <links />
  </metadata>
  <criteria>
    <Indicator operator="AND" id="root">
      <IndicatorItem id="a" condition="starts-with" preserve-case="false" negate="false">
        <Context document="FileItem" search="FileItem/FilePath" type="mir" />
        <Content type="string">/etc</Content>
      </IndicatorItem>
      <IndicatorItem id="b" condition="less-than" preserve-case="false" negate="true">
        <Context document="FileItem" search="FileItem/SizeInBytes" type="mir" />
        <Content type="int">10</Content>
      </IndicatorItem>
    </Indicator>
  </criteria>
  <parameters />
</OpenIOC>)";

TEST_CASE("ioc_scanner parses OpenIOC 1.1") {
    Ioc i = parse_ioc(kIoc11, "t11");
    CHECK(i.authored_by == "me");
    const Indicator& r = single_root(i, "1.1", "TEST 1.1", Operator::And);
    CHECK(r.items[1].condition == Condition::LessThan);
    CHECK(r.items[1].negate);
    CompiledIoc c = compile(i);
    CHECK(c.uses(Document::File));
    CHECK(c.file_needs.stat);
    CHECK_FALSE(c.file_needs.hashes());
}

static std::string err(const std::string& xml) {
    try {
        parse_ioc(xml, "bad.ioc");
    } catch (const ParseError& e) {
        return e.what();
    }
    return "no error";
}

TEST_CASE("ioc_scanner rejects broken input with file, line and reason") {
    std::string truncated(kIoc11);
    truncated.resize(truncated.find("</criteria>"));
    const std::string e1 = err(truncated);
    CHECK(e1.find("bad.ioc:") == 0);
    CHECK(e1.find("invalid XML") != std::string::npos);

    CHECK(err("<foo/>").find("root element <foo>") != std::string::npos);
    // A refusal inside a namespaced element, then broken XML after it: the
    // first problem is reported (and nothing of expat's leaks, see the ASan run).
    const std::string e0 = err("<foo xmlns=\"http://x/\"><bar xmlns:p=\"http://y/\"/></dufinition></foo>");
    CHECK(e0.find("root element <foo>") != std::string::npos);
    CHECK(err("not xml at all").find("invalid XML") != std::string::npos);

    std::string badop(kIoc11);
    badop.replace(badop.find("operator=\"AND\""), 14, "operator=\"XOR\"");
    const std::string e2 = err(badop);
    CHECK(e2.find("bad.ioc:11:") == 0);
    CHECK(e2.find("\"XOR\"") != std::string::npos);

    std::string badcond(kIoc11);
    badcond.replace(badcond.find("starts-with"), 11, "looks-like");
    CHECK(err(badcond).find("unknown condition \"looks-like\"") != std::string::npos);

    std::string nocontent(kIoc11);
    auto p = nocontent.find("<Content type=\"string\">/etc</Content>");
    nocontent.erase(p, std::string("<Content type=\"string\">/etc</Content>").size());
    CHECK(err(nocontent).find("has no <Content>") != std::string::npos);

    std::string badint(kIoc11);
    badint.replace(badint.find(">10<"), 4, ">ten<");
    try {
        compile(parse_ioc(badint, "bad.ioc"));
        FAIL("expected an error");
    } catch (const ParseError& e) {
        CHECK(e.line() == 16);
        CHECK(std::string(e.what()).find("not a valid int") != std::string::npos);
    }

    std::string badregex(kIoc11);
    badregex.replace(badregex.find("starts-with"), 11, "matches");
    badregex.replace(badregex.find(">/etc<"), 6, ">(/etc<");
    CHECK_THROWS_AS(compile(parse_ioc(badregex, "bad.ioc")), ParseError);

    std::string order(kIoc11);
    order.replace(order.find("<description>d</description>"), 28, "");
    order.replace(order.find("<links />"), 9, "<links /><description>d</description>");
    CHECK(err(order).find("<description> comes after <links>") != std::string::npos);

    CHECK(err(R"(<OpenIOC xmlns="http://openioc.org/schemas/OpenIOC_1.1"><metadata/><criteria/></OpenIOC>)")
              .find("no Indicator") != std::string::npos);
}

TEST_CASE("ioc_scanner unknown terms are warnings, not errors") {
    std::string x(kIoc11);
    x.replace(x.find("FileItem/FilePath"), 17, "RegistryItem/Path");
    x.replace(x.find("FileItem/SizeInBytes"), 20, "FileItem/PEInfo/Type");
    CompiledIoc c = compile(parse_ioc(x, "w"));
    REQUIRE(c.warnings.size() == 2);
    CHECK(c.warnings[0].term == "RegistryItem/Path");
    CHECK(c.warnings[0].reason.find("not available on Linux") != std::string::npos);
    CHECK(c.warnings[1].term == "FileItem/PEInfo/Type");
}

TEST_CASE("ioc_scanner loads all 50 corpus IOCs; the invalid one fails clearly") {
    const fs::path dir = fs::path(VIGIL_CORPUS_DIR) / "openioc";
    REQUIRE(fs::is_directory(dir));
    int total = 0, loaded = 0;
    std::set<std::string> failed;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (e.path().extension() != ".ioc") continue;
        ++total;
        try {
            CompiledIoc c = compile(load_ioc_file(e.path().string()));
            CHECK(!c.leaves.empty());
            ++loaded;
        } catch (const ParseError& err) {
            failed.insert(e.path().filename().string());
            if (e.path().filename() == "d7ec102e-b8df-41d5-8189-352f378f0cce.ioc") {
                CHECK(err.line() == 5);
                CHECK(err.reason().find("<short_description> comes after <authored_date>") !=
                      std::string::npos);
                CHECK(std::string(err.what()).find(e.path().string() + ":5:") == 0);
            }
        }
    }
    CHECK(total == 50);
    CHECK(loaded == 49);
    CHECK(failed == std::set<std::string>{"d7ec102e-b8df-41d5-8189-352f378f0cce.ioc"});

    // The 1.0 file carrying 1.1 attributes on one item loads and honours them.
    Ioc sourface = load_ioc_file(
        (dir / "iocs-1.0/mandiant-iocs/APT28/e1cbf7ca-4938-4d3c-a7e6-3ff966516191.ioc").string());
    CHECK(sourface.version == "1.0");
    // The richest 1.1 example uses all seven 1.1 conditions.
    CompiledIoc prune = compile(
        load_ioc_file((dir / "iocs-1.1/ioc_writer-tests/378f0cce-b8df-41d5-8189-3d7ec102e52f.ioc").string()));
    std::set<Condition> conds;
    for (const auto& l : prune.leaves) conds.insert(l.matcher->condition());
    CHECK(conds.size() == 7);
    // Yara terms of the openioc_to_yara examples are warnings.
    CompiledIoc yara = compile(load_ioc_file(
        (dir / "iocs-1.1/ioc_writer-openioc_to_yara-examples/095e05ed-68f1-41a6-a39f-bba250d7ddcf.ioc")
            .string()));
    CHECK(!yara.warnings.empty());
}
