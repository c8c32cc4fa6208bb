#pragma once
// The file system type of an open file, taken from the mount table instead of
// asking the file system. fstatfs (and fstat, open, read) on a FUSE or network
// file system is a request to its server, which a user-mounted FUSE server can
// leave unanswered forever; the kernel's mount table never asks it.
//
//   auto type = vigil::common::fs_type_of_fd(fd, pid);   // "ext4", "fuse.sshfs", ...
//   if (!type || vigil::common::is_remote_fs_type(*type)) skip();

#include <sys/types.h>

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::common {

// The mount id of an open descriptor (also O_PATH), from /proc/self/fdinfo.
std::optional<uint64_t> mount_id_of_fd(int fd);

// The fstype field of mount `mount_id` in a mountinfo file; nullopt when the
// file cannot be read or does not list that mount.
std::optional<std::string> mount_fs_type(uint64_t mount_id, const std::string& mountinfo_path);

// The fstype field of one mountinfo line when its mount id is `mount_id`.
std::optional<std::string> mountinfo_line_fs_type(std::string_view line, uint64_t mount_id);

// fd's file system type: looked up in this process's mount table, then in
// that of `pid` (a process of another mount namespace that has the file
// open or as its executable; 0 = none). nullopt when neither lists it.
std::optional<std::string> fs_type_of_fd(int fd, pid_t pid = 0);

// FUSE (fuse, fuseblk, fuse.*, virtiofs) and network or cluster file systems:
// reading them may wait on a remote or user-space server.
bool is_remote_fs_type(std::string_view type);

// The mount point (field 5, octal escapes decoded) and fstype of a mountinfo
// line; nullopt for a malformed line.
std::optional<std::pair<std::string, std::string>> mountinfo_line_point(std::string_view line);

// Where FUSE and network file systems are mounted in this process's mount
// table, re-read whenever the table changes (the kernel flags an open
// mountinfo for poll), so a path can be judged without touching it: an lstat
// of a path on a user's FUSE mount is a request its server may never answer.
// Thread-safe.
class RemoteMounts {
public:
    explicit RemoteMounts(std::string mountinfo_path = "/proc/self/mountinfo");
    ~RemoteMounts();
    RemoteMounts(const RemoteMounts&) = delete;
    RemoteMounts& operator=(const RemoteMounts&) = delete;

    // True when the absolute `path` lies on (or under) such a mount point. A
    // table that cannot be read counts as "no remote mounts".
    bool covers(std::string_view path);

private:
    void refresh_locked();
    std::mutex mu_;
    std::string path_;
    int fd_ = -1;
    bool loaded_ = false;
    std::vector<std::string> points_;
};

}  // namespace vigil::common
