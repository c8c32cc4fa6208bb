#include "vigil/common/safe_fs.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace vigil::common {

namespace {

std::string sys_text(int err) {
    char buf[256];
    // GNU strerror_r returns the message (maybe not in buf).
    return ::strerror_r(err, buf, sizeof buf);
}

[[noreturn]] void fail(const std::string& what, int err) { throw SafeFsError(what + ": " + sys_text(err), err); }

int64_t ns_of(const struct timespec& t) { return int64_t(t.tv_sec) * 1000000000 + t.tv_nsec; }

std::vector<std::string_view> components(std::string_view path) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < path.size()) {
        while (i < path.size() && path[i] == '/') ++i;
        size_t j = i;
        while (j < path.size() && path[j] != '/') ++j;
        if (j > i) out.push_back(path.substr(i, j - i));
        i = j;
    }
    return out;
}

// Validates and normalizes an absolute directory path ("/" allowed).
std::string normalized_dir(std::string_view dir) {
    if (dir.empty() || dir.front() != '/') throw SafeFsError("not an absolute path: '" + std::string(dir) + "'", EINVAL);
    if (dir.find('\0') != std::string_view::npos) throw SafeFsError("path contains a NUL byte", EINVAL);
    std::string out;
    for (auto c : components(dir)) {
        if (c == "." || c == "..")
            throw SafeFsError("refusing a path with a '.' or '..' component: '" + std::string(dir) + "'", EINVAL);
        out += "/";
        out += c;
    }
    return out.empty() ? "/" : out;
}

long sys_openat2(int dirfd, const char* path, const struct open_how* how) {
    return ::syscall(SYS_openat2, dirfd, path, how, sizeof(struct open_how));
}

void check_owner(int fd, const std::string& where, const DirOwners& owners) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) fail("cannot stat " + where, errno);
    if (st.st_uid != 0 && st.st_uid != owners.also_allowed)
        throw SafeFsError("refusing " + where + ": the directory is owned by uid " + std::to_string(st.st_uid) +
                              ", not by root or uid " + std::to_string(owners.also_allowed),
                          EPERM);
}

// Explains why opening component `name` under `parent_fd` failed.
[[noreturn]] void walk_failed(int parent_fd, std::string_view name, const std::string& so_far, int err) {
    struct stat st {};
    if ((err == ENOTDIR || err == ELOOP) &&
        ::fstatat(parent_fd, std::string(name).c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
        throw SafeFsError("refusing to follow the symbolic link " + so_far, ELOOP);
    fail("cannot open directory " + so_far, err);
}

// The portable walk: one O_PATH | O_NOFOLLOW open per component, from
// `base` (or "/" when base < 0).
UniqueFd walk_dir(const std::string& dir, const DirOwners* owners, int base = -1) {
    UniqueFd cur(base < 0 ? ::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC) : ::fcntl(base, F_DUPFD_CLOEXEC, 0));
    if (!cur.valid()) fail("cannot open /", errno);
    if (owners) check_owner(cur.get(), "/", *owners);
    std::string so_far;
    for (auto c : components(dir)) {
        so_far += "/";
        so_far += c;
        const std::string name(c);
        UniqueFd next(::openat(cur.get(), name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!next.valid()) walk_failed(cur.get(), c, so_far, errno);
        if (owners) check_owner(next.get(), so_far, *owners);
        cur = std::move(next);
    }
    return cur;
}

struct stat lstat_at(const FileRef& ref) {
    struct stat st {};
    if (::fstatat(ref.dir.get(), ref.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
        fail("cannot access " + ref.path, errno);
    return st;
}

void check_stat(const struct stat& st, const FileRef& ref, const char* when) {
    if (S_ISLNK(st.st_mode)) throw SafeFsError(ref.path + " became a symbolic link " + when, ELOOP);
    if (!S_ISREG(st.st_mode)) throw SafeFsError(ref.path + " is no longer a regular file " + when, ESTALE);
    const FileStamp now = FileStamp::of(st);
    if (!now.same_object(ref.expect))
        throw SafeFsError(ref.path + " is a different file " + when + " (inode " + std::to_string(now.ino) +
                              ", expected " + std::to_string(ref.expect.ino) + ")",
                          ESTALE);
    if (ref.check_version && !now.same_version(ref.expect))
        throw SafeFsError(ref.path + " changed since it was checked (" + when + ")", ESTALE);
}

}  // namespace

void UniqueFd::reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
}

UniqueFd UniqueFd::dup() const {
    int f = ::fcntl(fd_, F_DUPFD_CLOEXEC, 0);
    if (f < 0) fail("cannot duplicate a descriptor", errno);
    return UniqueFd(f);
}

FileStamp FileStamp::of(const struct stat& st) {
    FileStamp s;
    s.dev = uint64_t(st.st_dev);
    s.ino = uint64_t(st.st_ino);
    s.size = uint64_t(st.st_size);
    s.mtime_ns = ns_of(st.st_mtim);
    s.ctime_ns = ns_of(st.st_ctim);
    return s;
}

std::optional<PathParts> split_path(std::string_view path, std::string* why) {
    auto refuse = [&](const std::string& w) -> std::optional<PathParts> {
        if (why) *why = w;
        return std::nullopt;
    };
    if (path.empty() || path.front() != '/') return refuse("not an absolute path: '" + std::string(path) + "'");
    if (path.find('\0') != std::string_view::npos) return refuse("the path contains a NUL byte");
    auto parts = components(path);
    if (parts.empty()) return refuse("'/' is not a file");
    for (auto c : parts)
        if (c == "." || c == "..")
            return refuse("refusing a path with a '.' or '..' component: '" + std::string(path) + "'");
    PathParts out;
    out.name = std::string(parts.back());
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
        out.parent += "/";
        out.parent += parts[i];
    }
    if (out.parent.empty()) out.parent = "/";
    return out;
}

UniqueFd open_dir_nofollow(const std::string& dir_in, const DirOwners* owners, bool cached_only) {
    const std::string dir = normalized_dir(dir_in);
    if (!owners) {
        struct open_how how {};
        how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
        how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | (cached_only ? RESOLVE_CACHED : 0);
        long fd = sys_openat2(AT_FDCWD, dir.c_str(), &how);
        if (fd >= 0) return UniqueFd(int(fd));
        const int err = errno;
        if (err == EAGAIN && cached_only) throw SafeFsError(dir + " is not in the lookup cache", EAGAIN);
        // ENOSYS / E2BIG: older kernel; EPERM: a seccomp filter. Walk instead.
        if (err != ENOSYS && err != E2BIG && err != EPERM) {
            if (err == ELOOP || err == EXDEV) return walk_dir(dir, nullptr);  // the walk names the link
            fail("cannot open directory " + dir, err);
        }
        if (cached_only) throw SafeFsError("openat2 is not available for a cached-only lookup of " + dir, EAGAIN);
    }
    return walk_dir(dir, owners);
}

namespace {
void finish_ref(FileRef& ref) {
    struct stat st = lstat_at(ref);
    if (S_ISLNK(st.st_mode)) throw SafeFsError("refusing to follow the symbolic link " + ref.path, ELOOP);
    if (!S_ISREG(st.st_mode)) throw SafeFsError(ref.path + " is not a regular file", EINVAL);
    ref.expect = FileStamp::of(st);
}
}  // namespace

FileRef resolve_file(const std::string& path) {
    std::string why;
    auto parts = split_path(path, &why);
    if (!parts) throw SafeFsError(why, EINVAL);
    FileRef ref;
    ref.dir = open_dir_nofollow(parts->parent);
    ref.name = parts->name;
    ref.path = parts->path();
    finish_ref(ref);
    return ref;
}

FileRef resolve_file_at(int base_fd, const std::string& rel, const std::string& display) {
    std::string why;
    auto parts = split_path("/" + rel, &why);
    if (!parts) throw SafeFsError(why, EINVAL);
    FileRef ref;
    struct open_how how {};
    how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
    how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_BENEATH;
    const std::string parent = parts->parent == "/" ? "." : parts->parent.substr(1);
    long fd = sys_openat2(base_fd, parent.c_str(), &how);
    if (fd >= 0) ref.dir = UniqueFd(int(fd));
    else if (errno == ENOSYS || errno == E2BIG || errno == EPERM || errno == ELOOP)
        ref.dir = walk_dir(parts->parent, nullptr, base_fd);
    else
        fail("cannot open directory " + parts->parent + " of " + display, errno);
    ref.name = parts->name;
    ref.path = display;
    finish_ref(ref);
    return ref;
}

FileRef ref_at(int dir_fd, std::string name, std::string path, const FileStamp& expect, bool check_version) {
    if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
        name.find('\0') != std::string::npos)
        throw SafeFsError("not a single file name: '" + name + "'", EINVAL);
    FileRef ref;
    const int copy = ::fcntl(dir_fd, F_DUPFD_CLOEXEC, 0);  // the caller keeps its own descriptor
    if (copy < 0) fail("cannot duplicate the directory descriptor of " + path, errno);
    ref.dir = UniqueFd(copy);
    ref.name = std::move(name);
    ref.path = std::move(path);
    ref.expect = expect;
    ref.check_version = check_version;
    return ref;
}

struct stat verify_ref(const FileRef& ref) {
    struct stat st = lstat_at(ref);
    check_stat(st, ref, "before the action");
    return st;
}

void check_fd(int fd, const FileRef& ref, const char* when) {
    struct stat st {};
    if (::fstat(fd, &st) != 0) fail("cannot stat " + ref.path, errno);
    check_stat(st, ref, when);
}

UniqueFd open_verified(const FileRef& ref) {
    UniqueFd fd(::openat(ref.dir.get(), ref.name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    if (!fd.valid()) {
        if (errno == ELOOP) throw SafeFsError("refusing to follow the symbolic link " + ref.path, ELOOP);
        fail("cannot open " + ref.path, errno);
    }
    check_fd(fd.get(), ref, "when it was opened");
    return fd;
}

void unlink_verified(const FileRef& ref) {
    // Nothing can unlink "if the inode is X"; checking right before unlinkat on
    // the held directory leaves only a swap inside that very directory, whose
    // entries its owner could remove anyway.
    verify_ref(ref);
    if (::unlinkat(ref.dir.get(), ref.name.c_str(), 0) != 0) fail("cannot remove " + ref.path, errno);
}

}  // namespace vigil::common
