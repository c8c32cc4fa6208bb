#include "vigil/common/mount_info.hpp"

#include <charconv>
#include <sys/types.h>

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

}  // namespace vigil::common
