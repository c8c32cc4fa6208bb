#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <string>

#include "vigil/common/digest.hpp"
#include "vigil/testing/temp_dir.hpp"

using namespace vigil::common;

namespace {
// Known answers for "abc" (FIPS 180 / RFC 1321 test vectors).
const char* kAbcMd5 = "900150983cd24fb0d6963f7d28e17f72";
const char* kAbcSha1 = "a9993e364706816aba3e25717850c26c9cd0d89d";
const char* kAbcSha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

struct Fd {
    int fd;
    ~Fd() { ::close(fd); }
};
}  // namespace

TEST_CASE("digest: known answers for each algorithm and the mask") {
    auto all = digest_bytes("abc", kAllDigests);
    CHECK(all.md5 == kAbcMd5);
    CHECK(all.sha1 == kAbcSha1);
    CHECK(all.sha256 == kAbcSha256);
    CHECK(all.bytes == 3);
    auto only = digest_bytes("abc", kSha1);
    CHECK(only.md5.empty());
    CHECK(only.sha1 == kAbcSha1);
    CHECK(only.sha256.empty());
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("digest: a file larger than one chunk equals the in-memory digest") {
    vigil::testing::TempDir dir;
    std::string data;
    for (int i = 0; i < 300000; ++i) data.push_back(char(i * 7));
    auto path = dir.write("f", data);
    auto d = digest_file(path, {.algorithms = kAllDigests, .chunk_size = 4096});
    auto m = digest_bytes(data, kAllDigests);
    CHECK(d.bytes == data.size());
    CHECK(d.md5 == m.md5);
    CHECK(d.sha1 == m.sha1);
    CHECK(d.sha256 == m.sha256);
}

TEST_CASE("digest: the size limit is checked before and while reading") {
    vigil::testing::TempDir dir;
    auto path = dir.write("f", std::string(1000, 'x'));
    try {
        digest_file(path, {.max_bytes = 999});
        FAIL("no error");
    } catch (const DigestError& e) {
        CHECK(e.kind() == DigestError::Kind::too_large);
        CHECK(std::string(e.what()).find("999") != std::string::npos);
    }
    CHECK(digest_file(path, {.max_bytes = 1000}).bytes == 1000);
    // An fd (no size check up front) stops at max_bytes + 1.
    Fd f{::open(path.c_str(), O_RDONLY)};
    CHECK_THROWS_AS(digest_fd(f.fd, {.max_bytes = 10}), DigestError);
}

TEST_CASE("digest: cancel, non-regular files and missing files") {
    vigil::testing::TempDir dir;
    auto path = dir.write("f", "abc");
    std::atomic<bool> cancel{true};
    try {
        digest_file(path, {.cancel = &cancel});
        FAIL("no error");
    } catch (const DigestError& e) {
        CHECK(e.kind() == DigestError::Kind::cancelled);
    }
    // A FIFO would block a plain open/read: refused without blocking.
    const std::string fifo = (dir / "fifo").string();
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    try {
        digest_file(fifo, {});
        FAIL("no error");
    } catch (const DigestError& e) {
        CHECK(e.kind() == DigestError::Kind::not_regular);
    }
    try {
        digest_file((dir / "missing").string(), {});
        FAIL("no error");
    } catch (const DigestError& e) {
        CHECK(e.kind() == DigestError::Kind::io);
        CHECK(e.sys_errno() == ENOENT);
    }
    // nofollow refuses a symlink as the last component.
    ::symlink(path.c_str(), (dir / "link").c_str());
    CHECK(digest_file((dir / "link").string(), {}).sha256 == kAbcSha256);
    CHECK_THROWS_AS(digest_file((dir / "link").string(), {}, true), DigestError);
}

TEST_CASE("digest: copy target, chunk callback and pread from an offset") {
    vigil::testing::TempDir dir;
    std::string data(200000, 'q');
    data[5] = 'z';
    auto path = dir.write("in", data);
    const std::string out = (dir / "out").string();
    Fd in{::open(path.c_str(), O_RDONLY)};
    Fd o{::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600)};
    size_t seen = 0;
    auto d = digest_fd(in.fd, {.copy_fd = o.fd, .on_chunk = [&](const char*, size_t n) { seen += n; }});
    CHECK(d.bytes == data.size());
    CHECK(seen == data.size());
    CHECK(dir.read("out") == data);

    // pread leaves the position alone and starts at the offset.
    ::lseek(in.fd, 0, SEEK_SET);
    auto tail = digest_fd(in.fd, {.offset = 6});
    CHECK(tail.sha256 == sha256_hex(data.substr(6)));
    CHECK(::lseek(in.fd, 0, SEEK_CUR) == 0);
}

TEST_CASE("digest: MultiDigest in pieces equals one update") {
    MultiDigest md(kSha256 | kMd5);
    md.update("a", 1);
    md.update("bc", 2);
    auto d = md.finish();
    CHECK(d.sha256 == kAbcSha256);
    CHECK(d.md5 == kAbcMd5);
    CHECK(d.sha1.empty());
}
