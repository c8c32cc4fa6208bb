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
#include "sensor_maps.bpf.h"
#include "net_sensor.bpf.h"
#include "file_sensor.bpf.h"

/* A sys_exit tracepoint program named handle_<sys>_exit returning `expr`, which may use
 * `ctx` (the loader and the tests find programs by these names). */
#define ON_SYS_EXIT(sys, expr) \
    SEC("tracepoint/syscalls/sys_exit_" #sys) \
    int handle_##sys##_exit(struct trace_event_raw_sys_exit *ctx) { return expr; }

char LICENSE[] SEC("license") = "GPL";

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

/* A file created by open(O_CREAT): the kernel marks it FMODE_CREATED. */
static __always_inline int on_open_exit(long fd) {
    if (!want_file || fd < 0) return 0;
    __u64 id = bpf_get_current_pid_tgid();
    if ((id >> 32) == self_tgid) return 0;
    struct task_struct *task = (struct task_struct *)bpf_get_current_task();
    struct file *f = fd_file(task, (int)fd);
    if (!f || !(BPF_CORE_READ(f, f_mode) & FMODE_CREATED)) return 0;
    if (on_excluded_mount(f)) return 0;
    struct inode *ino = BPF_CORE_READ(f, f_inode);
    forget_modify(id >> 32, ino);
    return submit_open_file(task, f, ino, FILE_CREATE);
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
    struct inode *ino = BPF_CORE_READ(f, f_inode);
    if ((BPF_CORE_READ(ino, i_mode) & S_IFMT) != S_IFREG) return 0;
    if (on_excluded_mount(f) || merge_modify(id >> 32, f, ino)) return 0;
    return submit_open_file(task, f, ino, FILE_MODIFY);
}
