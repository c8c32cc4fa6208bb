// The review's H1, before and after, on the same file and the same truncation
// loop. "Before" is the scan's former content read, kept here verbatim in
// behaviour: mmap the file with the size from fstat (MAP_PRIVATE), then digest
// the mapped bytes as a configured hash list did. It runs in a forked child
// because it is expected to die with SIGBUS. "After" is today's scan_file
// (bounded pread): it must survive every try and report the file as changed.
// Measured numbers are printed (doctest MESSAGE) and recorded in the README.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <thread>

#include "recording_reporter.hpp"
#include "scan_engine.hpp"
#include "test_util.hpp"

using namespace vigil::file_threat;

namespace {

constexpr int kBeforeTries = 1000;  // the former read: until SIGBUS, at most this many
constexpr int kTries = 300;        // today's scan
constexpr size_t kSize = 8 << 20;

// The owner of the file: truncates it and writes it again, as fast as it can.
class Truncater {
public:
    explicit Truncater(std::string path) : path_(std::move(path)), thread_([this] { run(); }) {}
    ~Truncater() {
        stop_ = true;
        thread_.join();
    }

private:
    void run() {
        const std::string content(kSize, 'v');
        while (!stop_) {
            (void)::truncate(path_.c_str(), 0);
            const int fd = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
            if (fd < 0) continue;
            (void)!::write(fd, content.data(), content.size());
            ::close(fd);
        }
    }
    std::string path_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

// The former read: the whole file mapped at its fstat size, then hashed.
void mmap_scan_once(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    struct stat st {};
    ::fstat(fd, &st);
    if (st.st_size > 0) {
        void* p = ::mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
        if (p != MAP_FAILED) {
            ::madvise(p, size_t(st.st_size), MADV_SEQUENTIAL);
            (void)digest_bytes(std::string_view(static_cast<const char*>(p), size_t(st.st_size)));
            ::munmap(p, size_t(st.st_size));
        }
    }
    ::close(fd);
}

}  // namespace

TEST_CASE("file_threat scan H1: the former mmap read dies with SIGBUS where the pread scan reports a change") {
    TempDir dir;
    const std::string path = dir.file("victim", std::string(kSize, 'v'));
    Truncater owner(path);

    // Before: a child scans until it dies; each try is counted through a pipe.
    int counter[2];
    REQUIRE(::pipe(counter) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::close(counter[0]);
        // The default action, as in vigild (a sanitizer build would catch it).
        struct sigaction dfl {};
        dfl.sa_handler = SIG_DFL;
        ::sigaction(SIGBUS, &dfl, nullptr);
        for (int i = 0; i < kBeforeTries; ++i) {
            (void)!::write(counter[1], "t", 1);
            mmap_scan_once(path);
        }
        ::_exit(0);
    }
    ::close(counter[1]);
    int before_tries = 0;
    char c;
    while (::read(counter[0], &c, 1) == 1) ++before_tries;
    ::close(counter[0]);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    const bool sigbus = WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS;
    MESSAGE("before (mmap read): " << std::string(sigbus ? "killed by SIGBUS at try " : "survived all ") << before_tries
                                   << " of " << kBeforeTries);
    CHECK(sigbus);

    // After: the same loop against today's scan (YARA + hash list configured).
    auto rules = dir.file("r.yar", "rule x { strings: $a = \"NEEDLE\" condition: $a }\n");
    auto list = dir.file("list.txt", std::string(64, 'a') + "\n");
    auto engines = Engines::load({rules}, {list}, true);
    int changed = 0, clean = 0;
    for (int i = 0; i < kTries; ++i) {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        REQUIRE(fd >= 0);
        ScanRequest req;
        req.fd = fd;
        req.path = path;
        ::fstat(fd, &req.st);
        const auto r = scan_file(*engines, req);
        ::close(fd);
        changed += r.shrank;
        clean += r.outcome == ScanOutcome::Clean;
    }
    MESSAGE("after (pread scan): " << kTries << " of " << kTries << " tries survived, " << changed
                                   << " saw the file shrink (reported changed), " << clean << " clean");
    CHECK(clean == kTries);
}

TEST_CASE("file_threat scan H1: a file truncated after fstat is reported changed, not read past its end") {
    TempDir dir;
    auto list = dir.file("list.txt", std::string(64, 'a') + "\n");
    auto engines = Engines::load({}, {list}, true);
    const std::string path = dir.file("victim", std::string(kSize, 'v'));
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    ScanRequest req;
    req.fd = fd;
    req.path = path;
    ::fstat(fd, &req.st);  // the size the event saw
    REQUIRE(::truncate(path.c_str(), 4096) == 0);
    const auto r = scan_file(*engines, req);
    ::close(fd);
    CHECK(r.outcome == ScanOutcome::Clean);
    CHECK(r.shrank);
}
