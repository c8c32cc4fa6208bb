/* SPDX-License-Identifier: GPL-2.0 */
/* The file sensor's helpers: a path-based call is saved at syscall entry
 * (pending map) and reported at exit when it succeeded; an open file is
 * reported from its struct file. Included by sensors.bpf.c after
 * sensor_maps.bpf.h and kernel_read.bpf.h. */
#pragma once

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
    e->has_inode = 0;
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

/* Reports `action` on the open file `f` (inode `ino`) of `task`, its path walked from the file. */
static __always_inline int submit_open_file(struct task_struct *task, struct file *f, struct inode *ino,
                                            __u32 action) {
    struct vb_file *e = reserve(sizeof(*e));
    if (!e) return 0;
    fill_header(&e->h, VB_FILE, task);
    e->action = action;
    e->is_dir = 0;
    e->mode = 0;
    e->owner_uid = e->owner_gid = (__u32)-1;
    /* The file's state at the event, read here once: user space needs no lstat (which
     * would look the path up again, and fail when the file is already gone). */
    e->has_inode = 1;
    e->i_mode = BPF_CORE_READ(ino, i_mode);
    e->i_uid = BPF_CORE_READ(ino, i_uid.val);
    e->i_gid = BPF_CORE_READ(ino, i_gid.val);
    e->i_size = BPF_CORE_READ(ino, i_size);
    e->i_ino = BPF_CORE_READ(ino, i_ino);
    e->i_dev = BPF_CORE_READ(ino, i_sb, s_dev);
    e->name[0] = 0;
    e->name2[0] = 0;
    e->dir2.off = VB_PATH_HALF;
    e->dir2.buf[VB_PATH_HALF] = 0;
    walk_file(&e->dir, f);
    submit(e);
    return 0;
}

/* True (and counted) when the open file `f` lives on an excluded mount. */
static __always_inline int on_excluded_mount(struct file *f) {
    struct vfsmount *vm = BPF_CORE_READ(f, f_path.mnt);
    struct mount *m = vb_container_of(vm, struct mount, mnt);
    __u32 id = BPF_CORE_READ(m, mnt_id);
    if (!bpf_map_lookup_elem(&excluded_mounts, &id)) return 0;
    count_drop(VB_COUNT_EXCLUDED_MOUNT);
    return 1;
}

static __always_inline void modify_key_of(struct modify_key *k, __u32 tgid, struct inode *ino) {
    k->tgid = tgid;
    k->dev = BPF_CORE_READ(ino, i_sb, s_dev);
    k->ino = BPF_CORE_READ(ino, i_ino);
}

/* True when this modify repeats one reported for the same file (same inode, name and
 * directory) by the same process less than modify_merge_ns ago: it is counted as merged
 * and not reported, and its path is never built. Otherwise it becomes the last report. */
static __always_inline int merge_modify(__u32 tgid, struct file *f, struct inode *ino) {
    if (!modify_merge_ns) return 0;
    struct modify_key k = {};
    modify_key_of(&k, tgid, ino);
    struct vb_parent_name pn = {};
    read_parent_name(BPF_CORE_READ(f, f_path.dentry), &pn);
    struct modify_seen now = {};
    now.when_ns = bpf_ktime_get_ns();
    now.name_hash_len = pn.hash_len;
    now.parent = (__u64)pn.parent;
    struct modify_seen *last = bpf_map_lookup_elem(&modifies, &k);
    if (last && now.when_ns - last->when_ns < modify_merge_ns && last->name_hash_len == now.name_hash_len &&
        last->parent == now.parent) {
        count_drop(VB_COUNT_MODIFY_MERGED);
        return 1;
    }
    bpf_map_update_elem(&modifies, &k, &now, BPF_ANY);
    return 0;
}

/* A newly created file may reuse the inode of one deleted a moment ago: forget it. */
static __always_inline void forget_modify(__u32 tgid, struct inode *ino) {
    if (!modify_merge_ns) return;
    struct modify_key k = {};
    modify_key_of(&k, tgid, ino);
    bpf_map_delete_elem(&modifies, &k);
}
