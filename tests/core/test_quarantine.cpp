#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "json_util.hpp"
#include "vigil/testing/temp_dir.hpp"
#include "quarantine_store.hpp"

using namespace vigil::core;
namespace fs = std::filesystem;

namespace {
// The shared TempDir (tests/support) with the member these tests use.
struct TempDir : vigil::testing::TempDir {
    fs::path path = vigil::testing::TempDir::path();
};
std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}
}  // namespace

TEST_CASE("quarantine moves a file in with hashes and restores it byte-identical with owner, mode, mtime") {
    TempDir t;
    QuarantineStore q((t.path / "q").string());
    fs::path f = t.path / "evil.bin";
    std::string content = std::string("MZ\0\x01", 4) + "binary\xff content";
    {
        std::ofstream(f, std::ios::binary) << content;
    }
    ::chmod(f.c_str(), 0751);
    REQUIRE(::chown(f.c_str(), 65534, 65534) == 0);
    struct stat before{};
    ::stat(f.c_str(), &before);

    std::string out;
    REQUIRE_MESSAGE(q.put(f.string(), R"({"rule":"x"})", "test", false, out), out);
    CHECK_FALSE(fs::exists(f));
    auto meta = parse_json(out);
    REQUIRE(meta);
    CHECK(json_string(*meta, "sha256") == "4b4fcf6f0bf12c9c3cb8bd039bbac30c5d29ea2f506ef74e88ae0c5c765de0ef");
    CHECK((*meta)["size"].GetUint64() == content.size());
    CHECK((*meta)["mode"].GetUint() == 0751);
    CHECK(std::string((*meta)["meta"]["rule"].GetString()) == "x");
    std::string id = json_string(*meta, "id");
    CHECK(q.list_json().find(id) != std::string::npos);

    REQUIRE_MESSAGE(q.restore({id}, out), out);
    CHECK(slurp(f) == content);
    struct stat after{};
    ::stat(f.c_str(), &after);
    CHECK(after.st_uid == 65534);
    CHECK(after.st_gid == 65534);
    CHECK((after.st_mode & 07777) == 0751);
    CHECK(after.st_mtim.tv_sec == before.st_mtim.tv_sec);
    CHECK(q.list_json() == "[]");  // restored entries leave the store
}

TEST_CASE("quarantine refuses symlinks, directories, relative paths; restore refuses to overwrite") {
    TempDir t;
    QuarantineStore q((t.path / "q").string());
    std::string out;
    fs::path target = t.path / "target";
    std::ofstream(target) << "x";
    fs::create_symlink(target, t.path / "link");
    CHECK_FALSE(q.put((t.path / "link").string(), "", "t", false, out));
    CHECK(out.find("symbolic link") != std::string::npos);
    CHECK_FALSE(q.put(t.path.string(), "", "t", false, out));
    CHECK(out.find("not a regular file") != std::string::npos);
    CHECK_FALSE(q.put("relative/file", "", "t", false, out));
    CHECK_FALSE(q.put(target.string(), "not json", "t", false, out));
    CHECK(out.find("metadata must be a JSON object") != std::string::npos);

    REQUIRE(q.put(target.string(), "{}", "t", true, out));  // copy: original stays
    CHECK(fs::exists(target));
    std::string id = json_string(*parse_json(out), "id");
    CHECK_FALSE(q.restore({id}, out));
    CHECK(out.find("exists") != std::string::npos);
    CHECK(q.restore({id, "", true}, out));
    CHECK_FALSE(q.restore({"../../etc"}, out));
    CHECK(out.find("invalid quarantine id") != std::string::npos);
    CHECK_FALSE(q.remove("q-does-not-exist", out));
}
