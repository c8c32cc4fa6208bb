// Real fanotify, in a private mount namespace on a tmpfs this test mounts, so
// nothing outside the test is watched. Needs root (CAP_SYS_ADMIN); skipped
// with a message otherwise.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "eicar.hpp"
#include "fanotify_monitor.hpp"
#include "protector.hpp"
#include "recording_reporter.hpp"
#include "test_util.hpp"
#include "monitor_test_util.hpp"

using namespace vigil::file_threat;
using namespace std::chrono_literals;
using namespace vigil::file_threat::test;


TEST_CASE("file_threat monitor: clean opens pass, EICAR is denied, a late scan fails open, stop releases") {
    ProtectedTmpfs t(block_and_notify());
    SKIP_UNLESS_MOUNTED(t);
    auto& [fs, root, rep, protector] = t;

    auto clean = fs.dir.file("clean.txt", "hello");
    auto eicar = fs.dir.file("eicar.com", eicar_string());

    {
        auto monp = std::make_shared<FanotifyMonitor>(options_for(root), protector);
        auto& mon = *monp;
        protector.set_monitor(monp);
        mon.start();
        CHECK(mon.marks() == std::vector<std::string>{"mount:" + root});
        CHECK(open_in_child(clean) == 0);
        CHECK(open_in_child(eicar) == EPERM);
        CHECK(open_in_child(clean) == 0);  // kernel or userspace cache
        CHECK(open_in_child(eicar) == EPERM);
        CHECK(mon.stats().denied.load() == 1);
        CHECK(mon.stats().denied_cached.load() == 1);
        CHECK(rep.threat_count() == 1);
        // The agent's own process is never blocked.
        CHECK(::open(eicar.c_str(), O_RDONLY) >= 0);
        mon.stop();
        protector.set_monitor(nullptr);
    }

    // A scan slower than its time limit lets the access through and is counted.
    ProtectorOptions po = block_and_notify();
    po.test_scan_delay_ms = 3000;
    protector.set_options(po);
    {
        auto opts = options_for(root);
        opts.scan_timeout = 200ms;
        opts.kernel_cache = false;
        FanotifyMonitor mon(opts, protector);
        mon.start();
        auto slow = fs.dir.file("slow.txt", "slow");
        auto t0 = Clock::now();
        CHECK(open_in_child(slow) == 0);
        CHECK(Clock::now() - t0 < 2500ms);
        CHECK(mon.stats().timeouts.load() == 1);
        mon.stop();
    }

    // stop() while a scan is running: the waiting open completes.
    po.test_scan_delay_ms = 60000;
    protector.set_options(po);
    {
        auto opts = options_for(root);
        opts.scan_timeout = 120000ms;
        FanotifyMonitor mon(opts, protector);
        mon.start();
        auto waiting = fs.dir.file("waiting.txt", "w");
        int result = -2;
        std::thread opener([&] { result = open_in_child(waiting); });
        for (int i = 0; i < 200 && mon.pending() == 0; ++i) std::this_thread::sleep_for(10ms);
        CHECK(mon.pending() == 1);
        auto t0 = Clock::now();
        mon.stop();
        opener.join();
        CHECK(result == 0);
        CHECK(Clock::now() - t0 < 5s);
    }
}

TEST_CASE("file_threat monitor: close-after-write scan quarantines, modification invalidates") {
    ProtectedTmpfs t(ProtectorOptions{});
    SKIP_UNLESS_MOUNTED(t);
    auto& [fs, root, rep, protector] = t;
    rep.quarantine_dir = root + "/store";  // same file system: the recording store renames
    std::filesystem::create_directories(rep.quarantine_dir);
    auto opts = options_for(root);
    opts.exclusions = Exclusions({root + "/excluded"});
    auto monp = std::make_shared<FanotifyMonitor>(opts, protector);
    auto& mon = *monp;
    protector.set_monitor(monp);
    mon.start();

    auto file = root + "/doc.txt";
    auto write_in_child = [](const std::string& path, const std::string& content) {
        pid_t pid = ::fork();
        if (pid == 0) {
            int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            bool ok = fd >= 0 && ::write(fd, content.data(), content.size()) == ssize_t(content.size());
            ::close(fd);
            ::_exit(ok ? 0 : 1);
        }
        int st;
        ::waitpid(pid, &st, 0);
    };
    write_in_child(file, "harmless");
    CHECK(open_in_child(file) == 0);  // clean, cached
    write_in_child(file, eicar_string());  // same inode, now EICAR
    for (int i = 0; i < 300 && std::filesystem::exists(file); ++i) std::this_thread::sleep_for(10ms);
    CHECK_FALSE(std::filesystem::exists(file));  // quarantined after close-after-write
    for (int i = 0; i < 300 && rep.action(0).empty(); ++i) std::this_thread::sleep_for(10ms);
    CHECK(rep.threat_count() == 1);
    CHECK(rep.action(0) == "quarantine:ok:" + file);

    std::filesystem::create_directories(root + "/excluded");
    write_in_child(root + "/excluded/eicar.com", eicar_string());
    CHECK(open_in_child(root + "/excluded/eicar.com") == 0);
    std::this_thread::sleep_for(200ms);
    CHECK(std::filesystem::exists(root + "/excluded/eicar.com"));
    CHECK(rep.threat_count() == 1);
    CHECK(mon.stats().excluded.load() >= 2);
    mon.stop();
    protector.set_monitor(nullptr);
}

TEST_CASE("file_threat monitor: a write right after an allowed open invalidates the kernel-side verdict") {
    ProtectedTmpfs t(block_and_notify());
    SKIP_UNLESS_MOUNTED(t);
    auto& [fs, root, rep, protector] = t;
    auto opts = options_for(root);
    opts.close_write = false;  // only permission events: the kernel cache alone must not let it through
    auto monp = std::make_shared<FanotifyMonitor>(opts, protector);
    auto& mon = *monp;
    protector.set_monitor(monp);
    mon.start();
    for (int i = 0; i < 20; ++i) {
        const std::string path = root + "/copy" + std::to_string(i);
        pid_t pid = ::fork();
        if (pid == 0) {  // like cp: create (clean, empty), then write at once
            int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            const auto& e = eicar_string();
            bool ok = fd >= 0 && ::write(fd, e.data(), e.size()) == ssize_t(e.size());
            ::_exit(ok ? 0 : 1);
        }
        int st;
        ::waitpid(pid, &st, 0);
        REQUIRE(WEXITSTATUS(st) == 0);
        CHECK(open_in_child(path) == EPERM);
    }
    CHECK(mon.stats().kernel_cache_marks.load() >= 1);
    mon.stop();
    protector.set_monitor(nullptr);
}
