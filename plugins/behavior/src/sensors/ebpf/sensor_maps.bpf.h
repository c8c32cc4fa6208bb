/* SPDX-License-Identifier: GPL-2.0 */
/* What every sensor program shares: the settings user space sets before load,
 * the maps, and writing records into the ring buffer. Included by sensors.bpf.c
 * after vmlinux.h, the libbpf headers and sensor_events.h. */
#pragma once

#define AF_INET 2
#define AF_INET6 10
#define AT_FDCWD -100
#define AT_REMOVEDIR 0x200
#define SOCK_DGRAM 2
#define S_IFMT 00170000
#define S_IFREG 0100000
#define FMODE_WRITE 0x2
#define FMODE_CREATED 0x100000

/* vigil_network_action / vigil_file_action */
#define NET_CONNECT 1
#define NET_ACCEPT 2
#define NET_LISTEN 3
#define NET_CLOSE 4
#define FILE_CREATE 1
#define FILE_MODIFY 2
#define FILE_DELETE 3
#define FILE_RENAME 4
#define FILE_CHMOD 5
#define FILE_CHOWN 6

/* The agent itself (set before load): its own activity is not reported. */
const volatile __u32 self_tgid = 0;
/* Which groups to report (set before load). */
const volatile __u32 want_net = 1;
const volatile __u32 want_file = 1;
/* Repeated modify events of one file by one process within this window are merged into
 * the first (counted, not reported); 0 reports every one (set before load). */
const volatile __u64 modify_merge_ns = 0;

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 16 << 20); /* resized from user space */
} events SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, VB_COUNT_MAX);
    __type(key, __u32);
    __type(value, __u64);
} drops SEC(".maps");

/* Syscall arguments saved at entry, used at exit when the call succeeded. */
struct pending_call {
    __u32 action;
    __s32 dfd, dfd2, fd;
    __u64 name, name2;
    __u32 is_dir;
    __u32 is_connect;
    __u32 mode, owner_uid, owner_gid;
};
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 16384);
    __type(key, __u32); /* thread id */
    __type(value, struct pending_call);
} pending SEC(".maps");

/* Who owns a TCP socket: recorded at connect/listen/accept, used when the
 * state changes in softirq context (established, close). */
struct sk_owner {
    __u32 tgid, ppid, uid, pad;
};
struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 65536);
    __type(key, __u64);
    __type(value, struct sk_owner);
} owners SEC(".maps");

static __always_inline void count_drop(__u32 idx) {
    __u64 *v = bpf_map_lookup_elem(&drops, &idx);
    if (v) *v += 1;
}

/* The last reported modify of a file by a process (for merging repeats). The file's name
 * and parent are kept too, so that a modify under a new name (after a rename) is reported. */
struct modify_key {
    __u32 tgid, dev;
    __u64 ino;
};
struct modify_seen {
    __u64 when_ns;
    __u64 name_hash_len;
    __u64 parent;
};
struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 8192);
    __type(key, struct modify_key);
    __type(value, struct modify_seen);
} modifies SEC(".maps");

/* Mounts (mnt_id) at or below an excluded path (filled by user space from
 * file_exclude_paths): files on them are never reported, so their paths are not built. */
struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 1024);
    __type(key, __u32);
    __type(value, __u8);
} excluded_mounts SEC(".maps");

static __always_inline void *reserve(__u64 size) {
    void *e = bpf_ringbuf_reserve(&events, size, 0);
    if (!e) count_drop(VB_DROP_RINGBUF);
    return e;
}

/* Executables user space has hashed (filled from user space). An exec of one it has
 * not wakes the reader at once, so that it can take hold of the file while the process
 * still runs; known ones wait for the batch like every other event. */
struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 4096); /* resized from user space */
    __type(key, struct vb_exe_key);
    __type(value, __u8);
} known_exes SEC(".maps");

/* Wakes the reader only when a batch has accumulated: one wakeup per event
 * would cost more than the event itself in exec storms. The reader also
 * drains on a short timer, so nothing waits long. */
#define VB_WAKEUP_BYTES (256 * 1024)
static __always_inline void submit_now(void *e, int now) {
    __u64 avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
    bpf_ringbuf_submit(e, now || avail >= VB_WAKEUP_BYTES ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}
static __always_inline void submit(void *e) { submit_now(e, 0); }

/* `task` is always current: its tgid and uid come from helpers, without a probe read each
 * (bpf_get_current_uid_gid gives current's cred uid as the kernel uid, like cred->uid.val). */
static __always_inline void fill_header(struct vb_header *h, __u32 kind, struct task_struct *task) {
    h->kind = kind;
    h->tgid = bpf_get_current_pid_tgid() >> 32;
    h->ppid = BPF_CORE_READ(task, real_parent, tgid);
    h->uid = (__u32)bpf_get_current_uid_gid();
    h->boottime_ns = bpf_ktime_get_boot_ns();
}
