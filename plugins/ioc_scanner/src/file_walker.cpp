#include "file_walker.hpp"

#include <dirent.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <memory>

namespace vigil::ioc_scanner {

bool is_excluded(const std::string& path, const std::vector<std::string>& exclusions) {
    for (const auto& e : exclusions) {
        if (e.empty()) continue;
        if (e.find_first_of("*?[") != std::string::npos) {
            if (fnmatch(e.c_str(), path.c_str(), 0) == 0) return true;
            continue;
        }
        std::string_view ex(e);
        while (ex.size() > 1 && ex.back() == '/') ex.remove_suffix(1);
        if (path.size() >= ex.size() && path.compare(0, ex.size(), ex) == 0 &&
            (path.size() == ex.size() || path[ex.size()] == '/' || ex == "/"))
            return true;
    }
    return false;
}

std::vector<MountNamespace> other_mount_namespaces(const std::string& proc_root) {
    std::vector<MountNamespace> out;
    char buf[64];
    ssize_t n = readlink((proc_root + "/self/ns/mnt").c_str(), buf, sizeof buf - 1);
    const std::string self = n > 0 ? std::string(buf, size_t(n)) : std::string();
    std::map<std::string, int> seen;
    std::unique_ptr<DIR, int (*)(DIR*)> d(opendir(proc_root.c_str()), closedir);
    if (!d) return out;
    while (auto* ent = readdir(d.get())) {
        char* end = nullptr;
        long pid = strtol(ent->d_name, &end, 10);
        if (*end != '\0' || pid <= 0) continue;
        n = readlink((proc_root + "/" + ent->d_name + "/ns/mnt").c_str(), buf, sizeof buf - 1);
        if (n <= 0) continue;
        std::string ns(buf, size_t(n));  // "mnt:[4026531840]"
        if (ns == self) continue;
        auto it = seen.find(ns);
        if (it == seen.end() || it->second > pid) seen[ns] = int(pid);
    }
    for (const auto& [ns, pid] : seen) {
        auto b = ns.find('['), e = ns.find(']');
        out.push_back(
            {b != std::string::npos && e != std::string::npos ? ns.substr(b + 1, e - b - 1) : ns, pid});
    }
    return out;
}

namespace {

struct Walker {
    const WalkOptions& opts;
    const std::atomic<bool>& cancel;
    WalkCounters& c;
    const std::function<bool(FileEntry&&)>& emit;
    std::string prefix;  // "" or "/proc/PID/root"
    std::string ns;

    bool file(const std::string& path) {
        if (opts.path_hint && !opts.path_hint->search(path)) {
            c.hint_skipped++;
            return true;
        }
        return emit(FileEntry{prefix + path, path, ns});
    }

    // Iterative depth-first walk; `path` is as seen inside the namespace.
    bool tree(const std::string& root) {
        std::vector<std::string> stack{root};
        while (!stack.empty()) {
            if (cancel.load(std::memory_order_relaxed)) return false;
            std::string dir = std::move(stack.back());
            stack.pop_back();
            std::unique_ptr<DIR, int (*)(DIR*)> d(opendir((prefix + dir).c_str()), closedir);
            if (!d) {
                c.errors++;
                continue;
            }
            c.directories++;
            std::vector<std::string> subdirs;
            while (auto* ent = readdir(d.get())) {
                const char* name = ent->d_name;
                if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) continue;
                std::string path = dir == "/" ? "/" + std::string(name) : dir + "/" + name;
                unsigned char type = ent->d_type;
                if (type == DT_UNKNOWN) {
                    struct stat st {};
                    if (lstat((prefix + path).c_str(), &st) != 0) {
                        c.errors++;
                        continue;
                    }
                    type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_LNK;
                }
                if (type != DT_DIR && type != DT_REG) continue;  // symlinks, devices, sockets, fifos
                if (!opts.exclusions.empty() && is_excluded(path, opts.exclusions)) {
                    c.excluded++;
                    continue;
                }
                if (type == DT_DIR) {
                    subdirs.push_back(std::move(path));
                } else if (!file(path)) {
                    return false;
                }
            }
            // Reverse so that the walk visits subdirectories in readdir order.
            for (auto it = subdirs.rbegin(); it != subdirs.rend(); ++it) stack.push_back(std::move(*it));
        }
        return true;
    }

    bool start(const std::string& root) {
        if (is_excluded(root, opts.exclusions)) {
            c.excluded++;
            return true;
        }
        // A named scan path is followed when it is a symlink (/lib -> usr/lib
        // on merged-/usr systems); links below it are not.
        struct stat st {};
        if (stat((prefix + root).c_str(), &st) != 0) {
            c.errors++;
            return true;
        }
        if (S_ISREG(st.st_mode)) return file(root);
        if (S_ISDIR(st.st_mode)) return tree(root);
        return true;
    }
};

}  // namespace

bool walk_files(const WalkOptions& opts, const std::atomic<bool>& cancel, WalkCounters& counters,
                const std::function<bool(FileEntry&&)>& emit) {
    Walker w{opts, cancel, counters, emit, "", ""};
    for (const auto& p : opts.paths)
        if (!w.start(p)) return false;
    if (!opts.other_mount_namespaces) return true;
    for (const auto& ns : other_mount_namespaces()) {
        counters.namespaces++;
        Walker inner{opts, cancel, counters, emit, "/proc/" + std::to_string(ns.pid) + "/root", ns.id};
        for (const auto& p : opts.paths)
            if (!inner.start(p)) return false;
    }
    return true;
}

}  // namespace vigil::ioc_scanner
