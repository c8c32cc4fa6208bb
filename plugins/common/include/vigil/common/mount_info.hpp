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
#include <optional>
#include <string>
#include <string_view>

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

}  // namespace vigil::common
