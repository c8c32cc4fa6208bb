#include "vigil/common/proc.hpp"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <memory>

#include "vigil/common/small_file.hpp"
#include "vigil/common/time.hpp"

namespace vigil::common {

namespace {

constexpr uint32_t kPfKthread = 0x00200000;  // PF_KTHREAD in the task flags

template <class T>
bool to_number(std::string_view s, T& out) {
    auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

std::vector<std::string_view> split_spaces(std::string_view s) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t')) ++i;
        size_t j = i;
        while (j < s.size() && s[j] != ' ' && s[j] != '\n' && s[j] != '\t') ++j;
        if (j > i) out.push_back(s.substr(i, j - i));
        i = j;
    }
    return out;
}

// "Uid:\t0\t0\t0\t0" -> the four numbers.
void read_ids(std::string_view rest, uint32_t* a, uint32_t* b, uint32_t* c, uint32_t* d) {
    auto f = split_spaces(rest);
    uint32_t* outs[4] = {a, b, c, d};
    for (size_t i = 0; i < 4 && i < f.size(); ++i) to_number(f[i], *outs[i]);
}

}  // namespace

bool ProcStat::kernel_thread() const { return (flags & kPfKthread) != 0 || pid == 2 || ppid == 2; }

std::optional<ProcStat> parse_proc_stat(std::string_view text) {
    const size_t open = text.find('(');
    const size_t close = text.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open) return std::nullopt;
    ProcStat s;
    const auto head = split_spaces(text.substr(0, open));
    if (head.empty() || !to_number(head[0], s.pid)) return std::nullopt;
    s.comm = std::string(text.substr(open + 1, close - open - 1));
    const auto f = split_spaces(text.substr(close + 1));  // f[0] is field 3 (state)
    if (f.size() < 20 || f[0].empty()) return std::nullopt;
    s.state = f[0][0];
    bool ok = to_number(f[1], s.ppid) && to_number(f[2], s.pgrp) && to_number(f[3], s.session);
    int64_t tty = 0;
    ok = ok && to_number(f[4], tty) && to_number(f[6], s.flags) && to_number(f[19], s.start_ticks);
    if (!ok) return std::nullopt;
    s.tty_nr = uint64_t(tty);
    return s;
}

std::optional<ProcStatus> parse_proc_status(std::string_view text) {
    ProcStatus st;
    bool any = false;
    while (!text.empty()) {
        const size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        const size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        const std::string_view key = line.substr(0, colon), rest = line.substr(colon + 1);
        any = true;
        if (key == "Name") {
            const size_t start = rest.find_first_not_of(" \t");
            st.name = start == std::string_view::npos ? "" : std::string(rest.substr(start));
        } else if (key == "PPid") {
            auto f = split_spaces(rest);
            if (!f.empty()) to_number(f[0], st.ppid);
        } else if (key == "Uid") {
            read_ids(rest, &st.uid, &st.euid, &st.suid, &st.fsuid);
        } else if (key == "Gid") {
            read_ids(rest, &st.gid, &st.egid, &st.sgid, &st.fsgid);
        }
    }
    if (!any) return std::nullopt;
    return st;
}

std::string ProcFs::path(pid_t pid, std::string_view leaf) const {
    std::string p = root_ + "/" + std::to_string(pid);
    if (!leaf.empty()) (p += '/') += leaf;
    return p;
}

std::optional<ProcStat> ProcFs::stat(pid_t pid) const {
    auto s = parse_proc_stat(read(pid, "stat", 4096));
    if (!s || s->pid != pid) return std::nullopt;
    return s;
}

std::optional<ProcStatus> ProcFs::status(pid_t pid) const { return parse_proc_status(read(pid, "status")); }

std::optional<ProcExe> ProcFs::exe(pid_t pid) const {
    ProcExe e;
    e.path = read_link(path(pid, "exe"));
    if (e.path.empty()) return std::nullopt;
    static constexpr std::string_view kDeleted = " (deleted)";
    // The kernel appends the suffix to an unlinked binary; a file literally
    // named "x (deleted)" that still exists keeps its name.
    if (e.path.size() > kDeleted.size() && e.path.ends_with(kDeleted) && ::access(e.path.c_str(), F_OK) != 0) {
        e.path.resize(e.path.size() - kDeleted.size());
        e.deleted = true;
    }
    return e;
}

std::string ProcFs::cwd(pid_t pid) const { return read_link(path(pid, "cwd")); }

std::vector<std::string> ProcFs::cmdline(pid_t pid, size_t max_bytes) const {
    return split_nul(read(pid, "cmdline", max_bytes));
}

uint64_t ProcFs::namespace_inode(pid_t pid, std::string_view kind) const {
    // "mnt:[4026531840]"
    const std::string link = read_link(path(pid, "ns/" + std::string(kind)));
    const size_t open = link.find('['), close = link.rfind(']');
    uint64_t ino = 0;
    if (open == std::string::npos || close == std::string::npos || close < open) return 0;
    return to_number(std::string_view(link).substr(open + 1, close - open - 1), ino) ? ino : 0;
}

std::string ProcFs::read(pid_t pid, std::string_view leaf, size_t max_bytes) const {
    return read_file_or_empty(path(pid, leaf), max_bytes);
}

std::vector<pid_t> ProcFs::pids() const {
    std::vector<pid_t> out;
    std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(root_.c_str()), ::closedir);
    if (!d) return out;
    while (auto* e = ::readdir(d.get())) {
        pid_t pid = 0;
        if (to_number(std::string_view(e->d_name), pid) && pid > 0) out.push_back(pid);
    }
    std::sort(out.begin(), out.end());
    return out;
}

uint64_t ProcFs::start_time_ns(pid_t pid) const {
    auto s = stat(pid);
    return s ? ticks_to_epoch_ns(s->start_ticks) : 0;
}

std::string read_link(const std::string& path) {
    char buf[PATH_MAX];
    const ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
    return n > 0 ? std::string(buf, size_t(n)) : std::string();
}

std::vector<std::string> split_nul(std::string_view text) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find('\0', pos);
        if (end == std::string_view::npos) end = text.size();
        out.emplace_back(text.substr(pos, end - pos));
        pos = end + 1;
    }
    return out;
}

uint64_t clock_ticks_per_second() {
    static const uint64_t hz = [] {
        const long v = ::sysconf(_SC_CLK_TCK);
        return v > 0 ? uint64_t(v) : uint64_t(100);
    }();
    return hz;
}

uint64_t boot_time_ns() { return uint64_t(realtime_ns() - boottime_ns()); }

uint64_t ticks_to_boottime_ns(uint64_t ticks) {
    const uint64_t hz = clock_ticks_per_second();
    return ticks / hz * 1000000000ull + (ticks % hz) * 1000000000ull / hz;
}

uint64_t ticks_to_epoch_ns(uint64_t ticks) { return boot_time_ns() + ticks_to_boottime_ns(ticks); }

pid_t pid_max() {
    pid_t v = 0;
    std::string text = read_file_or_empty("/proc/sys/kernel/pid_max", 64);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return to_number(std::string_view(text), v) && v > 0 ? v : 4194304;
}

}  // namespace vigil::common
