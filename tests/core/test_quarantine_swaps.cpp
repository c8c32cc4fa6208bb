// The quarantine store acts only on the object that was judged: directory
// symlink swaps, renamed directories, replaced or rewritten files and
// restores through someone else's directory all fail without touching
// anything else.
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "json_util.hpp"
#include "quarantine_meta.hpp"
#include "quarantine_store.hpp"
#include "vigil/testing/temp_dir.hpp"

using namespace vigil::core;
using vigil::testing::TempDir;
namespace fs = std::filesystem;
namespace common = vigil::common;

namespace {
size_t entries(QuarantineStore& q) { return parse_json(q.list_json())->Size(); }
std::string id_of(const std::string& entry_json) { return json_string(*parse_json(entry_json), "id"); }
}  // namespace

TEST_CASE("quarantine put: a parent swapped for a symlink after the judgement moves only the judged file") {
    TempDir t;
    QuarantineStore q((t / "q").string());
    t.write("home/d/canary", "evil");
    t.write("etc/canary", "root's file");
    common::FileRef ref = common::resolve_file((t / "home/d/canary").string());
    fs::rename(t / "home/d", t / "home/d.old");
    fs::create_directory_symlink(t / "etc", t / "home/d");
    std::string out;
    REQUIRE_MESSAGE(q.put_at(ref, "{}", "test", false, out), out);
    CHECK(t.read("etc/canary") == "root's file");
    CHECK_FALSE(fs::exists(t / "home/d.old/canary"));
    // By path, the swapped directory is refused outright.
    t.write("etc/other", "root's file");
    CHECK_FALSE(q.put((t / "home/d/other").string(), "{}", "test", false, out));
    CHECK(out.find("symbolic link") != std::string::npos);
    CHECK(fs::exists(t / "etc/other"));
    CHECK(entries(q) == 1);
}

TEST_CASE("quarantine put: a replaced or rewritten file is left alone and no entry remains") {
    TempDir t;
    QuarantineStore q((t / "q").string());
    t.write("d/f", "evil");
    common::FileRef ref = common::resolve_file((t / "d/f").string());
    fs::rename(t / "d/f", t / "d/f.moved");
    t.write("d/f", "innocent");
    std::string out;
    CHECK_FALSE(q.put_at(ref, "{}", "test", false, out));
    CHECK(out.find("different file") != std::string::npos);
    CHECK(t.read("d/f") == "innocent");

    t.write("d/g", "evil");
    common::FileRef g = common::resolve_file((t / "d/g").string());
    t.write("d/g", "rewritten in place");  // same inode, new version
    CHECK_FALSE(q.put_at(g, "{}", "test", false, out));
    CHECK(out.find("changed") != std::string::npos);
    CHECK(fs::exists(t / "d/g"));
    CHECK(entries(q) == 0);
}

TEST_CASE("quarantine restore: never through a swapped directory, another user's directory or into protected paths") {
    TempDir t;
    fs::create_directories(t / "etc");
    QuarantineStore q((t / "q").string(), common::PathRules({(t / "etc").string() + "/**"}));
    t.write("home/d/ld.so.preload", "payload");
    REQUIRE(::chown((t / "home/d/ld.so.preload").c_str(), 4242, 4242) == 0);
    std::string out;
    REQUIRE_MESSAGE(q.put((t / "home/d/ld.so.preload").string(), "{}", "test", false, out), out);
    const std::string id = id_of(out);

    fs::rename(t / "home/d", t / "home/d.old");
    fs::create_directory_symlink(t / "etc", t / "home/d");
    CHECK_FALSE(q.restore({id}, out));
    CHECK(out.find("symbolic link") != std::string::npos);
    CHECK_FALSE(fs::exists(t / "etc/ld.so.preload"));

    fs::remove(t / "home/d");
    fs::create_directory(t / "home/d");
    REQUIRE(::chown((t / "home/d").c_str(), 777, 777) == 0);  // neither root nor the file's owner
    CHECK_FALSE(q.restore({id}, out));
    CHECK(out.find("uid 777") != std::string::npos);

    CHECK_FALSE(q.restore({id, (t / "etc/ld.so.preload").string()}, out));
    CHECK(out.find("protected path") != std::string::npos);
    CHECK_FALSE(q.restore({id, (t / "etc/ld.so.preload").string(), false, false, true}, out));  // force: original only
    CHECK_FALSE(fs::exists(t / "etc/ld.so.preload"));

    REQUIRE(::chown((t / "home/d").c_str(), 4242, 4242) == 0);
    REQUIRE_MESSAGE(q.restore({id}, out), out);
    CHECK(t.read("home/d/ld.so.preload") == "payload");
}

TEST_CASE("quarantine restore: force brings a protected original back; an existing target is never replaced silently") {
    TempDir t;
    QuarantineStore q((t / "q").string(), common::PathRules({(t / "sys").string() + "/**"}));
    t.write("sys/job", "false positive");
    std::string out;
    REQUIRE(q.put((t / "sys/job").string(), "{}", "test", false, out));
    const std::string id = id_of(out);
    CHECK_FALSE(q.restore({id}, out));
    CHECK(out.find("pass force") != std::string::npos);
    t.write("sys/job", "new");
    CHECK_FALSE(q.restore({id, "", false, true, true}, out));
    CHECK(out.find("exists") != std::string::npos);
    fs::remove(t / "sys/job");
    REQUIRE_MESSAGE(q.restore({id, "", false, false, true}, out), out);
    CHECK(t.read("sys/job") == "false positive");
    CHECK(fs::directory_iterator(t / "sys") != fs::directory_iterator());
    for (auto& e : fs::directory_iterator(t / "sys")) CHECK(e.path().filename() == "job");  // no temporary left
}

TEST_CASE("quarantine metadata reader: malformed entries are named, never trusted") {
    std::string why;
    CHECK(parse_quarantine_meta(R"({"original_path":"/a","uid":1,"gid":2,"mode":420,"size":3})", &why));
    CHECK_FALSE(parse_quarantine_meta("nope", &why));
    CHECK(why.find("not JSON") != std::string::npos);
    CHECK_FALSE(parse_quarantine_meta("[]", &why));
    CHECK_FALSE(parse_quarantine_meta(R"({"original_path":"rel","uid":1,"gid":2,"mode":420,"size":3})", &why));
    CHECK(why.find("original_path") != std::string::npos);
    CHECK_FALSE(parse_quarantine_meta(R"({"original_path":"/a","uid":4294967295,"gid":2,"mode":420,"size":3})", &why));
    CHECK(why.find("uid") != std::string::npos);
    CHECK_FALSE(parse_quarantine_meta(R"({"original_path":"/a","uid":1,"gid":2,"mode":65535,"size":3})", &why));
    CHECK(why.find("mode") != std::string::npos);
    CHECK_FALSE(parse_quarantine_meta(R"({"original_path":"/a","uid":1,"gid":-2,"mode":420,"size":3})", &why));
}
