// SPDX-License-Identifier: GPL-2.0
/* Vigil behavior sensors: process, network and file events from tracepoints
 * into one ring buffer. CO-RE: built once against the build machine's BTF,
 * relocated by libbpf on the target. Only tracepoints (and one raw
 * tracepoint) are used: no kprobes, fentry or LSM hooks. */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "sensor_events.h"
#include "kernel_read.bpf.h"

/* A sys_exit tracepoint program named handle_<sys>_exit returning `expr`, which may use
 * `ctx` (the loader and the tests find programs by these names). */
#define ON_SYS_EXIT(sys, expr) \
    SEC("tracepoint/syscalls/sys_exit_" #sys) \
    int handle_##sys##_exit(struct trace_event_raw_sys_exit *ctx) { return expr; }

char LICENSE[] SEC("license") = "GPL";

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

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, 16 << 20); /* resized from user space */
} events SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, VB_DROP_MAX);
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

static __always_inline void fill_header(struct vb_header *h, __u32 kind, struct task_struct *task) {
    h->kind = kind;
    h->tgid = BPF_CORE_READ(task, tgid);
    h->ppid = BPF_CORE_READ(task, real_parent, tgid);
    h->uid = BPF_CORE_READ(task, cred, uid.val);
    h->boottime_ns = bpf_ktime_get_boot_ns();
}

/* ------------------------------------------------------------ processes */

SEC("tracepoint/sched/sched_process_exec")
int handle_exec(void *ctx) {
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    __u32 tgid = bpf_get_current_pid_tgid() >> 32;
    if (tgid == self_tgid) return 0;
    struct vb_exec *e = reserve(sizeof(*e));
    if (!e) return 0;
    fill_header(&e->h, VB_EXEC, task);
    const struct cred *cred = BPF_CORE_READ(task, cred);
    e->euid = BPF_CORE_READ(cred, euid.val);
    e->gid = BPF_CORE_READ(cred, gid.val);
    e->egid = BPF_CORE_READ(cred, egid.val);
    e->start_boottime_ns = BPF_CORE_READ(task, start_boottime);
    e->mnt_ns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
    e->net_ns = BPF_CORE_READ(task, nsproxy, net_ns, ns.inum);
    e->pid_ns = BPF_CORE_READ(task, nsproxy, pid_ns_for_children, ns.inum);
    e->user_ns = BPF_CORE_READ(cred, user_ns, ns.inum);
    bpf_get_current_comm(e->comm, sizeof e->comm);

    struct mm_struct *mm = BPF_CORE_READ(task, mm);
    struct file *exe = BPF_CORE_READ(mm, exe_file);
    struct inode *ino = BPF_CORE_READ(exe, f_inode);
    e->exe_ino = BPF_CORE_READ(ino, i_ino);
    e->exe_dev = BPF_CORE_READ(ino, i_sb, s_dev);
    e->exe_size = BPF_CORE_READ(ino, i_size);
    e->exe_mtime_ns = inode_mtime_ns(ino);
    e->exe_ctime_ns = inode_ctime_ns(ino);
    e->exe_fs_magic = BPF_CORE_READ(ino, i_sb, s_magic);
    struct vb_exe_key key = {e->exe_dev, e->exe_ino, e->exe_size, e->exe_mtime_ns, e->exe_ctime_ns};
    e->exe_known = bpf_map_lookup_elem(&known_exes, &key) ? 1 : 0;
    e->pad = 0;
    walk_file(&e->exe, exe);
    walk_path(&e->cwd, BPF_CORE_READ(task, fs, pwd.dentry), BPF_CORE_READ(task, fs, pwd.mnt));

    unsigned long start = BPF_CORE_READ(mm, arg_start), end = BPF_CORE_READ(mm, arg_end);
    __u64 len = end > start ? end - start : 0;
    if (len > VB_ARGS_MAX - 1) len = VB_ARGS_MAX - 1;
    e->args_len = 0;
    if (len > 0 && bpf_probe_read_user(e->args, len, (void *)start) == 0) e->args_len = len;

    e->tty[0] = 0;
    struct tty_struct *tty = BPF_CORE_READ(task, signal, tty);
    if (tty) bpf_core_read_str(e->tty, sizeof e->tty, &tty->name);
    e->cgroup[0] = 0;
    const char *cg = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, name);
    if (cg) bpf_probe_read_kernel_str(e->cgroup, sizeof e->cgroup, cg);
    submit_now(e, !e->exe_known);
    return 0;
}

SEC("raw_tracepoint/sched_process_fork")
int handle_fork(struct bpf_raw_tracepoint_args *ctx) {
    struct task_struct *parent = (struct task_struct *)ctx->args[0];
    struct task_struct *child = (struct task_struct *)ctx->args[1];
    __u32 ctgid = BPF_CORE_READ(child, tgid);
    if (ctgid != (__u32)BPF_CORE_READ(child, pid)) return 0; /* a thread */
    __u32 ptgid = BPF_CORE_READ(parent, tgid);
    if (ptgid == self_tgid) return 0;
    struct vb_fork *e = reserve(sizeof(*e));
    if (!e) return 0;
    e->h.kind = VB_FORK;
    e->h.tgid = ctgid;
    e->h.ppid = ptgid;
    e->h.uid = BPF_CORE_READ(child, cred, uid.val);
    e->h.boottime_ns = bpf_ktime_get_boot_ns();
    e->start_boottime_ns = BPF_CORE_READ(child, start_boottime);
    submit(e);
    return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int handle_exit(void *ctx) {
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    __u32 tgid = bpf_get_current_pid_tgid() >> 32;
    if (tgid == self_tgid) return 0;
    /* Only when the last thread of the process ends. */
    if (BPF_CORE_READ(task, signal, live.counter) != 0) return 0;
    struct vb_exit *e = reserve(sizeof(*e));
    if (!e) return 0;
    fill_header(&e->h, VB_EXIT, task);
    e->exit_code = BPF_CORE_READ(task, exit_code);
    e->pad = 0;
    e->start_boottime_ns = BPF_CORE_READ(task, group_leader, start_boottime);
    bpf_get_current_comm(e->comm, sizeof e->comm);
    submit(e);
    return 0;
}

/* -------------------------------------------------------------- network */

static __always_inline void current_owner(struct sk_owner *o) {
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    o->tgid = bpf_get_current_pid_tgid() >> 32;
    o->ppid = BPF_CORE_READ(task, real_parent, tgid);
    o->uid = (__u32)bpf_get_current_uid_gid();
    o->pad = 0;
}

static __always_inline struct vb_net *net_event(const struct sk_owner *o, __u32 action) {
    struct vb_net *e = reserve(sizeof(*e));
    if (!e) return 0;
    __builtin_memset(e, 0, sizeof(*e));
    e->h.kind = VB_NET;
    e->h.tgid = o->tgid;
    e->h.ppid = o->ppid;
    e->h.uid = o->uid;
    e->h.boottime_ns = bpf_ktime_get_boot_ns();
    e->action = action;
    return e;
}

SEC("tracepoint/sock/inet_sock_set_state")
int handle_set_state(struct trace_event_raw_inet_sock_set_state *ctx) {
    if (!want_net || ctx->protocol != IPPROTO_TCP) return 0;
    int from = ctx->oldstate, to = ctx->newstate;
    __u64 sk = (__u64)ctx->skaddr;
    struct sk_owner o = {};
    __u32 action = 0;
    if (to == TCP_SYN_SENT || to == TCP_LISTEN) {
        /* connect()/listen() run in the owner's context. */
        current_owner(&o);
        if (o.tgid == self_tgid) return 0;
        bpf_map_update_elem(&owners, &sk, &o, BPF_ANY);
        if (to == TCP_SYN_SENT) return 0; /* reported once established */
        action = NET_LISTEN;
    } else if (from == TCP_SYN_SENT && to == TCP_ESTABLISHED) {
        struct sk_owner *p = bpf_map_lookup_elem(&owners, &sk);
        if (!p) return 0;
        o = *p;
        action = NET_CONNECT;
    } else if (to == TCP_CLOSE) {
        struct sk_owner *p = bpf_map_lookup_elem(&owners, &sk);
        if (!p) return 0; /* not ours to report (opened before we started) */
        o = *p;
        bpf_map_delete_elem(&owners, &sk);
        action = NET_CLOSE;
    } else {
        return 0;
    }
    struct vb_net *e = net_event(&o, action);
    if (!e) return 0;
    e->family = ctx->family;
    e->protocol = IPPROTO_TCP;
    e->lport = ctx->sport;
    e->rport = ctx->dport;
    /* The context may only be loaded at constant offsets: copy with a helper. */
    if (ctx->family == AF_INET) {
        bpf_probe_read_kernel(e->laddr, 4, ctx->saddr);
        bpf_probe_read_kernel(e->raddr, 4, ctx->daddr);
    } else {
        bpf_probe_read_kernel(e->laddr, 16, ctx->saddr_v6);
        bpf_probe_read_kernel(e->raddr, 16, ctx->daddr_v6);
    }
    if (action == NET_CLOSE) {
        struct tcp_sock *tp = (struct tcp_sock *)ctx->skaddr;
        e->bytes_sent = BPF_CORE_READ(tp, bytes_acked);
        e->bytes_received = BPF_CORE_READ(tp, bytes_received);
    }
    submit(e);
    return 0;
}

/* The tuple of a socket as the kernel holds it. */
static __always_inline void sock_tuple(struct vb_net *e, struct sock *sk, __u16 family) {
    e->family = family;
    e->protocol = BPF_CORE_READ(sk, sk_protocol);
    e->lport = BPF_CORE_READ(sk, __sk_common.skc_num);
    e->rport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
    if (family == AF_INET) {
        __u32 l = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr), r = BPF_CORE_READ(sk, __sk_common.skc_daddr);
        __builtin_memcpy(e->laddr, &l, 4);
        __builtin_memcpy(e->raddr, &r, 4);
    } else {
        BPF_CORE_READ_INTO(&e->laddr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
        BPF_CORE_READ_INTO(&e->raddr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
    }
}

static __always_inline struct sock *fd_sock(struct task_struct *task, int fd, __u16 *family, short *type) {
    struct file *f = fd_file(task, fd);
    if (!f) return 0;
    struct socket *so = BPF_CORE_READ(f, private_data);
    if (!so) return 0;
    struct sock *sk = BPF_CORE_READ(so, sk);
    if (!sk) return 0;
    *family = BPF_CORE_READ(sk, __sk_common.skc_family);
    *type = BPF_CORE_READ(so, type);
    if (*family != AF_INET && *family != AF_INET6) return 0;
    return sk;
}

static __always_inline int on_accept(long fd) {
    if (!want_net || fd < 0) return 0;
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    __u16 family = 0;
    short type = 0;
    struct sock *sk = fd_sock(task, (int)fd, &family, &type);
    if (!sk) return 0;
    struct sk_owner o = {};
    current_owner(&o);
    if (o.tgid == self_tgid) return 0;
    __u64 key = (__u64)sk;
    bpf_map_update_elem(&owners, &key, &o, BPF_ANY);
    struct vb_net *e = net_event(&o, NET_ACCEPT);
    if (!e) return 0;
    sock_tuple(e, sk, family);
    submit(e);
    return 0;
}

ON_SYS_EXIT(accept4, on_accept(ctx->ret))

ON_SYS_EXIT(accept, on_accept(ctx->ret))

/* UDP has no connection state: a connect() that succeeded on a datagram
 * socket is reported (TCP is reported from the state change). */
SEC("tracepoint/syscalls/sys_enter_connect")
int handle_connect_enter(struct trace_event_raw_sys_enter *ctx) {
    if (!want_net) return 0;
    __u32 tid = (__u32)bpf_get_current_pid_tgid();
    if ((bpf_get_current_pid_tgid() >> 32) == self_tgid) return 0;
    struct pending_call c = {};
    c.is_connect = 1;
    c.fd = (int)ctx->args[0];
    if (bpf_map_update_elem(&pending, &tid, &c, BPF_ANY) != 0) count_drop(VB_DROP_PENDING);
    return 0;
}

SEC("tracepoint/syscalls/sys_exit_connect")
int handle_connect_exit(struct trace_event_raw_sys_exit *ctx) {
    __u32 tid = (__u32)bpf_get_current_pid_tgid();
    struct pending_call *c = bpf_map_lookup_elem(&pending, &tid);
    if (!c) return 0;
    int fd = c->fd, is_connect = c->is_connect;
    bpf_map_delete_elem(&pending, &tid);
    if (!is_connect || ctx->ret != 0) return 0;
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    __u16 family = 0;
    short type = 0;
    struct sock *sk = fd_sock(task, fd, &family, &type);
    if (!sk || type != SOCK_DGRAM) return 0;
    struct sk_owner o = {};
    current_owner(&o);
    struct vb_net *e = net_event(&o, NET_CONNECT);
    if (!e) return 0;
    sock_tuple(e, sk, family);
    submit(e);
    return 0;
}

/* ---------------------------------------------------------------- files */

static __always_inline int save_call_attr(__u32 action, int dfd, __u64 name, int dfd2, __u64 name2, int fd,
                                          __u32 is_dir, __u32 mode, __u32 ouid, __u32 ogid) {
    if (!want_file) return 0;
    __u64 id = bpf_get_current_pid_tgid();
    if ((id >> 32) == self_tgid) return 0;
    __u32 tid = (__u32)id;
    struct pending_call c = {};
    c.action = action;
    c.dfd = dfd;
    c.name = name;
    c.dfd2 = dfd2;
    c.name2 = name2;
    c.fd = fd;
    c.is_dir = is_dir;
    c.mode = mode;
    c.owner_uid = ouid;
    c.owner_gid = ogid;
    if (bpf_map_update_elem(&pending, &tid, &c, BPF_ANY) != 0) count_drop(VB_DROP_PENDING);
    return 0;
}

static __always_inline int save_call(__u32 action, int dfd, __u64 name, int dfd2, __u64 name2, int fd, __u32 is_dir) {
    return save_call_attr(action, dfd, name, dfd2, name2, fd, is_dir, 0, (__u32)-1, (__u32)-1);
}

/* Resolves the directory a relative name is looked up from. */
static __always_inline void walk_base(struct vb_path *out, struct task_struct *task, int dfd, const char *name) {
    if (name[0] == '/') {
        out->off = VB_PATH_HALF;
        out->buf[VB_PATH_HALF] = 0;
        out->truncated = 0;
        return;
    }
    if (dfd == AT_FDCWD) {
        walk_path(out, BPF_CORE_READ(task, fs, pwd.dentry), BPF_CORE_READ(task, fs, pwd.mnt));
        return;
    }
    struct file *f = fd_file(task, dfd);
    if (f) {
        walk_file(out, f);
    } else {
        out->off = VB_PATH_HALF;
        out->buf[VB_PATH_HALF] = 0;
    }
}

static __always_inline int finish_call(struct trace_event_raw_sys_exit *ctx) {
    __u32 tid = (__u32)bpf_get_current_pid_tgid();
    struct pending_call *p = bpf_map_lookup_elem(&pending, &tid);
    if (!p) return 0;
    struct pending_call c = *p;
    bpf_map_delete_elem(&pending, &tid);
    if (c.is_connect || ctx->ret != 0) return 0;
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    struct vb_file *e = reserve(sizeof(*e));
    if (!e) return 0;
    fill_header(&e->h, VB_FILE, task);
    e->action = c.action;
    e->is_dir = c.is_dir;
    e->mode = c.mode;
    e->owner_uid = c.owner_uid;
    e->owner_gid = c.owner_gid;
    e->name[0] = 0;
    e->name2[0] = 0;
    e->dir2.off = VB_PATH_HALF;
    e->dir2.buf[VB_PATH_HALF] = 0;
    e->dir2.truncated = 0;
    if (c.fd >= 0) {
        struct file *f = fd_file(task, c.fd);
        if (!f) {
            bpf_ringbuf_discard(e, 0);
            return 0;
        }
        walk_file(&e->dir, f);
    } else {
        bpf_probe_read_user_str(e->name, sizeof e->name, (const char *)c.name);
        walk_base(&e->dir, task, c.dfd, e->name);
        if (c.name2) {
            bpf_probe_read_user_str(e->name2, sizeof e->name2, (const char *)c.name2);
            walk_base(&e->dir2, task, c.dfd2, e->name2);
        }
    }
    submit(e);
    return 0;
}

SEC("tracepoint/syscalls/sys_enter_unlinkat")
int handle_unlinkat(struct trace_event_raw_sys_enter *ctx) {
    return save_call(FILE_DELETE, (int)ctx->args[0], ctx->args[1], 0, 0, -1, (ctx->args[2] & AT_REMOVEDIR) != 0);
}
SEC("tracepoint/syscalls/sys_enter_unlink")
int handle_unlink(struct trace_event_raw_sys_enter *ctx) {
    return save_call(FILE_DELETE, AT_FDCWD, ctx->args[0], 0, 0, -1, 0);
}
SEC("tracepoint/syscalls/sys_enter_renameat2")
int handle_renameat2(struct trace_event_raw_sys_enter *ctx) {
    return save_call(FILE_RENAME, (int)ctx->args[0], ctx->args[1], (int)ctx->args[2], ctx->args[3], -1, 0);
}
SEC("tracepoint/syscalls/sys_enter_renameat")
int handle_renameat(struct trace_event_raw_sys_enter *ctx) {
    return save_call(FILE_RENAME, (int)ctx->args[0], ctx->args[1], (int)ctx->args[2], ctx->args[3], -1, 0);
}
SEC("tracepoint/syscalls/sys_enter_rename")
int handle_rename(struct trace_event_raw_sys_enter *ctx) {
    return save_call(FILE_RENAME, AT_FDCWD, ctx->args[0], AT_FDCWD, ctx->args[1], -1, 0);
}
SEC("tracepoint/syscalls/sys_enter_fchmodat")
int handle_fchmodat(struct trace_event_raw_sys_enter *ctx) {
    return save_call_attr(FILE_CHMOD, (int)ctx->args[0], ctx->args[1], 0, 0, -1, 0, ctx->args[2], -1, -1);
}
SEC("tracepoint/syscalls/sys_enter_fchmodat2")
int handle_fchmodat2(struct trace_event_raw_sys_enter *ctx) {
    return save_call_attr(FILE_CHMOD, (int)ctx->args[0], ctx->args[1], 0, 0, -1, 0, ctx->args[2], -1, -1);
}
SEC("tracepoint/syscalls/sys_enter_chmod")
int handle_chmod(struct trace_event_raw_sys_enter *ctx) {
    return save_call_attr(FILE_CHMOD, AT_FDCWD, ctx->args[0], 0, 0, -1, 0, ctx->args[1], -1, -1);
}
SEC("tracepoint/syscalls/sys_enter_fchmod")
int handle_fchmod(struct trace_event_raw_sys_enter *ctx) {
    return save_call_attr(FILE_CHMOD, 0, 0, 0, 0, (int)ctx->args[0], 0, ctx->args[1], -1, -1);
}
SEC("tracepoint/syscalls/sys_enter_fchownat")
int handle_fchownat(struct trace_event_raw_sys_enter *ctx) {
    return save_call_attr(FILE_CHOWN, (int)ctx->args[0], ctx->args[1], 0, 0, -1, 0, 0, ctx->args[2], ctx->args[3]);
}
SEC("tracepoint/syscalls/sys_enter_chown")
int handle_chown(struct trace_event_raw_sys_enter *ctx) {
    return save_call_attr(FILE_CHOWN, AT_FDCWD, ctx->args[0], 0, 0, -1, 0, 0, ctx->args[1], ctx->args[2]);
}
SEC("tracepoint/syscalls/sys_enter_lchown")
int handle_lchown(struct trace_event_raw_sys_enter *ctx) {
    return save_call_attr(FILE_CHOWN, AT_FDCWD, ctx->args[0], 0, 0, -1, 0, 0, ctx->args[1], ctx->args[2]);
}
SEC("tracepoint/syscalls/sys_enter_fchown")
int handle_fchown(struct trace_event_raw_sys_enter *ctx) {
    return save_call_attr(FILE_CHOWN, 0, 0, 0, 0, (int)ctx->args[0], 0, 0, ctx->args[1], ctx->args[2]);
}

/* The calls saved at entry report at exit, one row per operation. */
ON_SYS_EXIT(unlinkat, finish_call(ctx)) ON_SYS_EXIT(unlink, finish_call(ctx))
ON_SYS_EXIT(renameat2, finish_call(ctx)) ON_SYS_EXIT(renameat, finish_call(ctx)) ON_SYS_EXIT(rename, finish_call(ctx))
ON_SYS_EXIT(fchmodat, finish_call(ctx)) ON_SYS_EXIT(fchmodat2, finish_call(ctx))
ON_SYS_EXIT(chmod, finish_call(ctx)) ON_SYS_EXIT(fchmod, finish_call(ctx))
ON_SYS_EXIT(fchownat, finish_call(ctx)) ON_SYS_EXIT(chown, finish_call(ctx))
ON_SYS_EXIT(lchown, finish_call(ctx)) ON_SYS_EXIT(fchown, finish_call(ctx))

/* Reports `action` on the open file `f` of `task`, its path walked from the file. */
static __always_inline int submit_open_file(struct task_struct *task, struct file *f, __u32 action) {
    struct vb_file *e = reserve(sizeof(*e));
    if (!e) return 0;
    fill_header(&e->h, VB_FILE, task);
    e->action = action;
    e->is_dir = 0;
    e->mode = 0;
    e->owner_uid = e->owner_gid = (__u32)-1;
    e->name[0] = 0;
    e->name2[0] = 0;
    e->dir2.off = VB_PATH_HALF;
    e->dir2.buf[VB_PATH_HALF] = 0;
    walk_file(&e->dir, f);
    submit(e);
    return 0;
}

/* A file created by open(O_CREAT): the kernel marks it FMODE_CREATED. */
static __always_inline int on_open_exit(long fd) {
    if (!want_file || fd < 0) return 0;
    __u64 id = bpf_get_current_pid_tgid();
    if ((id >> 32) == self_tgid) return 0;
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    struct file *f = fd_file(task, (int)fd);
    if (!f || !(BPF_CORE_READ(f, f_mode) & FMODE_CREATED)) return 0;
    return submit_open_file(task, f, FILE_CREATE);
}

ON_SYS_EXIT(openat, on_open_exit(ctx->ret))
ON_SYS_EXIT(open, on_open_exit(ctx->ret))
ON_SYS_EXIT(creat, on_open_exit(ctx->ret))

/* Modify = a regular file opened for writing is closed. */
SEC("tracepoint/syscalls/sys_enter_close")
int handle_close(struct trace_event_raw_sys_enter *ctx) {
    if (!want_file) return 0;
    __u64 id = bpf_get_current_pid_tgid();
    if ((id >> 32) == self_tgid) return 0;
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    struct file *f = fd_file(task, (int)ctx->args[0]);
    if (!f || !(BPF_CORE_READ(f, f_mode) & FMODE_WRITE)) return 0;
    if ((BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT) != S_IFREG) return 0;
    return submit_open_file(task, f, FILE_MODIFY);
}
