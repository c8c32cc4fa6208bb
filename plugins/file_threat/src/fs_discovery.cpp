#include "fs_discovery.hpp"

#include <sys/sysmacros.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace vigil::file_threat {

namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' &&
            s[i + 3] <= '7') {
            out.push_back(char((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0')));
            i += 3;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

bool has_option(std::string_view opts, std::string_view opt) {
    size_t start = 0;
    while (start <= opts.size()) {
        size_t end = opts.find(',', start);
        if (end == std::string_view::npos) end = opts.size();
        if (opts.substr(start, end - start) == opt) return true;
        start = end + 1;
    }
    return false;
}

const std::set<std::string, std::less<>> kPseudo = {
    "proc",   "sysfs",     "devtmpfs", "devpts",   "cgroup",  "cgroup2",   "cpuset",     "securityfs",
    "debugfs", "tracefs",  "pstore",   "bpf",      "configfs", "fusectl",  "mqueue",     "hugetlbfs",
    "autofs", "binfmt_misc", "efivarfs", "selinuxfs", "rpc_pipefs", "nsfs", "ramfs_kernel", "nfsd"};
const std::set<std::string, std::less<>> kNetwork = {
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "ceph", "glusterfs", "lustre", "afs", "9p", "davfs", "ncpfs",
    "virtiofs", "gfs2", "ocfs2", "beegfs", "gpfs", "orangefs"};

std::string skip_reason(const MountEntry& m) {
    if (kPseudo.count(m.fstype)) return "pseudo file system (" + m.fstype + ")";
    if (kNetwork.count(m.fstype)) return "network file system (" + m.fstype + ")";
    if (m.fstype == "fuse" || m.fstype == "fuseblk" || m.fstype.rfind("fuse.", 0) == 0)
        return "FUSE (" + m.fstype + "): served by a user-space process that a permission event could deadlock";
    for (std::string_view k : {"/proc", "/sys"})
        if (m.mount_point == k || m.mount_point.rfind(std::string(k) + "/", 0) == 0) return "kernel interface";
    return {};
}

}  // namespace

std::vector<MountEntry> parse_mountinfo(std::string_view text) {
    std::vector<MountEntry> out;
    std::istringstream in{std::string(text)};
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream f(line);
        std::vector<std::string> w;
        for (std::string x; f >> x;) w.push_back(x);
        size_t dash = 0;
        for (size_t i = 6; i < w.size(); ++i)
            if (w[i] == "-") {
                dash = i;
                break;
            }
        if (dash == 0 || dash + 2 >= w.size()) continue;
        unsigned maj = 0, min = 0;
        if (std::sscanf(w[2].c_str(), "%u:%u", &maj, &min) != 2) continue;
        MountEntry m;
        m.dev = makedev(maj, min);
        m.mount_point = unescape(w[4]);
        m.fstype = w[dash + 1];
        m.source = unescape(w[dash + 2]);
        m.read_only = has_option(w[5], "ro") || (dash + 3 < w.size() && has_option(w[dash + 3], "ro"));
        out.push_back(std::move(m));
    }
    return out;
}

std::vector<FsChoice> choose_local_filesystems(const std::vector<MountEntry>& mounts) {
    std::vector<FsChoice> out;
    std::map<dev_t, size_t> by_dev;  // index into out
    // A mark is placed by path, which reaches only the top mount there: one
    // mounted over later cannot be marked through its mount point.
    std::map<std::string, size_t> top;
    for (size_t i = 0; i < mounts.size(); ++i) top[mounts[i].mount_point] = i;
    for (size_t i = 0; i < mounts.size(); ++i) {
        const MountEntry& m = mounts[i];
        std::string why = skip_reason(m);
        if (why.empty() && top[m.mount_point] != i) why = "hidden under a later mount at the same path";
        auto it = by_dev.find(m.dev);
        if (it == by_dev.end()) {
            by_dev[m.dev] = out.size();
            out.push_back({m.mount_point, m.fstype, !why.empty() ? why : m.read_only ? "read-only" : ""});
            continue;
        }
        // Another mount of the same file system: a writable, visible one wins.
        FsChoice& c = out[it->second];
        if (!c.skip_reason.empty() && why.empty() && !m.read_only) c = {m.mount_point, m.fstype, ""};
    }
    return out;
}

std::vector<FsChoice> local_filesystems() {
    std::ifstream in("/proc/self/mountinfo");
    std::stringstream ss;
    ss << in.rdbuf();
    return choose_local_filesystems(parse_mountinfo(ss.str()));
}

}  // namespace vigil::file_threat
