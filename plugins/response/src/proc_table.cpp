#include "proc_table.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>

namespace vigil::response {

namespace {
constexpr uint32_t kPfKthread = 0x00200000;  // PF_KTHREAD in task flags

std::string read_small_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) return {};
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}
}  // namespace

bool ProcessFacts::kernel_thread() const {
    return (stat.flags & kPfKthread) != 0 || stat.pid == 2 || stat.ppid == 2;
}

std::optional<ProcStat> parse_proc_stat(const std::string& text) {
    size_t open = text.find('(');
    size_t close = text.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close < open) return std::nullopt;
    ProcStat s;
    s.pid = pid_t(std::strtol(text.c_str(), nullptr, 10));
    s.comm = text.substr(open + 1, close - open - 1);
    std::istringstream rest(text.substr(close + 1));
    std::vector<std::string> f;  // f[0] is field 3 (state)
    std::string tok;
    while (rest >> tok) f.push_back(tok);
    if (f.size() < 20 || f[0].empty()) return std::nullopt;
    s.state = f[0][0];
    s.ppid = pid_t(std::strtol(f[1].c_str(), nullptr, 10));
    s.flags = uint32_t(std::strtoul(f[6].c_str(), nullptr, 10));
    s.start_ticks = std::strtoull(f[19].c_str(), nullptr, 10);
    return s;
}

uint64_t boot_time_ns() {
    timespec rt{}, bt{};
    clock_gettime(CLOCK_REALTIME, &rt);
    clock_gettime(CLOCK_BOOTTIME, &bt);
    int64_t r = int64_t(rt.tv_sec) * 1000000000 + rt.tv_nsec;
    int64_t b = int64_t(bt.tv_sec) * 1000000000 + bt.tv_nsec;
    return uint64_t(r - b);
}

uint64_t ticks_to_epoch_ns(uint64_t ticks) {
    static const long hz = sysconf(_SC_CLK_TCK) > 0 ? sysconf(_SC_CLK_TCK) : 100;
    return boot_time_ns() + ticks / uint64_t(hz) * 1000000000ull +
           (ticks % uint64_t(hz)) * 1000000000ull / uint64_t(hz);
}

std::optional<ProcessFacts> read_process(pid_t pid) {
    const std::string dir = "/proc/" + std::to_string(pid);
    auto st = parse_proc_stat(read_small_file(dir + "/stat"));
    if (!st || st->pid != pid) return std::nullopt;
    ProcessFacts p;
    p.stat = *st;
    p.start_time_ns = ticks_to_epoch_ns(st->start_ticks);
    struct stat ds {};
    if (::stat(dir.c_str(), &ds) == 0) p.uid = ds.st_uid;
    char buf[PATH_MAX];
    ssize_t n = ::readlink((dir + "/exe").c_str(), buf, sizeof buf - 1);
    if (n > 0) {
        p.exe.assign(buf, size_t(n));
        p.exe_known = true;
        static const std::string deleted = " (deleted)";
        if (p.exe.size() > deleted.size() &&
            p.exe.compare(p.exe.size() - deleted.size(), deleted.size(), deleted) == 0) {
            // The link text says so, but a file literally named "x (deleted)" may exist.
            if (::access(p.exe.c_str(), F_OK) != 0) {
                p.exe.resize(p.exe.size() - deleted.size());
                p.exe_deleted = true;
            }
        }
        struct stat es {};
        if (::stat((dir + "/exe").c_str(), &es) == 0) {
            p.exe_dev = es.st_dev;
            p.exe_ino = es.st_ino;
        }
    }
    return p;
}

std::vector<pid_t> list_pids() {
    std::vector<pid_t> out;
    DIR* d = ::opendir("/proc");
    if (!d) return out;
    while (dirent* e = ::readdir(d)) {
        char* end = nullptr;
        long v = std::strtol(e->d_name, &end, 10);
        if (end && *end == '\0' && v > 0) out.push_back(pid_t(v));
    }
    ::closedir(d);
    return out;
}

pid_t pid_max() {
    std::string s = read_small_file("/proc/sys/kernel/pid_max");
    long v = std::strtol(s.c_str(), nullptr, 10);
    return v > 0 ? pid_t(v) : pid_t(4194304);
}

}  // namespace vigil::response
