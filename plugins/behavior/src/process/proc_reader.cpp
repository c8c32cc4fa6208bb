#include "proc_reader.hpp"

#include "exe_hasher.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <cctype>
#include <cstring>
#include <fstream>
#include <sstream>

namespace vigil::behavior {
namespace {

// Reads a small /proc file in one go (they are generated on read; no seeking).
std::string slurp(const std::string& p, size_t limit = 65536) {
    int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return {};
    std::string out;
    char buf[4096];
    while (out.size() < limit) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n <= 0) break;
        out.append(buf, size_t(n));
    }
    ::close(fd);
    if (out.size() > limit) out.resize(limit);
    return out;
}

std::string read_link(const std::string& p) {
    char buf[4096];
    ssize_t n = ::readlink(p.c_str(), buf, sizeof buf - 1);
    if (n <= 0) return {};
    return std::string(buf, size_t(n));
}

uint64_t ns_inode(const std::string& link) {
    // "mnt:[4026531840]"
    auto open = link.find('[');
    if (open == std::string::npos) return 0;
    return std::strtoull(link.c_str() + open + 1, nullptr, 10);
}

// tty_nr from /proc/<pid>/stat → "pts/N", "ttyN", "ttySN" (empty when none).
std::string tty_name(unsigned long tty_nr) {
    if (tty_nr == 0) return {};
    unsigned maj = major(dev_t(tty_nr)), min = minor(dev_t(tty_nr));
    if (maj >= 136 && maj <= 143) return "pts/" + std::to_string((maj - 136) * 256 + min);
    if (maj == 4) return min < 64 ? "tty" + std::to_string(min) : "ttyS" + std::to_string(min - 64);
    return "tty(" + std::to_string(maj) + ":" + std::to_string(min) + ")";
}

uint64_t clock_ns(clockid_t id) {
    timespec ts{};
    ::clock_gettime(id, &ts);
    return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

}  // namespace

std::string ProcReader::path(int32_t pid, const char* leaf) const {
    return root_ + "/" + std::to_string(pid) + "/" + leaf;
}

uint64_t ProcReader::now_boottime_ns() { return clock_ns(CLOCK_BOOTTIME); }
uint64_t ProcReader::now_realtime_ns() { return clock_ns(CLOCK_REALTIME); }

uint64_t ProcReader::boottime_to_realtime(uint64_t boottime_ns) {
    // The offset drifts only when the wall clock is stepped; recomputing per
    // call keeps it right after a step at the price of two vDSO calls.
    uint64_t real = now_realtime_ns(), boot = now_boottime_ns();
    return real - boot + boottime_ns;
}

std::string ProcReader::exe(int32_t pid) const {
    std::string p = read_link(path(pid, "exe"));
    // A replaced or deleted binary shows as "/path (deleted)"; keep the path.
    static const std::string kDeleted = " (deleted)";
    if (p.size() > kDeleted.size() && p.compare(p.size() - kDeleted.size(), kDeleted.size(), kDeleted) == 0)
        p.resize(p.size() - kDeleted.size());
    return p;
}

std::string ProcReader::cwd(int32_t pid) const { return read_link(path(pid, "cwd")); }

std::optional<std::vector<std::string>> ProcReader::read_argv(int32_t pid) const {
    std::string raw = slurp(path(pid, "cmdline"), 32768);
    if (raw.empty()) return std::nullopt;
    std::vector<std::string> argv;
    size_t pos = 0;
    while (pos < raw.size()) {
        size_t end = raw.find('\0', pos);
        if (end == std::string::npos) end = raw.size();
        argv.emplace_back(raw, pos, end - pos);
        pos = end + 1;
    }
    return argv;
}

bool ProcReader::read_cmdline(int32_t pid, vigil::ProcessInfo& info) const {
    auto argv = read_argv(pid);
    if (!argv) return false;
    info.argv = std::move(*argv);
    info.cmdline = join_argv(info.argv);
    return true;
}

ExeKey ProcReader::exe_key(int32_t pid) const {
    struct statx sx{};
    if (::statx(AT_FDCWD, path(pid, "exe").c_str(), AT_STATX_DONT_SYNC, STATX_BASIC_STATS, &sx) != 0) return {};
    return ExeKey{uint64_t(makedev(sx.stx_dev_major, sx.stx_dev_minor)), uint64_t(sx.stx_ino),
                  int64_t(sx.stx_mtime.tv_sec) * 1000000000ll + sx.stx_mtime.tv_nsec, uint64_t(sx.stx_size),
                  int64_t(sx.stx_ctime.tv_sec) * 1000000000ll + sx.stx_ctime.tv_nsec};
}

uint64_t ProcReader::tick_ns() {
    static const long hz = ::sysconf(_SC_CLK_TCK);
    return 1000000000ull / uint64_t(hz > 0 ? hz : 100);
}

uint64_t ProcReader::start_ticks(int32_t pid) const {
    std::string stat = slurp(path(pid, "stat"));
    auto rp = stat.rfind(')');
    if (rp == std::string::npos || rp + 2 > stat.size()) return 0;
    std::istringstream rest(stat.substr(rp + 2));
    std::string skip;
    for (int i = 0; i < 19 && rest; ++i) rest >> skip;  // state .. itrealvalue
    unsigned long long ticks = 0;
    rest >> ticks;
    return ticks;
}

std::string ProcReader::container_id(int32_t pid) const {
    return container_id_from_cgroup(slurp(path(pid, "cgroup"), 8192));
}

std::optional<ProcessRecord> ProcReader::read(int32_t pid, bool with_cmdline) const {
    std::string stat = slurp(path(pid, "stat"));
    if (stat.empty()) return std::nullopt;
    ProcessRecord rec;
    auto& info = rec.info;
    info.pid = pid;
    // "pid (comm) state ppid ..." — comm may contain spaces and parentheses,
    // so the fields after it start at the last ')'.
    auto lp = stat.find('('), rp = stat.rfind(')');
    if (lp == std::string::npos || rp == std::string::npos || rp < lp) return std::nullopt;
    info.comm = stat.substr(lp + 1, rp - lp - 1);
    std::istringstream rest(stat.substr(rp + 2));
    std::string state;
    long ppid = 0, pgrp = 0, session = 0;
    unsigned long tty_nr = 0;
    rest >> state >> ppid >> pgrp >> session >> tty_nr;
    // Field 22 (starttime) is the 20th after the comm; skip 14 more.
    std::string skip;
    for (int i = 0; i < 14 && rest; ++i) rest >> skip;
    unsigned long long ticks = 0;
    rest >> ticks;
    info.ppid = int32_t(ppid);
    info.tty = tty_name(tty_nr);
    if (!info.tty.empty()) info.flags |= VIGIL_PROC_FLAG_INTERACTIVE;
    rec.start_boottime_ns = ticks * tick_ns();
    info.start_time_ns = boottime_to_realtime(rec.start_boottime_ns);
    info.process_key = make_process_key(pid, rec.start_boottime_ns);

    std::istringstream status(slurp(path(pid, "status")));
    for (std::string line; std::getline(status, line);) {
        if (line.rfind("Uid:", 0) == 0) {
            std::istringstream f(line.substr(4));
            f >> info.uid >> info.euid;
        } else if (line.rfind("Gid:", 0) == 0) {
            std::istringstream f(line.substr(4));
            f >> info.gid >> info.egid;
        }
    }
    if (with_cmdline) read_cmdline(pid, info);
    info.exe = exe(pid);
    info.cwd = cwd(pid);
    rec.exe_key = exe_key(pid);
    info.mnt_ns = ns_inode(read_link(path(pid, "ns/mnt")));
    info.pid_ns = ns_inode(read_link(path(pid, "ns/pid")));
    info.net_ns = ns_inode(read_link(path(pid, "ns/net")));
    info.user_ns = ns_inode(read_link(path(pid, "ns/user")));
    info.container_id = container_id(pid);
    // Kernel threads have no exe and no cmdline; still a known process.
    info.flags |= VIGIL_PROC_FLAG_KNOWN;
    // The stat file may vanish between reads; a process that is gone by now is
    // still reported with what was read.
    return rec;
}

std::string container_id_from_cgroup(const std::string& text) {
    // Look for a run of exactly 64 hex digits, e.g.
    //   0::/system.slice/docker-<64hex>.scope   or   .../kubepods/.../<64hex>
    size_t run = 0;
    for (size_t i = 0; i <= text.size(); ++i) {
        bool hex = i < text.size() && std::isxdigit(static_cast<unsigned char>(text[i])) &&
                   !std::isupper(static_cast<unsigned char>(text[i]));
        if (hex) {
            ++run;
            continue;
        }
        if (run == 64) return text.substr(i - 64, 64);
        run = 0;
    }
    return {};
}

}  // namespace vigil::behavior
