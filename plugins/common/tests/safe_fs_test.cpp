#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "vigil/common/safe_fs.hpp"
#include "vigil/testing/temp_dir.hpp"

using namespace vigil::common;
namespace fs = std::filesystem;

TEST_CASE("safe_fs: split_path normalizes and refuses what could escape") {
    auto p = split_path("/a//b/c");
    REQUIRE(p);
    CHECK(p->parent == "/a/b");
    CHECK(p->name == "c");
    CHECK(p->path() == "/a/b/c");
    CHECK(split_path("/top")->parent == "/");
    CHECK(split_path("/top")->path() == "/top");
    std::string why;
    CHECK_FALSE(split_path("rel/x", &why));
    CHECK(why.find("absolute") != std::string::npos);
    CHECK_FALSE(split_path("/a/../etc/passwd", &why));
    CHECK(why.find("'..'") != std::string::npos);
    CHECK_FALSE(split_path("/a/./b"));
    CHECK_FALSE(split_path("/"));
    CHECK_FALSE(split_path(""));
    CHECK_FALSE(split_path(std::string_view("/a\0b", 4)));
}

TEST_CASE("safe_fs: a symbolic link in any directory component is refused, with and without openat2") {
    vigil::testing::TempDir t;
    fs::create_directories(t / "real/deeper");
    fs::create_directory_symlink(t / "real", t / "link");
    CHECK(open_dir_nofollow((t / "real/deeper").string()).valid());
    CHECK_THROWS_WITH_AS(open_dir_nofollow((t / "link/deeper").string()), doctest::Contains("symbolic link"),
                         SafeFsError);
    // The owner-checking walk (no openat2) names the link too.
    DirOwners owners{::getuid()};
    CHECK(open_dir_nofollow((t / "real/deeper").string(), &owners).valid());
    try {
        open_dir_nofollow((t / "link/deeper").string(), &owners);
        FAIL("a link was followed");
    } catch (const SafeFsError& e) {
        CHECK(e.sys_errno() == ELOOP);
        CHECK(std::string(e.what()).find((t / "link").string()) != std::string::npos);
    }
    CHECK_THROWS_AS(resolve_file((t / "link/deeper/x").string()), SafeFsError);
}

TEST_CASE("safe_fs: directories owned by someone else are refused by the owner walk") {
    vigil::testing::TempDir t;
    fs::create_directories(t / "theirs/sub");
    REQUIRE(::chown((t / "theirs").c_str(), 12345, 12345) == 0);
    DirOwners owners{54321};
    CHECK_THROWS_WITH_AS(open_dir_nofollow((t / "theirs/sub").string(), &owners), doctest::Contains("uid 12345"),
                         SafeFsError);
    DirOwners theirs{12345};
    CHECK(open_dir_nofollow((t / "theirs/sub").string(), &theirs).valid());
}

TEST_CASE("safe_fs: a parent swapped for a symlink after the check: the action stays on the judged file") {
    vigil::testing::TempDir t;
    t.write("d/victim", "evil");
    t.write("etc/victim", "canary");
    FileRef ref = resolve_file((t / "d/victim").string());
    fs::rename(t / "d", t / "d.moved");
    fs::create_directory_symlink(t / "etc", t / "d");
    UniqueFd in = open_verified(ref);
    char buf[8] = {};
    CHECK(::read(in.get(), buf, sizeof buf) == 4);
    CHECK(std::string(buf) == "evil");
    unlink_verified(ref);
    CHECK(fs::exists(t / "etc/victim"));
    CHECK_FALSE(fs::exists(t / "d.moved/victim"));
}

TEST_CASE("safe_fs: another file under the judged name, or a changed one, is never touched") {
    vigil::testing::TempDir t;
    t.write("d/f", "evil");
    FileRef ref = resolve_file((t / "d/f").string());
    fs::rename(t / "d/f", t / "d/f.orig");
    t.write("d/f", "someone else");
    try {
        unlink_verified(ref);
        FAIL("a different inode was removed");
    } catch (const SafeFsError& e) {
        CHECK(e.sys_errno() == ESTALE);
    }
    CHECK(t.read("d/f") == "someone else");

    t.write("d/g", "v1");
    FileRef g = resolve_file((t / "d/g").string());
    {
        int fd = ::open((t / "d/g").c_str(), O_WRONLY | O_APPEND);
        REQUIRE(fd >= 0);
        REQUIRE(::write(fd, "v2", 2) == 2);
        ::close(fd);
    }
    CHECK_THROWS_WITH_AS(unlink_verified(g), doctest::Contains("changed since"), SafeFsError);
    CHECK(fs::exists(t / "d/g"));
    g.check_version = false;  // identity only: the same inode may go
    unlink_verified(g);
    CHECK_FALSE(fs::exists(t / "d/g"));
}

TEST_CASE("safe_fs: a FIFO or a link under the name fails at once instead of blocking") {
    vigil::testing::TempDir t;
    t.write("d/f", "x");
    FileRef ref = resolve_file((t / "d/f").string());
    fs::remove(t / "d/f");
    REQUIRE(::mkfifo((t / "d/f").c_str(), 0600) == 0);
    CHECK_THROWS_AS(open_verified(ref), SafeFsError);
    fs::remove(t / "d/f");
    fs::create_symlink("/etc/passwd", t / "d/f");
    CHECK_THROWS_WITH_AS(open_verified(ref), doctest::Contains("symbolic link"), SafeFsError);
    CHECK_THROWS_AS(unlink_verified(ref), SafeFsError);
    CHECK(fs::is_symlink(t / "d/f"));
    CHECK_THROWS_AS(resolve_file((t / "d/f").string()), SafeFsError);
    CHECK_THROWS_AS(resolve_file((t / "d").string()), SafeFsError);  // a directory
}

TEST_CASE("safe_fs: ref_at keeps its own copy of the caller's directory descriptor") {
    vigil::testing::TempDir t;
    t.write("d/f", "x");
    struct stat st {};
    REQUIRE(::stat((t / "d/f").c_str(), &st) == 0);
    UniqueFd dir = open_dir_nofollow((t / "d").string());
    FileRef ref = ref_at(dir.get(), "f", (t / "d/f").string(), FileStamp::of(st));
    dir.reset();
    CHECK(verify_ref(ref).st_ino == st.st_ino);
    CHECK_THROWS_AS(ref_at(ref.dir.get(), "../f", "x", FileStamp::of(st)), SafeFsError);
    CHECK(open_dir_nofollow("/", nullptr, true).valid());
}

TEST_CASE("safe_fs: resolve_file_at stays beneath its base and follows no link") {
    vigil::testing::TempDir t;
    t.write("root/d/f", "x");
    t.write("outside", "y");
    fs::create_directory_symlink(t / "root/d", t / "root/link");
    UniqueFd base(::open((t / "root").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(base.valid());
    FileRef ref = resolve_file_at(base.get(), "d/f", "/proc/1/root/d/f");
    CHECK(ref.path == "/proc/1/root/d/f");
    CHECK(ref.name == "f");
    CHECK(verify_ref(ref).st_size == 1);
    CHECK_THROWS_AS(resolve_file_at(base.get(), "link/f", "x"), SafeFsError);
    CHECK_THROWS_AS(resolve_file_at(base.get(), "../outside", "x"), SafeFsError);
}
