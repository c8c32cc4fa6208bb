// The eBPF sensor against real processes, sockets and files.
#include "capture_sink.hpp"
#include "process/proc_reader.hpp"
#include "sensors/ebpf/ebpf_sensor.hpp"
#include "telemetry_pipeline.hpp"
#include "workload.hpp"

#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

using namespace vigil::behavior;
using namespace vigil::behavior::test;

namespace {

std::string real(const char* p) {
    char buf[4096];
    return ::realpath(p, buf) ? buf : p;
}

struct Fixture {
    CaptureSink sink;
    std::unique_ptr<TelemetryPipeline> pipeline;
    EbpfSensor sensor;
    std::string dir;
    explicit Fixture(EbpfOptions opts = {}) : sensor(opts) {
        dir = make_temp_dir("behavior_ebpf_");
        PipelineOptions o;
        o.files = PathFilter({dir}, {});
        // These tests check what the workers complete, not how fast: a loaded machine or a
        // sanitizer build may need more than the default 200 ms.
        o.hash_wait_ms = 5000;
        pipeline = std::make_unique<TelemetryPipeline>(o, std::ref(sink));
        sensor.start(*pipeline);
    }
    ~Fixture() {
        sensor.stop();
        std::filesystem::remove_all(dir);
    }
    bool wait_file(uint32_t action, const std::string& path, Captured* out) {
        return sink.wait_for([&](const Captured& c) {
            if (c.type != VIGIL_TYPE_FILE) return false;
            auto v = c.as<vigil_file_event>();
            return v->action == action && v.str(v->path) == path;
        }, out);
    }
    size_t count_files(uint32_t action, const std::string& path) {
        return sink.count_if([&](const Captured& c) {
            if (c.type != VIGIL_TYPE_FILE) return false;
            auto v = c.as<vigil_file_event>();
            return v->action == action && v.str(v->path) == path;
        });
    }
    // Waits for a network event that `match` accepts.
    bool wait_network(Captured* out, const std::function<bool(const vigil_network_event&)>& match) {
        return sink.wait_for([&](const Captured& c) {
            return c.type == VIGIL_TYPE_NETWORK && match(c.as<vigil_network_event>().head);
        }, out);
    }
};

}  // namespace

TEST_CASE("ebpf sensor: exec and exit of a short-lived shell carry full context") {
    Fixture f;
    int status = 0;
    // The executable is hashed through the running process (never re-opened by path): a
    // first run that lives a little puts /bin/sh in the cache, as any long-lived shell on
    // a real host does; the short-lived one then gets its hash from there.
    vigil::behavior::test::HeldProcess warm({"/bin/sh", "-c", "read x"});
    REQUIRE(f.sink.wait_for([&](const Captured& c) {
        return c.type == VIGIL_TYPE_PROCESS_START && c.as<vigil_process_event>()->process.pid == warm.pid();
    }, nullptr));
    warm.release();
    pid_t pid = run({"/bin/sh", "-c", "exit 5", "arg-one"}, &status);
    Captured start, exit;
    REQUIRE(f.sink.wait_for([&](const Captured& c) {
        return c.type == VIGIL_TYPE_PROCESS_START && c.as<vigil_process_event>()->process.pid == pid;
    }, &start));
    REQUIRE(f.sink.wait_for([&](const Captured& c) {
        return c.type == VIGIL_TYPE_PROCESS_EXIT && c.as<vigil_process_event>()->process.pid == pid;
    }, &exit));
    auto p = start.process(&vigil_process_event::process);
    CHECK(p.ppid == ::getpid());
    CHECK(p.exe == real("/bin/sh"));
    REQUIRE(p.argv.size() == 4);
    CHECK(p.argv[0] == "/bin/sh");
    CHECK(p.argv[2] == "exit 5");
    CHECK(p.argv[3] == "arg-one");
    CHECK(p.cmdline == "/bin/sh -c exit 5 arg-one");
    CHECK(p.uid == ::getuid());
    if (::getuid() == 0) CHECK(p.user == "root");
    CHECK(p.sha256.size() == 64);
    char cwd[4096];
    REQUIRE(::getcwd(cwd, sizeof cwd));
    CHECK(p.cwd == cwd);
    CHECK(p.parent_exe == ProcReader().exe(::getpid()));
    CHECK(p.mnt_ns != 0);
    auto x = exit.as<vigil_process_event>();
    CHECK(x->exit_code == 5);
    CHECK(x->exit_signal == 0);
    CHECK(x->lifetime_ns > 0);
}

TEST_CASE("ebpf sensor: curl to a loopback listener gives connect, accept and listen") {
    if (::access("/usr/bin/curl", X_OK) != 0) return;
    Fixture f;
    LoopbackServer server;
    int status = 0;
    std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/";
    pid_t pid = run({"/usr/bin/curl", "-s", "-o", "/dev/null", url}, &status);
    CHECK(WEXITSTATUS(status) == 0);
    Captured connect, accept;
    REQUIRE(f.wait_network(&connect, [&](const vigil_network_event& e) {
        return e.action == VIGIL_NET_CONNECT && e.process.pid == pid;
    }));
    auto v = connect.as<vigil_network_event>();
    CHECK(v->family == AF_INET);
    CHECK(v->protocol == IPPROTO_TCP);
    CHECK(v->remote_port == server.port());
    CHECK(v->local_port != 0);
    CHECK(std::memcmp(v->remote_addr, "\x7f\x00\x00\x01", 4) == 0);
    CHECK(connect.process(&vigil_network_event::process).exe == real("/usr/bin/curl"));
    // The listener is this test process (filtered as "self" only for the agent).
    REQUIRE(f.wait_network(&accept, [&](const vigil_network_event& a) {
        return a.action == VIGIL_NET_ACCEPT && a.process.pid == ::getpid() && a.local_port == server.port();
    }));
    CHECK(accept.as<vigil_network_event>()->remote_port == v->local_port);
    CHECK(f.wait_network(nullptr, [&](const vigil_network_event& a) {
        return a.action == VIGIL_NET_CLOSE && a.process.pid == pid;
    }));
}

TEST_CASE("ebpf sensor: a long command line is completed from /proc") {
    Fixture f;
    std::string big(3000, 'x');
    // The shell lives until its start event arrived (the long argv is read from /proc).
    vigil::behavior::test::HeldProcess held({"/bin/sh", "-c", "read x", "first", big, "last-arg"});
    pid_t pid = held.pid();
    Captured c;
    REQUIRE(f.sink.wait_for([&](const Captured& x) {
        return x.type == VIGIL_TYPE_PROCESS_START && x.as<vigil_process_event>()->process.pid == pid;
    }, &c));
    held.release();
    auto p = c.process(&vigil_process_event::process);
    REQUIRE(p.argv.size() == 6);
    CHECK(p.argv[4] == big);
    CHECK(p.argv[5] == "last-arg");
}

TEST_CASE("ebpf sensor: IPv6 connect and accept carry v6 addresses") {
    if (::access("/usr/bin/curl", X_OK) != 0) return;
    int probe = ::socket(AF_INET6, SOCK_STREAM, 0);
    if (probe < 0) return;  // no IPv6 on this host
    ::close(probe);
    Fixture f;
    LoopbackServer server(0, AF_INET6);
    int status = 0;
    std::string url = "http://[::1]:" + std::to_string(server.port()) + "/";
    pid_t pid = run({"/usr/bin/curl", "-g", "-s", "-o", "/dev/null", url}, &status);
    Captured c;
    REQUIRE(f.wait_network(&c, [&](const vigil_network_event& e) {
        return e.action == VIGIL_NET_CONNECT && e.process.pid == pid;
    }));
    auto v = c.as<vigil_network_event>();
    CHECK(v->family == AF_INET6);
    CHECK(v->remote_port == server.port());
    CHECK(std::memcmp(v->remote_addr, &in6addr_loopback, 16) == 0);
    CHECK(f.wait_network(nullptr, [&](const vigil_network_event& a) {
        return a.action == VIGIL_NET_ACCEPT && a.family == AF_INET6 && a.local_port == server.port() &&
               std::memcmp(a.local_addr, &in6addr_loopback, 16) == 0;
    }));
}

TEST_CASE("ebpf sensor: file create, modify, rename, chmod, chown, delete with the process") {
    Fixture f;
    int status = 0;
    std::string a = f.dir + "/a.txt", b = f.dir + "/b.txt";
    std::string script = "cd " + f.dir + " && echo hi > a.txt && mv a.txt b.txt && chmod 600 b.txt && chown " +
                         std::to_string(::getuid()) + " b.txt && rm b.txt";
    run({"/bin/sh", "-c", script}, &status);
    REQUIRE(WEXITSTATUS(status) == 0);
    Captured c;
    REQUIRE(f.wait_file(VIGIL_FILE_CREATE, a, &c));
    CHECK(c.process(&vigil_file_event::process).exe == real("/bin/sh"));
    CHECK(f.wait_file(VIGIL_FILE_MODIFY, a, &c));
    REQUIRE(f.wait_file(VIGIL_FILE_RENAME, a, &c));
    auto rv = c.as<vigil_file_event>();
    CHECK(rv.str(rv->new_path) == b);
    CHECK(c.process(&vigil_file_event::process).exe == real("/bin/mv"));
    REQUIRE(f.wait_file(VIGIL_FILE_CHMOD, b, &c));
    CHECK((c.as<vigil_file_event>()->mode & 0777) == 0600);
    CHECK(c.process(&vigil_file_event::process).exe == real("/bin/chmod"));
    CHECK(f.wait_file(VIGIL_FILE_CHOWN, b, &c));
    REQUIRE(f.wait_file(VIGIL_FILE_DELETE, b, &c));
    CHECK(c.process(&vigil_file_event::process).exe == real("/bin/rm"));
}

namespace {
void rewrite(const std::string& path, int times) {
    for (int i = 0; i < times; ++i) {
        int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        REQUIRE(fd >= 0);
        REQUIRE(::write(fd, "x", 1) == 1);
        ::close(fd);
    }
}
}  // namespace

TEST_CASE("ebpf sensor: repeated modifies of one file by one process are merged in the kernel and counted") {
    EbpfOptions o;
    o.modify_merge_ms = 60000;  // longer than the test: every repeat falls in the window
    Fixture f(o);
    const std::string a = f.dir + "/a.log", b = f.dir + "/b.log", c = f.dir + "/c.log";
    rewrite(a, 50);
    REQUIRE(::rename(a.c_str(), b.c_str()) == 0);
    rewrite(b, 3);  // the same inode under a new name: reported again, once
    rewrite(c, 1);
    REQUIRE(f.wait_file(VIGIL_FILE_MODIFY, c, nullptr));
    REQUIRE(f.wait_file(VIGIL_FILE_RENAME, a, nullptr));
    // The merged count comes with the loss counters (polled about every half second).
    for (int i = 0; i < 100 && f.pipeline->counters().file_modify_merged < 51; ++i) ::usleep(20000);
    CHECK(f.count_files(VIGIL_FILE_MODIFY, a) == 1);
    CHECK(f.count_files(VIGIL_FILE_MODIFY, b) == 1);
    CHECK(f.count_files(VIGIL_FILE_CREATE, a) == 1);
    CHECK(f.pipeline->counters().file_modify_merged >= 51);  // 49 + 2, and others' repeats meanwhile
    CHECK(f.pipeline->counters().lost_total == 0);
}

TEST_CASE("ebpf sensor: with merging off every modify is reported") {
    Fixture f;  // modify_merge_ms 0
    const std::string a = f.dir + "/a.log";
    rewrite(a, 20);
    for (int i = 0; i < 250 && f.count_files(VIGIL_FILE_MODIFY, a) < 20; ++i) ::usleep(20000);
    CHECK(f.count_files(VIGIL_FILE_MODIFY, a) == 20);
    CHECK(f.pipeline->counters().file_modify_merged == 0);
}

TEST_CASE("ebpf sensor: mounts under excluded paths are found in mountinfo") {
    const std::string mountinfo =
        "22 27 0:21 / /proc rw - proc proc rw\n"
        "24 27 0:6 / /dev rw - devtmpfs devtmpfs rw\n"
        "30 24 0:27 / /dev/shm rw - tmpfs tmpfs rw\n"
        "31 27 0:28 / /devices rw - tmpfs tmpfs rw\n"          // not under /dev: a component boundary
        "32 27 0:29 / /mnt/with\\040space rw - tmpfs tmpfs rw\n"
        "33 27 0:30 / / rw - ext4 /dev/vda rw\n"
        "garbage\n";
    CHECK(mounts_under({"/dev", "/mnt/with space"}, mountinfo) == std::vector<uint32_t>{24, 30, 32});
    CHECK(mounts_under({"/"}, mountinfo).empty());  // "/" would exclude everything: never in the kernel
    CHECK(mounts_under({"/proc/sys"}, mountinfo).empty());  // inside a mount, not a mount point
}

TEST_CASE("ebpf sensor: files on an excluded mount are dropped in the kernel and counted") {
    if (!std::filesystem::is_directory("/dev/shm")) return;
    EbpfOptions o;
    o.exclude_paths = {"/dev/"};
    Fixture f(o);
    // The user-space filter would let /dev/shm through: only the kernel drops it here.
    f.sensor.stop();
    f.pipeline = nullptr;
    PipelineOptions po;
    po.files = PathFilter({f.dir, "/dev/shm"}, {});
    f.pipeline = std::make_unique<TelemetryPipeline>(po, std::ref(f.sink));
    f.sensor.start(*f.pipeline);
    const std::string shm = "/dev/shm/vigil_ebpf_test_" + std::to_string(::getpid());
    const std::string kept = f.dir + "/kept.txt";
    rewrite(shm, 1);
    rewrite(kept, 1);
    ::unlink(shm.c_str());
    REQUIRE(f.wait_file(VIGIL_FILE_MODIFY, kept, nullptr));
    for (int i = 0; i < 100 && f.pipeline->counters().file_excluded_mount < 2; ++i) ::usleep(20000);
    CHECK(f.count_files(VIGIL_FILE_CREATE, shm) == 0);
    CHECK(f.count_files(VIGIL_FILE_MODIFY, shm) == 0);
    CHECK(f.pipeline->counters().file_excluded_mount >= 2);  // the create and the modify
    CHECK(f.count_files(VIGIL_FILE_CREATE, kept) == 1);
}

TEST_CASE("ebpf sensor: a path is walked across a mount point, component by component") {
    if (!std::filesystem::is_directory("/dev/shm")) return;
    Fixture f;
    f.sensor.stop();
    f.pipeline = nullptr;
    PipelineOptions po;
    po.files = PathFilter({"/dev/shm"}, {});
    f.pipeline = std::make_unique<TelemetryPipeline>(po, std::ref(f.sink));
    f.sensor.start(*f.pipeline);
    // /dev/shm is a tmpfs mounted on /dev (itself a mount): two mount crossings.
    const std::string dir = "/dev/shm/vigil_ebpf_walk_" + std::to_string(::getpid());
    const std::string file = dir + "/sub/name with spaces.txt";
    std::filesystem::create_directories(dir + "/sub");
    rewrite(file, 1);
    std::filesystem::remove_all(dir);
    CHECK(f.wait_file(VIGIL_FILE_CREATE, file, nullptr));
    CHECK(f.wait_file(VIGIL_FILE_MODIFY, file, nullptr));
    CHECK(f.wait_file(VIGIL_FILE_DELETE, file, nullptr));
}

TEST_CASE("ebpf sensor: create and modify carry the file's inode state from the kernel, even once it is gone") {
    Fixture f;
    const std::string p = f.dir + "/gone.bin";
    int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    REQUIRE(fd >= 0);
    REQUIRE(::write(fd, "12345", 5) == 5);
    struct stat st{};
    REQUIRE(::fstat(fd, &st) == 0);
    ::close(fd);
    ::unlink(p.c_str());  // before the agent could look the path up
    Captured c;
    REQUIRE(f.wait_file(VIGIL_FILE_MODIFY, p, &c));
    auto v = c.as<vigil_file_event>();
    CHECK(v->size == 5);
    CHECK(v->inode == st.st_ino);
    CHECK(v->device == st.st_dev);
    CHECK(v->mode == st.st_mode);
    CHECK(v->uid == st.st_uid);
    REQUIRE(f.wait_file(VIGIL_FILE_CREATE, p, &c));
    CHECK(c.as<vigil_file_event>()->inode == st.st_ino);
}
