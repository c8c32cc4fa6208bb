// Hashing through a held O_PATH descriptor: what the worker threads do. Nothing here may
// block: FIFOs, devices and remote filesystems are refused before any read.
#include "process/exe_hasher.hpp"
#include "process/proc_reader.hpp"
#include "vigil/testing/temp_dir.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

using namespace vigil::behavior;

namespace {

int hold(const std::string& path) { return ::open(path.c_str(), O_PATH | O_CLOEXEC); }

ExeKey key_of(const std::string& path) {
    struct stat st{};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return exe_key_of(st);
}

}  // namespace

TEST_CASE("held descriptor: a regular file is hashed, checked against its key and cached") {
    vigil::testing::TempDir dir;
    std::string f = (dir / "prog").string();
    { std::ofstream(f) << "abc"; }
    ExeHasher h(16, 1 << 20);
    int fd = hold(f);
    REQUIRE(fd >= 0);
    auto r = h.hash_held(fd, key_of(f), 0);
    CHECK(r.status == VIGIL_HASH_OK);
    CHECK(r.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(h.cached(key_of(f)) == r.sha256);
    // A key that does not match the file (another exec, a rewrite): no digest.
    ExeKey other = key_of(f);
    other.size += 1;
    CHECK(h.hash_held(fd, other, 0).status == VIGIL_HASH_EXITED);
    ::close(fd);
}

TEST_CASE("held descriptor: FIFO, large file and remote filesystem are refused without reading") {
    vigil::testing::TempDir dir;
    std::string fifo = (dir / "fifo").string();
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    ExeHasher h(16, 2);
    int fd = hold(fifo);  // O_PATH never waits for a writer
    REQUIRE(fd >= 0);
    CHECK(h.hash_held(fd, {}, 0).status == VIGIL_HASH_NOT_REGULAR);
    ::close(fd);
    std::string f = (dir / "big").string();
    { std::ofstream(f) << "more than two bytes"; }
    fd = hold(f);
    CHECK(h.hash_held(fd, {}, 0).status == VIGIL_HASH_TOO_LARGE);
    CHECK(h.hash_held(fd, {}, 0x65735546).status == VIGIL_HASH_REMOTE_FS);  // FUSE
    CHECK(h.hash_held(fd, {}, 0x6969).status == VIGIL_HASH_REMOTE_FS);      // NFS
    ::close(fd);
    CHECK(is_remote_fs_magic(0xFE534D42));
    CHECK_FALSE(is_remote_fs_magic(0xEF53));  // ext4
    CHECK_FALSE(is_remote_fs_magic(0x01021994));  // tmpfs
}

TEST_CASE("proc reader: the key of a running executable without asking its filesystem; start ticks") {
    ProcReader r;
    ExeKey k = r.exe_key(::getpid());
    CHECK(k.valid());
    CHECK(k == key_of("/proc/self/exe").as_precise_as(k));
    auto rec = r.read(::getpid(), false);
    REQUIRE(rec);
    CHECK(rec->info.argv.empty());  // not read on a sensor thread
    CHECK(r.start_ticks(::getpid()) == rec->start_boottime_ns / ProcReader::tick_ns());
    auto argv = r.read_argv(::getpid());
    REQUIRE(argv);
    CHECK(!argv->empty());
}
