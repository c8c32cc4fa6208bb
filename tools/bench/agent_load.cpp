// vigil-bench agent-load --procs N --file-events N --dir DIR [--jobs J]
// The load phase of `vigil-bench agent-memory`: N short-lived processes
// (posix_spawn of /bin/true) and N file events in DIR, each side spread over J
// worker processes running at once so a long run is fast and the agent sees
// the events interleaved as on a busy host. Every file is new (worker and
// sequence number in its name): behavior merges repeated modify events of the
// same file by the same process, so a loop over one file would mostly count
// merges. One file cycle is create + write + close, rename, unlink: the four
// events behavior reports for it (file_create, file_modify at the close after
// a write, file_rename, file_delete). Prints one JSON line of what was done.
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench.hpp"

extern char** environ;

namespace {

constexpr long kEventsPerFileCycle = 4;

// Spawns /bin/true n times, one at a time (each waited for: short-lived). Returns the failures.
long spawn_loop(long n) {
    char arg0[] = "/bin/true";
    char* argv[] = {arg0, nullptr};
    long failed = 0;
    for (long i = 0; i < n; ++i) {
        pid_t pid;
        int st = 0;
        if (posix_spawn(&pid, "/bin/true", nullptr, nullptr, argv, environ) != 0 || waitpid(pid, &st, 0) != pid ||
            !WIFEXITED(st) || WEXITSTATUS(st) != 0)
            ++failed;
    }
    return failed;
}

// n file cycles on files named after the worker, in DIR. Returns the failed system calls.
long file_loop(const std::string& dir, int worker, long n) {
    long failed = 0;
    const std::string base = dir + "/w" + std::to_string(worker) + "-";
    for (long i = 0; i < n; ++i) {
        const std::string a = base + std::to_string(i), b = a + ".r";
        int fd = ::open(a.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
        if (fd < 0) {
            ++failed;
            continue;
        }
        if (::write(fd, "data\n", 5) != 5) ++failed;
        ::close(fd);
        if (::rename(a.c_str(), b.c_str()) != 0) ++failed;
        if (::unlink(b.c_str()) != 0 && ::unlink(a.c_str()) != 0) ++failed;
    }
    return failed;
}

// Starts `jobs` children running fn(worker, share), `total` split between them; a child
// exits 1 when any of its calls failed (failed_workers counts those).
template <class Fn>
std::vector<pid_t> start_workers(int jobs, long total, Fn fn) {
    std::vector<pid_t> kids;
    for (int w = 0; w < jobs && total > 0; ++w) {
        long share = total / jobs + (w < total % jobs ? 1 : 0);
        pid_t pid = ::fork();
        if (pid < 0) throw std::runtime_error("fork failed");
        if (pid == 0) _exit(fn(w, share) > 0 ? 1 : 0);
        kids.push_back(pid);
    }
    return kids;
}

int failed_workers(const std::vector<pid_t>& kids) {
    int failed = 0;
    for (pid_t pid : kids) {
        int st = 0;
        if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) ++failed;
    }
    return failed;
}

}  // namespace

VIGIL_BENCH(agent_load, "agent-load",
            "drive N short-lived processes and N file events (the load phase of agent-memory)") {
    const long procs = args.get_int("procs", 0), file_events = args.get_int("file-events", 0);
    const long jobs = args.get_int("jobs", 4);
    const std::string dir = args.get("dir");
    if (procs < 0 || file_events < 0) throw std::runtime_error("--procs and --file-events must be 0 or more");
    if (jobs < 1 || jobs > 64) throw std::runtime_error("--jobs must be 1..64, got " + std::to_string(jobs));
    if (file_events > 0 && dir.empty()) throw std::runtime_error("--file-events needs --dir DIR (a scratch folder)");
    struct stat st{};
    if (file_events > 0 && (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)))
        throw std::runtime_error("--dir '" + dir + "' is not a directory");
    const long cycles = (file_events + kEventsPerFileCycle - 1) / kEventsPerFileCycle;
    const double t0 = vigil::bench::now_s();
    auto proc_kids = start_workers(int(jobs), procs, [](int, long n) { return spawn_loop(n); });
    auto file_kids = start_workers(int(jobs), cycles, [&dir](int w, long n) { return file_loop(dir, w, n); });
    const int failed = failed_workers(proc_kids) + failed_workers(file_kids);
    const double elapsed = vigil::bench::now_s() - t0;
    std::printf(
        "{\"procs\": %ld, \"file_cycles\": %ld, \"file_events\": %ld, \"jobs\": %ld, \"elapsed_s\": %.1f, "
        "\"workers_with_failures\": %d}\n",
        procs, cycles, cycles * kEventsPerFileCycle, jobs, elapsed, failed);
    return failed ? 1 : 0;
}
