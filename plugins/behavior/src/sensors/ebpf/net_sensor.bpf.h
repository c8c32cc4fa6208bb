/* SPDX-License-Identifier: GPL-2.0 */
/* The network sensor's helpers: who owns a socket, a network record, and a
 * socket's tuple as the kernel holds it. Included by sensors.bpf.c after
 * sensor_maps.bpf.h and kernel_read.bpf.h. */
#pragma once

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
