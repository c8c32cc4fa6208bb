// Walks the scan paths and hands every regular file to a callback: no
// symlinks followed, exclusions by path prefix or glob, an optional path hint
// regex, and optionally the same paths inside other mount namespaces
// (containers) reached through /proc/PID/root.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "file_view.hpp"
#include "regex.hpp"

namespace vigil::ioc_scanner {

struct WalkOptions {
    std::vector<std::string> paths;       // absolute paths (directories or files)
    std::vector<std::string> exclusions;  // "/proc", "/var/lib/docker", "*.iso", ...
    const Regex* path_hint = nullptr;     // only files whose path matches are handed on
    bool other_mount_namespaces = false;
};

struct WalkCounters {
    std::atomic<uint64_t> directories{0}, errors{0}, excluded{0}, hint_skipped{0}, namespaces{0};
};

struct MountNamespace {
    std::string id;  // "4026531840"
    int pid = 0;     // a process living in it
};

// Mount namespaces other than this process's, one representative process each.
std::vector<MountNamespace> other_mount_namespaces(const std::string& proc_root = "/proc");

// True when `path` is excluded by an exclusion (prefix on a path-component
// boundary, or an fnmatch glob when it contains * ? or [).
bool is_excluded(const std::string& path, const std::vector<std::string>& exclusions);

// Returns false when it stopped because `emit` returned false or cancel was set.
bool walk_files(const WalkOptions& opts, const std::atomic<bool>& cancel, WalkCounters& counters,
                const std::function<bool(FileEntry&&)>& emit);

}  // namespace vigil::ioc_scanner
