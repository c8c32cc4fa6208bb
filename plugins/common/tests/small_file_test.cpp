#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdexcept>
#include <system_error>

#include "vigil/common/small_file.hpp"
#include "vigil/testing/child_process.hpp"
#include "vigil/testing/temp_dir.hpp"

using namespace vigil::common;

TEST_CASE("small_file: content, missing file, limit and truncation") {
    vigil::testing::TempDir dir;
    auto path = dir.write("f", "0123456789");
    CHECK(read_small_file(path) == std::string("0123456789"));
    CHECK_FALSE(read_small_file((dir / "missing").string()).has_value());
    CHECK(read_small_file(path, {.max_bytes = 10}) == std::string("0123456789"));
    CHECK_THROWS_AS(read_small_file(path, {.max_bytes = 9}), std::runtime_error);
    CHECK(read_small_file(path, {.max_bytes = 4, .truncate = true}) == std::string("0123"));
    CHECK(read_file_or_empty(path, 3) == "012");
    CHECK(read_file_or_empty((dir / "missing").string()).empty());
}

TEST_CASE("small_file: a FIFO does not block, a directory is an error, nofollow refuses links") {
    vigil::testing::TempDir dir;
    const std::string fifo = (dir / "fifo").string();
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    CHECK(read_small_file(fifo) == std::string());
    CHECK_THROWS_AS(read_small_file(dir.path().string()), std::system_error);
    auto path = dir.write("f", "x");
    REQUIRE(::symlink(path.c_str(), (dir / "l").c_str()) == 0);
    CHECK(read_small_file((dir / "l").string()) == std::string("x"));
    CHECK_THROWS_AS(read_small_file((dir / "l").string(), {.nofollow = true}), std::system_error);
}

TEST_CASE("small_file: /proc files (size 0 in stat) are read in full") {
    auto text = read_small_file("/proc/self/status");
    REQUIRE(text.has_value());
    CHECK(text->find("Pid:") != std::string::npos);
}

TEST_CASE("read_until_eof: everything until the writer closes, at most max_bytes kept, the writer never blocks") {
    int p[2];
    REQUIRE(::pipe(p) == 0);
    auto writer = vigil::testing::ChildProcess::run([&] {
        const std::string chunk(100000, 'x');  // more than a pipe holds: the reader must keep reading
        for (int i = 0; i < 3; ++i) (void)!::write(p[1], chunk.data(), chunk.size());
        return 0;
    });
    ::close(p[1]);
    const std::string got = read_until_eof(p[0], 250000);
    ::close(p[0]);
    CHECK(writer.wait() == vigil::testing::ChildProcess::exited_with(0));
    CHECK(got.size() == 250000);
    CHECK(got.find_first_not_of('x') == std::string::npos);
}
