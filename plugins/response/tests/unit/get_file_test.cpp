#include <doctest/doctest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <utime.h>

#include "action_error.hpp"
#include "get_file.hpp"
#include <vigil/common/digest.hpp>
#include "test_util.hpp"

using namespace vigil::response;
using response_test::TempDir;

namespace {
GetFileLimits limits_in(const TempDir& t) {
    GetFileLimits l;
    l.staging_dir = t / "staging";
    return l;
}
}  // namespace

TEST_CASE("response_get_file: streams a copy byte-identical with its facts") {
    TempDir t;
    std::string data;
    for (int i = 0; i < 300000; ++i) data.push_back(char(i * 7 + i / 251));  // ~300 KB, several chunks
    response_test::write_file(t / "sample.bin", data, 0640);
    StagedFile s = get_file(t / "sample.bin", limits_in(t), nullptr);
    CHECK(response_test::read_file(s.staged_path) == data);
    CHECK(s.staged_path.rfind(t / "staging/get_file-", 0) == 0);
    CHECK(s.facts.size == data.size());
    CHECK(s.facts.sha256 == vigil::common::digest_file(t / "sample.bin", {}).sha256);
    CHECK((s.facts.mode & 07777) == 0640);
    CHECK(s.facts.uid == ::getuid());
    CHECK_FALSE(s.facts.symlink_followed);
    CHECK(s.facts.mtime_ns > 0);
    struct stat st {};
    REQUIRE(::stat(s.staged_path.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0600);
}

TEST_CASE("response_get_file: known SHA-256") {
    TempDir t;
    response_test::write_file(t / "abc", "abc");
    StagedFile s = get_file(t / "abc", limits_in(t), nullptr);
    CHECK(s.facts.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("response_get_file: reports a followed symbolic link") {
    TempDir t;
    response_test::write_file(t / "target", "hello");
    REQUIRE(::symlink((t / "target").c_str(), (t / "link").c_str()) == 0);
    StagedFile s = get_file(t / "link", limits_in(t), nullptr);
    CHECK(s.facts.symlink_followed);
    CHECK(s.facts.resolved_path == t / "target");
    CHECK(response_test::read_file(s.staged_path) == "hello");
    REQUIRE(::symlink((t / "missing").c_str(), (t / "dangling").c_str()) == 0);
    CHECK_THROWS_WITH_AS(get_file(t / "dangling", limits_in(t), nullptr), doctest::Contains("dangling"),
                         ActionError);
}

TEST_CASE("response_get_file: refuses directories, devices, FIFOs and sockets") {
    TempDir t;
    CHECK_THROWS_WITH_AS(get_file(t.path(), limits_in(t), nullptr), doctest::Contains("is a directory"),
                         ActionError);
    CHECK_THROWS_WITH_AS(get_file("/dev/null", limits_in(t), nullptr), doctest::Contains("character device"),
                         ActionError);
    REQUIRE(::mkfifo((t / "fifo").c_str(), 0600) == 0);
    CHECK_THROWS_WITH_AS(get_file(t / "fifo", limits_in(t), nullptr), doctest::Contains("is a FIFO"),
                         ActionError);
    int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::string sp = t / "sock";
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", sp.c_str());
    REQUIRE(::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    CHECK_THROWS_WITH_AS(get_file(sp, limits_in(t), nullptr), doctest::Contains("is a socket"), ActionError);
    ::close(s);
    CHECK_THROWS_WITH_AS(get_file(t / "nope", limits_in(t), nullptr), doctest::Contains("No such file"),
                         ActionError);
}

TEST_CASE("response_get_file: size limits") {
    TempDir t;
    response_test::write_file(t / "ten", "0123456789");
    GetFileLimits l = limits_in(t);
    l.max_file_size = 10;
    CHECK_NOTHROW(get_file(t / "ten", l, nullptr));
    l.max_file_size = 9;
    CHECK_THROWS_WITH_AS(get_file(t / "ten", l, nullptr), doctest::Contains("larger than max_file_size (9)"),
                         ActionError);
    l.max_file_size = 100;
    l.staging_max_bytes = 15;  // one copy (10) is already staged
    CHECK_THROWS_WITH_AS(get_file(t / "ten", l, nullptr), doctest::Contains("staging_max_bytes"),
                         ActionError);
}

TEST_CASE("response_get_file: cancellation removes the partial copy") {
    TempDir t;
    response_test::write_file(t / "f", std::string(1000, 'x'));
    std::atomic<bool> cancel{true};
    CHECK_THROWS_WITH_AS(get_file(t / "f", limits_in(t), &cancel), doctest::Contains("cancelled"),
                         ActionError);
    CHECK(cleanup_staging(t / "staging", 0) == 0);  // nothing left behind
}

TEST_CASE("response_get_file: expired staged copies are cleaned up") {
    TempDir t;
    response_test::write_file(t / "f", "data");
    StagedFile s = get_file(t / "f", limits_in(t), nullptr);
    CHECK(cleanup_staging(t / "staging", 3600) == 0);
    CHECK(response_test::exists(s.staged_path));
    struct utimbuf old {
        1000, 1000
    };
    REQUIRE(::utime(s.staged_path.c_str(), &old) == 0);
    CHECK(cleanup_staging(t / "staging", 3600) == 1);
    CHECK_FALSE(response_test::exists(s.staged_path));
}
