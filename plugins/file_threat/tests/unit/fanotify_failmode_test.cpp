// Fail modes, interpreter opens and the exec cache on real fanotify (private
// tmpfs; needs root, skipped with a message otherwise).
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include <filesystem>
#include <thread>

#include "eicar.hpp"
#include "monitor_test_util.hpp"
#include "protector.hpp"
#include "recording_reporter.hpp"

using namespace vigil::file_threat;
using namespace std::chrono_literals;
using namespace vigil::file_threat::test;

namespace {
std::string copy_true(const std::string& dir, const std::string& name, mode_t mode) {
    const std::string path = dir + "/" + name;
    std::filesystem::create_directories(dir);
    std::filesystem::copy_file("/bin/true", path, std::filesystem::copy_options::overwrite_existing);
    ::chmod(path.c_str(), mode);
    return path;
}
}  // namespace

TEST_CASE("file_threat monitor: a scan that runs out of time denies exec of untrusted files quickly, allows opens") {
    ProtectorOptions po;
    po.test_scan_delay_ms = 5000;  // every scan is too slow
    ProtectedTmpfs t(po);
    SKIP_UNLESS_MOUNTED(t);
    auto& [fs, root, rep, protector] = t;
    auto opts = options_for(root);
    opts.scan_timeout = 300ms;
    opts.kernel_cache = false;
    opts.fail.trusted_paths = {root + "/trusted/"};
    FanotifyMonitor mon(opts, protector);
    mon.start();

    const auto untrusted = copy_true(root + "/home", "prog", 0755);
    const auto trusted = copy_true(root + "/trusted", "prog", 0755);
    const auto writable = copy_true(root + "/trusted", "shared", 0777);
    auto t0 = Clock::now();
    CHECK(exec_in_child({untrusted}) == EPERM);
    CHECK(Clock::now() - t0 < 3s);  // the time limit, not the 5 s scan
    CHECK(exec_in_child({trusted}) == 0);
    CHECK(exec_in_child({writable}) == EPERM);  // under a trusted path but anyone could have written it
    CHECK(open_in_child(untrusted) == 0);       // open: allow
    CHECK(mon.stats().timeouts.load() >= 4);  // an allowed exec also sends its FAN_OPEN_PERM
    CHECK(mon.stats().failed_closed.load() == 2);
    mon.stop();
}

TEST_CASE("file_threat monitor: a full queue answers exec of untrusted files at once with EPERM") {
    ProtectorOptions po;
    po.test_scan_delay_ms = 3000;
    ProtectedTmpfs t(po);
    SKIP_UNLESS_MOUNTED(t);
    auto& [fs, root, rep, protector] = t;
    auto opts = options_for(root);
    opts.workers = 1;
    opts.queue_size = 1;
    opts.kernel_cache = false;
    opts.scan_timeout = 10000ms;
    FanotifyMonitor mon(opts, protector);
    mon.start();
    // Two slow scans hold the only worker and the only queue slot.
    auto a = fs.dir.file("a.txt", "a"), b = fs.dir.file("b.txt", "b");
    std::thread ta([&] { open_in_child(a); });
    for (int i = 0; i < 300 && mon.stats().scans.load() < 1; ++i) std::this_thread::sleep_for(10ms);
    std::thread tb([&] { open_in_child(b); });
    for (int i = 0; i < 300 && mon.pending() < 2; ++i) std::this_thread::sleep_for(10ms);
    if (mon.pending() != 2) {
        ta.join();
        tb.join();
        FAIL("the two slow scans are not pending: " << mon.pending());
    }
    const auto prog = copy_true(root + "/home", "prog", 0755);
    auto t0 = Clock::now();
    CHECK(exec_in_child({prog}) == EPERM);
    CHECK(Clock::now() - t0 < 1s);  // at once, not after a scan
    CHECK(mon.stats().queue_full.load() >= 1);
    mon.stop();
    ta.join();
    tb.join();
}

TEST_CASE("file_threat monitor: files opened by interpreters are scanned, other opens pass; exec never uses kernel marks") {
    ProtectedTmpfs t(block_and_notify());
    SKIP_UNLESS_MOUNTED(t);
    auto& [fs, root, rep, protector] = t;
    auto opts = options_for(root);
    opts.open_perm = false;
    opts.interpreter_opens = true;
    opts.interpreters = default_interpreters();
    opts.close_write = false;
    FanotifyMonitor mon(opts, protector);
    mon.start();

    // A user's script with EICAR: sh reading it is denied, cat is not scanned.
    auto script = fs.dir.file("user/evil.sh", eicar_string());
    REQUIRE(::chown(script.c_str(), 4321, 4321) == 0);
    CHECK(exec_in_child({"/bin/sh", "-c", ". " + script}) != 0);
    CHECK(exec_in_child({"/bin/cat", script}) == 0);  // cat is not an interpreter: its open is not scanned
    CHECK(rep.threat_count() == 1);
    CHECK(mon.stats().interpreter_opens.load() >= 1);
    CHECK(mon.stats().opens_passed.load() >= 1);

    // A clean program: every exec is a permission event answered in user
    // space (no kernel ignore mark covers exec).
    const auto prog = copy_true(root + "/bin", "prog", 0755);
    for (int i = 0; i < 3; ++i) CHECK(exec_in_child({prog}) == 0);
    CHECK(mon.stats().allowed_cached.load() >= 2);
    mon.stop();
}

// Security review M3: a write through a shared mmap raises no FS_MODIFY, so it would
// not clear a kernel ignore mark. Exec decisions use no such mark: the user-space
// cache's key has mtime and ctime, which the mmap write moves.
TEST_CASE("file_threat monitor: an mmap write to a cached-clean executable is scanned again at exec") {
    ProtectedTmpfs t(block_and_notify());
    SKIP_UNLESS_MOUNTED(t);
    auto opts = options_for(t.root);
    opts.close_write = false;  // the mmap write alone, no close-after-write scan to catch it
    opts.kernel_cache = true;
    FanotifyMonitor mon(opts, t.protector);
    mon.start();

    // Owned by root, mode 0755: the kind of file the kernel cache marks for opens.
    std::string body = "#!/bin/sh\nexit 0\n";
    body.resize(100, '\n');  // room for the EICAR string (68 bytes) plus padding
    const std::string path = t.root + "/prog.sh";
    {
        int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
        REQUIRE(fd >= 0);
        REQUIRE(::write(fd, body.data(), body.size()) == ssize_t(body.size()));
        ::close(fd);
    }
    CHECK(exec_in_child({path}) == 0);
    CHECK(exec_in_child({path}) == 0);
    CHECK(mon.stats().allowed_cached.load() >= 1);  // the second exec came from the cache
    CHECK(open_in_child(path) == 0);
    CHECK(mon.stats().kernel_cache_marks.load() >= 1);  // opens of it now stay in the kernel
    const auto marks = mon.stats().kernel_cache_marks.load();
    for (int i = 0; i < 3; ++i) CHECK(exec_in_child({path}) == 0);
    CHECK(mon.stats().kernel_cache_marks.load() == marks);  // a cached exec adds no mark again

    std::this_thread::sleep_for(20ms);  // a later timestamp even with coarse clocks
    int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);  // our own process: not a monitored access
    REQUIRE(fd >= 0);
    void* map = ::mmap(nullptr, body.size(), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    REQUIRE(map != MAP_FAILED);
    std::string eicar = eicar_string();
    eicar.resize(body.size(), ' ');
    std::memcpy(map, eicar.data(), eicar.size());
    REQUIRE(::msync(map, body.size(), MS_SYNC) == 0);
    ::munmap(map, body.size());
    ::close(fd);

    CHECK(exec_in_child({path}) == EPERM);  // scanned again, not answered from any cache
    CHECK(t.rep.threat_count() == 1);
    mon.stop();
}
