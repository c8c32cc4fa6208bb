#include "vigil/common/trusted_path.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>

namespace vigil::common {

namespace {

constexpr int kMaxSymlinks = 40;  // the kernel's own limit (ELOOP)

std::string mode_text(mode_t m) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", unsigned(m & 07777));
    return buf;
}

// What is wrong with one directory or file on the way, or "".
std::string judge(const std::string& path, const struct stat& st, bool final_component) {
    if (st.st_uid != 0) return path + ": owned by uid " + std::to_string(st.st_uid) + ", not root";
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) == 0) return "";
    // Root's sticky directories (/tmp) protect root's entries from others.
    if (!final_component && S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX)) return "";
    return path + ": writable by group or others (mode " + mode_text(st.st_mode) + ")";
}

std::deque<std::string> components(const std::string& path) {
    std::deque<std::string> out;
    size_t i = 0;
    while (i < path.size()) {
        const size_t j = path.find('/', i);
        const std::string part = path.substr(i, j == std::string::npos ? std::string::npos : j - i);
        if (!part.empty() && part != ".") out.push_back(part);
        if (j == std::string::npos) break;
        i = j + 1;
    }
    return out;
}

std::string parent_of(const std::string& dir) {
    const size_t slash = dir.rfind('/');
    return slash == 0 || slash == std::string::npos ? "/" : dir.substr(0, slash);
}

std::string join(const std::string& dir, const std::string& name) {
    return dir == "/" ? "/" + name : dir + "/" + name;
}

std::string kind_error(const std::string& path, const struct stat& st, PathKind kind) {
    if (kind == PathKind::file && !S_ISREG(st.st_mode)) return path + ": not a regular file";
    if (kind == PathKind::directory && !S_ISDIR(st.st_mode)) return path + ": not a directory";
    return "";
}

// Walks `path` one component at a time from "/", following symlinks the way
// the kernel does, and judges every directory it passes and the target.
std::string walk(const std::string& path, PathKind kind) {
    std::string start = path;
    if (path.empty()) return "empty path";
    if (path[0] != '/') {
        std::error_code ec;
        start = std::filesystem::current_path(ec).string() + "/" + path;
        if (ec) return path + ": cannot resolve the current directory: " + ec.message();
    }
    struct stat st {};
    if (::lstat("/", &st) != 0) return std::string("/: ") + std::strerror(errno);
    if (auto bad = judge("/", st, false); !bad.empty()) return bad;
    std::deque<std::string> todo = components(start);
    std::string cur = "/";
    int links = 0;
    while (!todo.empty()) {
        const std::string name = todo.front();
        todo.pop_front();
        if (name == "..") {
            cur = parent_of(cur);
            continue;
        }
        const std::string next = join(cur, name);
        if (::lstat(next.c_str(), &st) != 0) return next + ": " + std::strerror(errno);
        if (S_ISLNK(st.st_mode)) {
            // The link sits in `cur`, already judged, so nobody else can swap it.
            if (++links > kMaxSymlinks) return path + ": too many symbolic links";
            std::error_code ec;
            const std::string target = std::filesystem::read_symlink(next, ec).string();
            if (ec) return next + ": " + ec.message();
            std::deque<std::string> parts = components(target);
            for (auto it = parts.rbegin(); it != parts.rend(); ++it) todo.push_front(*it);
            if (!target.empty() && target[0] == '/') cur = "/";
            continue;
        }
        const bool final_component = todo.empty();
        if (!final_component && !S_ISDIR(st.st_mode)) return next + ": not a directory";
        if (auto bad = judge(next, st, final_component); !bad.empty()) return bad;
        if (final_component) return kind_error(next, st, kind);
        cur = next;
    }
    // The path named a directory that was reached through ".." or was "/".
    if (::lstat(cur.c_str(), &st) != 0) return cur + ": " + std::strerror(errno);
    if (auto bad = judge(cur, st, true); !bad.empty()) return bad;
    return kind_error(cur, st, kind);
}

}  // namespace

std::optional<std::string> why_untrusted(const std::string& path, PathKind kind) {
    std::string bad = walk(path, kind);
    if (bad.empty()) return std::nullopt;
    return bad;
}

bool insecure_dev_permissions() {
    const char* v = std::getenv("VIGIL_INSECURE_DEV_PERMISSIONS");
    return v && std::strcmp(v, "1") == 0;
}

std::string require_trusted_path(const std::string& path, const std::string& what, PathKind kind) {
    const auto bad = why_untrusted(path, kind);
    if (!bad) return "";
    const std::string msg = what + " " + path + ": not trusted: " + *bad +
                            " (must be owned by root and writable only by root, every directory on the way too)";
    if (!insecure_dev_permissions()) throw UntrustedPath(msg);
    return "INSECURE (VIGIL_INSECURE_DEV_PERMISSIONS=1): using it anyway: " + msg;
}

}  // namespace vigil::common
