#include "vigil/common/mount_info.hpp"

#include <charconv>
#include <fcntl.h>
#include <poll.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace vigil::common {

namespace {

std::optional<uint64_t> parse_u64(std::string_view s) {
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end == s.data()) return std::nullopt;
    return v;
}

struct FileCloser {
    void operator()(FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<FILE, FileCloser>;

// Mount points escape space, tab, newline and backslash as \\ooo.
std::string unescape_mount_point(std::string_view s) {
    auto octal = [](char c) { return c >= '0' && c <= '7'; };
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && s.size() - i >= 4 && octal(s[i + 1]) && octal(s[i + 2]) && octal(s[i + 3])) {
            out.push_back(char((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0')));
            i += 3;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

}  // namespace

std::optional<uint64_t> mount_id_of_fd(int fd) {
    File f(std::fopen(("/proc/self/fdinfo/" + std::to_string(fd)).c_str(), "re"));
    if (!f) return std::nullopt;
    char line[256];
    while (std::fgets(line, sizeof line, f.get())) {
        std::string_view l(line);
        if (l.substr(0, 7) != "mnt_id:") continue;
        l.remove_prefix(7);
        while (!l.empty() && (l.front() == '\t' || l.front() == ' ')) l.remove_prefix(1);
        return parse_u64(l);
    }
    return std::nullopt;
}

// "36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw": the
// optional fields end at " - ", the type follows it.
std::optional<std::string> mountinfo_line_fs_type(std::string_view line, uint64_t mount_id) {
    const size_t sp = line.find(' ');
    if (sp == std::string_view::npos || parse_u64(line.substr(0, sp)) != mount_id) return std::nullopt;
    const size_t dash = line.find(" - ");
    if (dash == std::string_view::npos) return std::nullopt;
    std::string_view rest = line.substr(dash + 3);
    const size_t end = rest.find(' ');
    rest = rest.substr(0, end);
    if (rest.empty()) return std::nullopt;
    return std::string(rest);
}

std::optional<std::string> mount_fs_type(uint64_t mount_id, const std::string& mountinfo_path) {
    File f(std::fopen(mountinfo_path.c_str(), "re"));
    if (!f) return std::nullopt;
    // Streamed line by line: a host with thousands of mounts has a large table.
    char* buf = nullptr;
    size_t cap = 0;
    std::optional<std::string> out;
    for (ssize_t n; !out && (n = ::getline(&buf, &cap, f.get())) > 0;)
        out = mountinfo_line_fs_type(std::string_view(buf, size_t(n)), mount_id);
    std::free(buf);
    return out;
}

std::optional<std::string> fs_type_of_fd(int fd, pid_t pid) {
    const auto id = mount_id_of_fd(fd);
    if (!id) return std::nullopt;
    if (auto t = mount_fs_type(*id, "/proc/self/mountinfo")) return t;
    if (pid > 0) return mount_fs_type(*id, "/proc/" + std::to_string(pid) + "/mountinfo");
    return std::nullopt;
}

bool is_remote_fs_type(std::string_view type) {
    static constexpr std::string_view kRemote[] = {
        "fuse",  "fuseblk", "virtiofs", "nfs",   "nfs4",  "cifs",   "smb3",   "smbfs", "ceph",
        "9p",    "afs",     "coda",     "ncpfs", "ncp",   "ocfs2",  "gfs2",   "lustre", "gpfs",
        "glusterfs", "beegfs", "orangefs", "pvfs2",
    };
    if (type.substr(0, 5) == "fuse.") return true;  // fuse.sshfs, fuse.glusterfs, ...
    for (auto r : kRemote)
        if (type == r) return true;
    return false;
}

std::optional<std::pair<std::string, std::string>> mountinfo_line_point(std::string_view line) {
    // id parent major:minor root mount_point ...
    size_t pos = 0;
    for (int field = 0; field < 4; ++field) {
        pos = line.find(' ', pos);
        if (pos == std::string_view::npos) return std::nullopt;
        ++pos;
    }
    const size_t end = line.find(' ', pos);
    if (end == std::string_view::npos) return std::nullopt;
    const auto id = parse_u64(line.substr(0, line.find(' ')));
    if (!id) return std::nullopt;
    auto type = mountinfo_line_fs_type(line, *id);
    if (!type) return std::nullopt;
    return std::make_pair(unescape_mount_point(line.substr(pos, end - pos)), std::move(*type));
}

RemoteMounts::RemoteMounts(std::string mountinfo_path) : path_(std::move(mountinfo_path)) {
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
}

RemoteMounts::~RemoteMounts() {
    if (fd_ >= 0) ::close(fd_);
}

void RemoteMounts::refresh_locked() {
    // Reading the whole table from the start also re-arms the change flag.
    std::string text;
    char buf[65536];
    if (::lseek(fd_, 0, SEEK_SET) != 0) return;
    for (ssize_t n; (n = ::read(fd_, buf, sizeof buf)) > 0;) text.append(buf, size_t(n));
    std::vector<std::string> points;
    for (size_t start = 0; start < text.size();) {
        size_t nl = text.find('\n', start);
        if (nl == std::string::npos) nl = text.size();
        if (auto p = mountinfo_line_point(std::string_view(text).substr(start, nl - start));
            p && is_remote_fs_type(p->second))
            points.push_back(std::move(p->first));
        start = nl + 1;
    }
    points_ = std::move(points);
    loaded_ = true;
}

bool RemoteMounts::covers(std::string_view path) {
    std::lock_guard g(mu_);
    if (fd_ < 0) return false;
    pollfd p{fd_, POLLPRI, 0};
    if (!loaded_ || (::poll(&p, 1, 0) > 0 && (p.revents & (POLLPRI | POLLERR)))) refresh_locked();
    for (const auto& m : points_) {
        if (m == "/") return true;
        if (path.size() >= m.size() && path.compare(0, m.size(), m) == 0 &&
            (path.size() == m.size() || path[m.size()] == '/'))
            return true;
    }
    return false;
}

}  // namespace vigil::common
