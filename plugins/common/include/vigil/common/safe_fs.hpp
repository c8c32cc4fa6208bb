#pragma once
// File actions that act on the object that was judged, not on whatever a path
// names by the time the action runs.
//
// The agent runs as root and acts on files an unprivileged user controls. A
// path string is only a hint: between a scan and a quarantine the user can
// swap a parent directory for a symbolic link to /etc, rename directories, or
// put a different file under the same name. So every file action here
//   1. opens the parent directory without following a symbolic link in any
//      component (openat2 RESOLVE_NO_SYMLINKS, or an O_PATH + O_NOFOLLOW walk
//      from "/" where openat2 is not available) and keeps it open,
//   2. works with *at calls on that directory descriptor and one name, and
//   3. checks device, inode and - unless told otherwise - size, mtime and
//      ctime of the object right before it reads, unlinks or renames it.
// Paths with "." or ".." components are refused, so a path that passed the
// walk is also the canonical location of the object (protected-path rules
// can match it textually).
//
//   FileRef ref = resolve_file("/home/u/d/evil");       // stamp taken now
//   FileRef ref = ref_at(dir_fd, "evil", path, stamp);   // stamp of the scan
//   UniqueFd in = open_verified(ref);                    // the same object
//   unlink_verified(ref);                                // still the same object
//
// Errors throw SafeFsError naming the path and the reason.

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace vigil::common {

// An owned file descriptor (closed on destruction).
class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    ~UniqueFd() { reset(); }
    UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
    UniqueFd& operator=(UniqueFd&& o) noexcept {
        if (this != &o) reset(o.release());
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;

    int get() const { return fd_; }
    bool valid() const { return fd_ >= 0; }
    int release() {
        int f = fd_;
        fd_ = -1;
        return f;
    }
    void reset(int fd = -1);
    // A second descriptor for the same open file (F_DUPFD_CLOEXEC); throws.
    UniqueFd dup() const;

private:
    int fd_ = -1;
};

// Identity (device, inode) and version (size, mtime, ctime) of a file. Any
// write, truncate, chmod, chown or rename of the inode changes ctime, so an
// unchanged stamp means an unchanged object.
struct FileStamp {
    uint64_t dev = 0, ino = 0, size = 0;
    int64_t mtime_ns = 0, ctime_ns = 0;
    static FileStamp of(const struct stat& st);
    bool same_object(const FileStamp& o) const { return dev == o.dev && ino == o.ino; }
    bool same_version(const FileStamp& o) const {
        return same_object(o) && size == o.size && mtime_ns == o.mtime_ns && ctime_ns == o.ctime_ns;
    }
};

class SafeFsError : public std::runtime_error {
public:
    SafeFsError(const std::string& message, int err) : std::runtime_error(message), err_(err) {}
    int sys_errno() const { return err_; }  // ELOOP for a symbolic link, ESTALE for a changed object, ...

private:
    int err_;
};

// "/a//b/c" -> {"/a/b", "c"}. Refuses (nullopt, *why set) a relative or empty
// path, a "." or ".." component, "/" itself and a NUL byte.
struct PathParts {
    std::string parent;  // absolute, normalized ("/" for a file in the root)
    std::string name;    // one component
    std::string path() const { return parent == "/" ? "/" + name : parent + "/" + name; }
};
std::optional<PathParts> split_path(std::string_view path, std::string* why = nullptr);

// Who may own each directory on the way (restore: root or the file's owner).
struct DirOwners {
    uid_t also_allowed = 0;  // besides root
};

// Opens directory `dir` (absolute) as an O_PATH descriptor without following a
// symbolic link in any component. With `owners`, every directory from "/" on
// must be owned by root or owners->also_allowed. `cached_only`: fail with
// EAGAIN instead of doing any lookup that is not in the dentry cache (for
// threads that must never wait on a slow file system); never set with owners.
UniqueFd open_dir_nofollow(const std::string& dir, const DirOwners* owners = nullptr, bool cached_only = false);

// One file to act on: a directory held open, one name in it, and the object
// that was judged.
struct FileRef {
    UniqueFd dir;
    std::string name;
    std::string path;  // parent + "/" + name, for messages and records
    FileStamp expect;
    bool check_version = true;  // size, mtime, ctime must match too (else dev/ino only)
};

// The regular file at `path` as it is now (refuses a final symbolic link,
// a directory, a FIFO, ...).
FileRef resolve_file(const std::string& path);
// The same beneath `base_fd` (e.g. /proc/PID/root of another mount
// namespace): `rel` is resolved inside it without following links or leaving
// it; `display` is what messages and records call the file.
FileRef resolve_file_at(int base_fd, const std::string& rel, const std::string& display);
// A reference from a directory the caller already holds (duplicated here) and
// the stamp of the object it judged.
FileRef ref_at(int dir_fd, std::string name, std::string path, const FileStamp& expect, bool check_version = true);

// lstat of dir/name; throws unless it is a regular file matching the reference.
struct stat verify_ref(const FileRef& ref);
// Opens dir/name read-only (O_NOFOLLOW, O_NONBLOCK, O_NOCTTY) and checks that
// the opened object matches the reference.
UniqueFd open_verified(const FileRef& ref);
// Unlinks dir/name if it still is the referenced object.
void unlink_verified(const FileRef& ref);
// Checks an open descriptor against the reference (e.g. after a copy).
void check_fd(int fd, const FileRef& ref, const char* when);

}  // namespace vigil::common
