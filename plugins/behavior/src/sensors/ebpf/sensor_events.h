/* Records the eBPF sensor programs put in the ring buffer. Shared by the BPF
 * program (vmlinux.h types) and the user-space reader (linux/types.h). */
#ifndef VIGIL_BEHAVIOR_SENSOR_EVENTS_H
#define VIGIL_BEHAVIOR_SENSOR_EVENTS_H

/* A path is built backwards from the middle of a 2*VB_PATH_HALF buffer (the
 * verifier needs offset and length bounded separately); the string is
 * buf[off .. VB_PATH_HALF) and is NUL-terminated at VB_PATH_HALF. */
#define VB_PATH_HALF 512
#define VB_PATH_BUF (2 * VB_PATH_HALF)
#define VB_PATH_DEPTH 32
#define VB_NAME_MAX 256
#define VB_ARGS_MAX 1024
#define VB_CGROUP_MAX 128

/* Identity of an executable's content, as the known_exes map keys it (kernel dev_t). */
struct vb_exe_key {
    __u64 dev, ino, size;
    __s64 mtime_ns, ctime_ns;
};

enum vb_kind { VB_EXEC = 1, VB_FORK = 2, VB_EXIT = 3, VB_NET = 4, VB_FILE = 5 };

/* Loss counters (per-CPU array indices). */
enum vb_drop { VB_DROP_RINGBUF = 0, VB_DROP_PENDING = 1, VB_DROP_MAX = 2 };
/* Other per-CPU counters, after the loss counters in the same array: modify events
 * merged into an earlier report of the same file by the same process, and file events
 * dropped because the file is on an excluded mount. */
enum vb_count { VB_COUNT_MODIFY_MERGED = VB_DROP_MAX, VB_COUNT_EXCLUDED_MOUNT = 3, VB_COUNT_MAX = 4 };

struct vb_header {
    __u32 kind;
    __u32 tgid;
    __u32 ppid;
    __u32 uid;
    __u64 boottime_ns;
};

struct vb_path {
    __u32 off; /* start of the string in buf; VB_PATH_HALF means empty */
    __u32 truncated;
    char buf[VB_PATH_BUF];
};

struct vb_exec {
    struct vb_header h;
    __u32 euid, gid, egid, args_len;
    __u64 start_boottime_ns;
    __u64 mnt_ns, pid_ns, net_ns, user_ns;
    __u64 exe_dev, exe_ino, exe_size;
    __s64 exe_mtime_ns;
    __s64 exe_ctime_ns; /* 0: this kernel's inode layout is not known */
    __u64 exe_fs_magic; /* statfs type of the executable's filesystem */
    __u32 exe_known;    /* 1: user space has this file's hash (the known_exes map) */
    __u32 pad;
    char comm[16];
    char tty[64];
    char cgroup[VB_CGROUP_MAX];
    char args[VB_ARGS_MAX];
    struct vb_path exe;
    struct vb_path cwd;
};

struct vb_fork {
    struct vb_header h; /* tgid = child, ppid = parent */
    __u64 start_boottime_ns;
};

struct vb_exit {
    struct vb_header h;
    __s32 exit_code; /* wait status: (code << 8) | signal */
    __u32 pad;
    __u64 start_boottime_ns;
    char comm[16];
};

struct vb_net {
    struct vb_header h;
    __u32 action;     /* vigil_network_action */
    __u16 family;     /* AF_INET / AF_INET6 */
    __u16 protocol;   /* IPPROTO_TCP / IPPROTO_UDP */
    __u16 lport, rport; /* host order */
    __u8 laddr[16], raddr[16];
    __u64 bytes_sent, bytes_received;
};

/* A file path is `dir` + "/" + `name` when name is relative, else `name`;
 * when name is empty, `dir` is the whole path (walked from a struct file). */
struct vb_file {
    struct vb_header h;
    __u32 action; /* vigil_file_action */
    __u32 is_dir;
    __u32 mode;              /* chmod: the new mode bits */
    __u32 owner_uid, owner_gid; /* chown: the new owner ((u32)-1 = unchanged) */
    __u32 has_inode; /* 1: the inode fields below were read from the open file's inode */
    __u32 i_mode, i_uid, i_gid;
    __u64 i_size, i_ino, i_dev; /* i_dev: kernel dev_t (major << 20 | minor) */
    char name[VB_NAME_MAX];
    char name2[VB_NAME_MAX];
    struct vb_path dir;
    struct vb_path dir2;
};

#endif
