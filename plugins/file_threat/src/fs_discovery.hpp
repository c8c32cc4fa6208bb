// Finds the file systems on-access scanning must cover by default: every
// writable local file system (ext4, xfs, btrfs, tmpfs such as /dev/shm and
// /run/user/UID, overlay, ...), one mark per superblock. Pseudo, network and
// FUSE file systems and read-only ones are skipped with the reason, which the
// plugin status shows.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

namespace vigil::file_threat {

struct MountEntry {
    std::string mount_point;
    std::string fstype;
    std::string source;
    dev_t dev = 0;
    bool read_only = false;  // the mount or its superblock
};

// Parses /proc/self/mountinfo text; malformed lines are skipped.
std::vector<MountEntry> parse_mountinfo(std::string_view text);

struct FsChoice {
    std::string mount_point;
    std::string fstype;
    std::string skip_reason;  // empty: mark it
};

// One choice per file system (device): mark it through a writable mount, or
// the reason it is skipped.
std::vector<FsChoice> choose_local_filesystems(const std::vector<MountEntry>& mounts);

// The same for the running system (reads /proc/self/mountinfo).
std::vector<FsChoice> local_filesystems();

}  // namespace vigil::file_threat
