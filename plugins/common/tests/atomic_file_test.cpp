#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <system_error>

#include "vigil/common/atomic_file.hpp"
#include "vigil/testing/temp_dir.hpp"

using namespace vigil::common;

namespace {
size_t entries(const std::filesystem::path& dir) {
    size_t n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++n;
    return n;
}
}  // namespace

TEST_CASE("atomic_file: writes, replaces and sets the mode regardless of umask") {
    vigil::testing::TempDir dir;
    const std::string path = (dir / "state.json").string();
    const mode_t old = ::umask(077);
    write_file_atomic(path, "one", {.mode = 0644});
    ::umask(old);
    CHECK(dir.read("state.json") == "one");
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0644);

    write_file_atomic(path, std::string(1 << 20, 'x'), {.durability = Durability::process_crash});
    CHECK(dir.read("state.json").size() == size_t(1 << 20));
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0600);
    // No temporary is left behind.
    CHECK(entries(dir.path()) == 1);
}

TEST_CASE("atomic_file: a failure names the path and leaves no temporary") {
    vigil::testing::TempDir dir;
    // The target is a directory: rename fails after the data was written.
    std::filesystem::create_directories(dir / "target" / "child");
    const std::string path = (dir / "target").string();
    try {
        write_file_atomic(path, "data");
        FAIL("no error");
    } catch (const std::system_error& e) {
        CHECK(std::string(e.what()).find(path) != std::string::npos);
    }
    CHECK(entries(dir.path()) == 1);
    // A missing directory: the temporary cannot be created.
    CHECK_THROWS_AS(write_file_atomic((dir / "no" / "such").string(), "x"), std::system_error);
}

TEST_CASE("atomic_file: a symlink at the target is replaced, not followed") {
    vigil::testing::TempDir dir;
    const std::string victim = dir.write("victim", "keep");
    const std::string link = (dir / "link").string();
    REQUIRE(::symlink(victim.c_str(), link.c_str()) == 0);
    write_file_atomic(link, "new");
    CHECK(dir.read("victim") == "keep");
    CHECK(dir.read("link") == "new");
    CHECK_FALSE(std::filesystem::is_symlink(link));
}

TEST_CASE("atomic_file: parent_directory and fsync helpers") {
    CHECK(parent_directory("/a/b/c") == "/a/b");
    CHECK(parent_directory("/c") == "/");
    CHECK(parent_directory("c") == ".");
    vigil::testing::TempDir dir;
    auto f = dir.write("f", "x");
    CHECK_NOTHROW(fsync_file(f));
    CHECK_NOTHROW(fsync_directory(dir.path().string()));
    CHECK_THROWS_AS(fsync_directory((dir / "missing").string()), std::system_error);
}

TEST_CASE("atomic_file: relative path in the current directory") {
    vigil::testing::TempDir dir;
    const auto cwd = std::filesystem::current_path();
    std::filesystem::current_path(dir.path());
    write_file_atomic("rel.txt", "rel");
    std::filesystem::current_path(cwd);
    CHECK(dir.read("rel.txt") == "rel");
    CHECK(entries(dir.path()) == 1);
}
