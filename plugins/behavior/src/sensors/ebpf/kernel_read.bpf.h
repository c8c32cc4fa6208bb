/* SPDX-License-Identifier: GPL-2.0 */
/* Reading kernel structures from the sensors' eBPF programs, CO-RE across
 * kernel versions: inode timestamps in each layout they have had, paths
 * rebuilt from (dentry, vfsmount) like d_path(), and a task's open files.
 * Included by sensors.bpf.c after vmlinux.h, the libbpf headers and
 * sensor_events.h. */
#pragma once

#define vb_container_of(ptr, type, member) ((type *)((void *)(ptr) - bpf_core_field_offset(type, member)))

/* mtime became i_mtime_sec and i_mtime_nsec in 6.7. */
struct inode___pre67 {
    struct timespec64 i_mtime;
} __attribute__((preserve_access_index));

static __always_inline __s64 inode_mtime_ns(struct inode *ino) {
    if (bpf_core_field_exists(ino->i_mtime_sec))
        return BPF_CORE_READ(ino, i_mtime_sec) * 1000000000ll + BPF_CORE_READ(ino, i_mtime_nsec);
    struct inode___pre67 *old = (void *)ino;
    return BPF_CORE_READ(old, i_mtime.tv_sec) * 1000000000ll + BPF_CORE_READ(old, i_mtime.tv_nsec);
}

/* ctime moved twice: i_ctime (before 6.6), __i_ctime (6.6 to 6.10), i_ctime_sec and
 * i_ctime_nsec (6.11 on). */
struct inode___pre66 {
    struct timespec64 i_ctime;
} __attribute__((preserve_access_index));
struct inode___pre611 {
    struct timespec64 __i_ctime;
} __attribute__((preserve_access_index));

static __always_inline __s64 inode_ctime_ns(struct inode *ino) {
    /* Since 6.13 the top bit of i_ctime_nsec flags "ctime was queried" (multigrain
     * timestamps); nanoseconds never reach it, so it is masked off on every kernel. */
    if (bpf_core_field_exists(ino->i_ctime_sec))
        return BPF_CORE_READ(ino, i_ctime_sec) * 1000000000ll + (BPF_CORE_READ(ino, i_ctime_nsec) & ~(1U << 31));
    struct inode___pre611 *mid = (void *)ino;
    if (bpf_core_field_exists(mid->__i_ctime))
        return BPF_CORE_READ(mid, __i_ctime.tv_sec) * 1000000000ll + BPF_CORE_READ(mid, __i_ctime.tv_nsec);
    struct inode___pre66 *old = (void *)ino;
    if (bpf_core_field_exists(old->i_ctime))
        return BPF_CORE_READ(old, i_ctime.tv_sec) * 1000000000ll + BPF_CORE_READ(old, i_ctime.tv_nsec);
    return 0;
}

/* A dentry's parent and name (d_parent and the qstr d_name that follows it). */
struct vb_parent_name {
    struct dentry *parent;
    __u64 hash_len; /* the name's length in the upper 32 bits (hashlen_len), either endianness */
    const unsigned char *name;
};

/* Reads them with one probe read where d_name directly follows d_parent (the relocated
 * offsets say so at load; every kernel since 2.6), else field by field. Every probe read
 * is a helper call on the path of each file event. */
static __always_inline void read_parent_name(struct dentry *d, struct vb_parent_name *out) {
    __u32 parent_off = bpf_core_field_offset(struct dentry, d_parent);
    __u32 name_off = bpf_core_field_offset(struct dentry, d_name);
    if (name_off == parent_off + 8) {
        bpf_probe_read_kernel(out, sizeof *out, (void *)d + parent_off);
        return;
    }
    out->parent = BPF_CORE_READ(d, d_parent);
    out->hash_len = BPF_CORE_READ(d, d_name.hash_len);
    out->name = BPF_CORE_READ(d, d_name.name);
}

/* Builds the path of (dentry, vfsmount) backwards into out->buf, crossing
 * mount points, like d_path() (which tracepoint programs cannot call). One
 * component per bpf_loop() step, so the verifier checks the step once
 * instead of every unrolled iteration. */
struct walk_ctx {
    struct vb_path *out;
    struct dentry *dentry;
    struct dentry *mnt_root; /* of mnt: read once per mount, not per component */
    struct mount *mnt;
    __u32 off;
    __u32 done;
};

static long walk_step(__u32 index, void *arg) {
    struct walk_ctx *w = arg;
    /* Plain copies first: CO-RE reads must start from kernel types. */
    struct dentry *dentry = w->dentry;
    struct dentry *mnt_root = w->mnt_root;
    struct mount *mnt = w->mnt;
    struct vb_parent_name pn = {};
    read_parent_name(dentry, &pn);
    if (dentry == mnt_root || dentry == pn.parent) {
        struct mount *mnt_parent = BPF_CORE_READ(mnt, mnt_parent);
        if (dentry != mnt_root || mnt == mnt_parent) {
            w->done = 1; /* reached the root */
            return 1;
        }
        w->dentry = BPF_CORE_READ(mnt, mnt_mountpoint);
        w->mnt = mnt_parent;
        w->mnt_root = BPF_CORE_READ(mnt_parent, mnt.mnt_root);
        return 0;
    }
    __u32 len = (__u32)(pn.hash_len >> 32);
    const unsigned char *name = pn.name;
    __u32 off = w->off;
    if (len == 0 || len + 1 > off || off > VB_PATH_HALF) return 1;
    off -= len + 1;
    struct vb_path *out = w->out;
    bpf_probe_read_kernel(&out->buf[(off + 1) & (VB_PATH_HALF - 1)], len & (VB_PATH_HALF - 1), name);
    out->buf[off & (VB_PATH_HALF - 1)] = '/';
    w->off = off;
    w->dentry = pn.parent;
    return 0;
}

static __always_inline void walk_path(struct vb_path *out, struct dentry *dentry, struct vfsmount *vfsmnt) {
    out->buf[VB_PATH_HALF] = 0;
    out->truncated = 0;
    out->off = VB_PATH_HALF;
    if (!dentry || !vfsmnt) return;
    struct walk_ctx w = {
        .out = out,
        .dentry = dentry,
        .mnt_root = BPF_CORE_READ(vfsmnt, mnt_root),
        .mnt = vb_container_of(vfsmnt, struct mount, mnt),
        .off = VB_PATH_HALF,
        .done = 0,
    };
    bpf_loop(VB_PATH_DEPTH, walk_step, &w, 0);
    __u32 off = w.off;
    if (!w.done) out->truncated = 1;
    if (off >= VB_PATH_HALF) {
        off = VB_PATH_HALF - 1;
        out->buf[off] = '/';
    }
    out->off = off;
}

static __always_inline struct file *fd_file(struct task_struct *task, int fd) {
    if (fd < 0) return 0;
    struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
    if (!fdt) return 0;
    unsigned int max = BPF_CORE_READ(fdt, max_fds);
    if ((unsigned int)fd >= max) return 0;
    struct file **fds = BPF_CORE_READ(fdt, fd);
    struct file *f = 0;
    bpf_probe_read_kernel(&f, sizeof f, &fds[fd]);
    return f;
}

static __always_inline void walk_file(struct vb_path *out, struct file *f) {
    walk_path(out, BPF_CORE_READ(f, f_path.dentry), BPF_CORE_READ(f, f_path.mnt));
}
