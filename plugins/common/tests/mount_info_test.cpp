#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <fstream>

#include "vigil/common/mount_info.hpp"
#include "vigil/testing/temp_dir.hpp"

using namespace vigil::common;

TEST_CASE("mount_info: the fstype field of a mountinfo line, by mount id") {
    const std::string_view l =
        "36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 shared:2 - fuse.sshfs host:/x rw,user_id=1000\n";
    CHECK(mountinfo_line_fs_type(l, 36) == "fuse.sshfs");
    CHECK_FALSE(mountinfo_line_fs_type(l, 35));
    CHECK_FALSE(mountinfo_line_fs_type(l, 3));
    CHECK(mountinfo_line_fs_type("22 1 8:1 / / rw - ext4 /dev/sda1 rw", 22) == "ext4");
    // Garbage never matches.
    CHECK_FALSE(mountinfo_line_fs_type("22 1 8:1 / / rw", 22));
    CHECK_FALSE(mountinfo_line_fs_type("x 1 - ext4", 22));
    CHECK_FALSE(mountinfo_line_fs_type("", 0));
    CHECK_FALSE(mountinfo_line_fs_type("22 1 8:1 / / rw - ", 22));
}

TEST_CASE("mount_info: FUSE and network file systems are remote, local ones are not") {
    for (auto t : {"fuse", "fuseblk", "fuse.sshfs", "fuse.fuse_stall", "virtiofs", "nfs", "nfs4", "cifs", "smb3",
                   "ceph", "9p", "lustre", "glusterfs"})
        CHECK_MESSAGE(is_remote_fs_type(t), t);
    for (auto t : {"ext4", "xfs", "btrfs", "tmpfs", "overlay", "squashfs", "proc", "fusex", ""})
        CHECK_MESSAGE(!is_remote_fs_type(t), t);
}

TEST_CASE("mount_info: an open file's type agrees with fstatfs") {
    const int fd = ::open("/proc/self/exe", O_PATH | O_CLOEXEC);
    REQUIRE(fd >= 0);
    REQUIRE(mount_id_of_fd(fd));
    const auto type = fs_type_of_fd(fd, ::getpid());
    REQUIRE(type);
    struct statfs sf {};
    REQUIRE(::fstatfs(fd, &sf) == 0);
    // ext2/3/4 share one magic; tmpfs and overlay have their own.
    if (sf.f_type == 0xEF53) CHECK(type->rfind("ext", 0) == 0);
    if (sf.f_type == 0x01021994) CHECK(*type == "tmpfs");
    if (sf.f_type == 0x794c7630) CHECK(*type == "overlay");
    ::close(fd);
    CHECK_FALSE(mount_id_of_fd(-1));
    CHECK_FALSE(mount_fs_type(1, "/nonexistent/mountinfo"));
}

TEST_CASE("mount_info: mount points of remote file systems, escapes decoded, matched by path prefix") {
    auto p = mountinfo_line_point("41 22 0:40 / /home/u/my\\040mnt rw,nosuid - fuse.sshfs host: rw");
    REQUIRE(p);
    CHECK(p->first == "/home/u/my mnt");
    CHECK(p->second == "fuse.sshfs");
    CHECK_FALSE(mountinfo_line_point("41 22 0:40 /"));
    CHECK_FALSE(mountinfo_line_point("garbage"));

    vigil::testing::TempDir dir;
    const std::string table = (dir.path() / "mountinfo").string();
    {
        std::ofstream f(table);
        f << "22 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
          << "41 22 0:40 / /home/u/fuse rw - fuse.fuse_stall fuse_stall rw\n"
          << "42 22 0:41 / /srv/nfs\\040share rw - nfs4 h:/x rw\n"
          << "43 22 0:42 / /tmp rw - tmpfs tmpfs rw\n";
    }
    RemoteMounts m(table);
    CHECK(m.covers("/home/u/fuse"));
    CHECK(m.covers("/home/u/fuse/prog"));
    CHECK(m.covers("/srv/nfs share/a/b"));
    CHECK_FALSE(m.covers("/home/u/fuse2/prog"));
    CHECK_FALSE(m.covers("/home/u/fus"));
    CHECK_FALSE(m.covers("/tmp/x"));
    CHECK_FALSE(m.covers("/etc/passwd"));
    // Unreadable table: nothing is remote (the caller's old behaviour).
    RemoteMounts none("/nonexistent/mountinfo");
    CHECK_FALSE(none.covers("/home/u/fuse/prog"));
    // The live table of this process parses and finds no remote mount at /.
    RemoteMounts self;
    CHECK_FALSE(self.covers("/proc/self/exe"));
}
