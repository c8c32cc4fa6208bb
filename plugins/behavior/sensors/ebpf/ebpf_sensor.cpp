#include "ebpf_sensor.hpp"

#include "../../process/proc_reader.hpp"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "sensor_events.h"
#include "vigil_sensors.skel.h"

namespace behavior {
namespace {

// libbpf reports through a global print hook; keep the last lines so that a
// load failure (e.g. the verifier's reason) can be shown to the user.
std::mutex g_log_mu;
std::string g_log;

int libbpf_print(enum libbpf_print_level level, const char* fmt, va_list args) {
    if (level == LIBBPF_DEBUG) return 0;
    // The verifier log arrives as one big %s; keep its tail (the reason).
    static thread_local std::vector<char> buf(1 << 20);
    int n = vsnprintf(buf.data(), buf.size(), fmt, args);
    std::lock_guard g(g_log_mu);
    g_log.append(buf.data(), size_t(n > 0 ? std::min(n, int(buf.size()) - 1) : 0));
    if (g_log.size() > 8192) g_log.erase(0, g_log.size() - 8192);
    return 0;
}

std::string take_log() {
    std::lock_guard g(g_log_mu);
    std::string s;
    s.swap(g_log);
    // The last lines carry the reason.
    if (s.size() > 1200) s = "..." + s.substr(s.size() - 1200);
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

// Tracepoint attachment reads ids from tracefs; mount it when the system has
// not (root only). Returns "" or the reason it is unavailable.
std::string ensure_tracefs() {
    if (::access("/sys/kernel/tracing/events", F_OK) == 0 || ::access("/sys/kernel/debug/tracing/events", F_OK) == 0)
        return {};
    if (::mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, nullptr) == 0) return {};
    return std::string("tracefs is not mounted and mounting it failed: ") + std::strerror(errno);
}

std::string path_of(const vb_path& p) {
    if (p.off >= VB_PATH_HALF) return {};
    return std::string(p.buf + p.off, strnlen(p.buf + p.off, VB_PATH_HALF - p.off));
}

std::string cstr(const char* s, size_t max) { return std::string(s, strnlen(s, max)); }

// kernel dev_t (major << 20 | minor) → the st_dev user space sees.
uint64_t user_dev(uint64_t kdev) { return makedev(unsigned(kdev >> 20), unsigned(kdev & 0xfffff)); }

// Kernel tty names lack the slash ("pts3"); /proc and users say "pts/3".
std::string tty_name(std::string t) {
    if (t.size() > 3 && t.compare(0, 3, "pts") == 0 && std::isdigit(static_cast<unsigned char>(t[3])))
        return "pts/" + t.substr(3);
    return t;
}

std::string join_file(const vb_path& dir, const char* name) {
    std::string n = cstr(name, VB_NAME_MAX);
    if (n.empty()) return path_of(dir);
    if (n[0] == '/') return n;
    std::string d = path_of(dir);
    while (n.size() >= 2 && n[0] == '.' && n[1] == '/') n.erase(0, 2);
    if (n == ".") return d;
    return d == "/" ? "/" + n : d + "/" + n;
}

// Program name groups: what each needs to be attached for.
bool is_core(const char* name) {
    return !std::strcmp(name, "handle_exec") || !std::strcmp(name, "handle_exit") || !std::strcmp(name, "handle_fork");
}
bool is_net(const char* name) {
    return !std::strcmp(name, "handle_set_state") || std::strstr(name, "accept") || std::strstr(name, "connect");
}
// Syscalls that not every architecture or kernel has; missing ones are fine.
bool is_optional(const char* name) {
    static const char* const kOptional[] = {"handle_unlink",       "handle_unlink_exit", "handle_rename",
                                            "handle_rename_exit",  "handle_chmod",       "handle_chmod_exit",
                                            "handle_chown",        "handle_chown_exit",  "handle_lchown",
                                            "handle_lchown_exit",  "handle_fchmodat2",   "handle_fchmodat2_exit",
                                            "handle_open_exit",    "handle_creat_exit",  "handle_renameat",
                                            "handle_renameat_exit", "handle_accept_exit"};
    for (const char* o : kOptional)
        if (!std::strcmp(name, o)) return true;
    return false;
}

}  // namespace

bool ebpf_built() { return true; }

EbpfSensor::~EbpfSensor() { stop(); }

uint32_t EbpfSensor::kinds() const {
    return uint32_t(kProcessSensor) | (attached_net_ ? uint32_t(kNetworkSensor) : 0u) |
           (attached_files_ ? uint32_t(kFileSensor) : 0u);
}

void EbpfSensor::start(SensorSink& sink) {
    sink_ = &sink;
    libbpf_set_print(libbpf_print);
    take_log();
    if (::access("/sys/kernel/btf/vmlinux", R_OK) != 0)
        throw std::runtime_error("kernel has no BTF (/sys/kernel/btf/vmlinux missing): CO-RE programs cannot load");
    if (auto why = ensure_tracefs(); !why.empty()) throw std::runtime_error(why);
    skel_ = vigil_sensors__open();
    if (!skel_) throw std::runtime_error("opening the eBPF object failed: " + take_log());
    skel_->rodata->self_tgid = uint32_t(opts_.self_pid);
    skel_->rodata->want_net = opts_.network ? 1 : 0;
    skel_->rodata->want_file = opts_.files ? 1 : 0;
    bpf_map__set_max_entries(skel_->maps.events, opts_.ring_buffer_bytes);
    bpf_map__set_max_entries(skel_->maps.known_exes, std::max<uint32_t>(opts_.known_executables, 16));
    // Programs for disabled groups are not even loaded.
    bpf_program* prog;
    bpf_object__for_each_program(prog, skel_->obj) {
        const char* n = bpf_program__name(prog);
        bool wanted = is_core(n) || (is_net(n) ? opts_.network : opts_.files);
        bpf_program__set_autoload(prog, wanted);
    }
    if (int err = vigil_sensors__load(skel_); err != 0) {
        std::string why = "loading eBPF programs failed (" + std::string(std::strerror(-err)) + "): " + take_log();
        vigil_sensors__destroy(skel_);
        skel_ = nullptr;
        throw std::runtime_error(why);
    }
    bpf_object__for_each_program(prog, skel_->obj) {
        if (!bpf_program__autoload(prog)) continue;
        const char* n = bpf_program__name(prog);
        bpf_link* link = bpf_program__attach(prog);
        if (!link) {
            std::string why = std::string(n) + ": " + std::strerror(errno);
            take_log();
            if (is_core(n) || !is_optional(n)) {
                stop();
                throw std::runtime_error("attaching eBPF program " + why);
            }
            problems_.push_back(why);
            continue;
        }
        links_.push_back(link);
        if (is_net(n)) attached_net_ = true;
        else if (!is_core(n)) attached_files_ = true;
    }
    rb_ = ring_buffer__new(
        bpf_map__fd(skel_->maps.events),
        [](void* ctx, void* data, size_t size) -> int {
            // Nothing may unwind through libbpf: a failure costs one event.
            auto* self = static_cast<EbpfSensor*>(ctx);
            try {
                dispatch(data, size, *self->sink_);
            } catch (...) {
                self->sink_->on_loss("event_processing_error", 1);
            }
            return 0;
        },
        this, nullptr);
    if (!rb_) {
        stop();
        throw std::runtime_error("creating the ring buffer reader failed: " + take_log());
    }
    last_drops_.assign(VB_DROP_MAX, 0);
    known_fd_ = bpf_map__fd(skel_->maps.known_exes);
    stop_ = false;
    thread_ = std::thread([this] { run(); });
}

void EbpfSensor::run() {
    int since_drops = 0;
    while (!stop_.load(std::memory_order_relaxed)) {
        // The programs wake us only for big batches; drain every 20 ms.
        int n = ring_buffer__poll(rb_, 20);
        if (n < 0 && n != -EINTR) break;
        int m = ring_buffer__consume(rb_);
        if (m > 0) n = (n > 0 ? n : 0) + m;
        if (++since_drops >= 25) {
            poll_drops();
            since_drops = 0;
        }
    }
    // Deliver what is still queued so that nothing read is lost on stop.
    ring_buffer__consume(rb_);
    poll_drops();
}

void EbpfSensor::poll_drops() {
    int ncpu = libbpf_num_possible_cpus();
    if (ncpu <= 0 || !skel_) return;
    std::vector<uint64_t> per_cpu(size_t(ncpu), 0);
    static const char* const kWhere[VB_DROP_MAX] = {"ebpf_ring_buffer_full", "ebpf_pending_map_full"};
    for (uint32_t i = 0; i < VB_DROP_MAX; ++i) {
        if (bpf_map_lookup_elem(bpf_map__fd(skel_->maps.drops), &i, per_cpu.data()) != 0) continue;
        uint64_t total = 0;
        for (auto v : per_cpu) total += v;
        if (total > last_drops_[i]) sink_->on_loss(kWhere[i], total - last_drops_[i]);
        last_drops_[i] = total;
    }
}

void EbpfSensor::remember_executable(const ExeKey& k) {
    int fd = known_fd_.load(std::memory_order_acquire);
    if (fd < 0 || !k.valid()) return;
    // Back to the kernel's dev_t encoding (major << 20 | minor).
    vb_exe_key key{(uint64_t(major(dev_t(k.dev))) << 20) | minor(dev_t(k.dev)), k.ino, k.size, k.mtime_ns, k.ctime_ns};
    uint8_t one = 1;
    bpf_map_update_elem(fd, &key, &one, BPF_ANY);
}

void EbpfSensor::stop() {
    known_fd_ = -1;
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    for (auto* l : links_) bpf_link__destroy(l);
    links_.clear();
    if (rb_) ring_buffer__free(rb_);
    rb_ = nullptr;
    if (skel_) vigil_sensors__destroy(skel_);
    skel_ = nullptr;
}

void EbpfSensor::dispatch(const void* data, size_t size, SensorSink& sink) {
    if (size < sizeof(vb_header)) return;
    const auto* h = static_cast<const vb_header*>(data);
    switch (h->kind) {
    case VB_EXEC: {
        if (size < sizeof(vb_exec)) return;
        const auto* e = static_cast<const vb_exec*>(data);
        ExecEvent ev;
        ev.pid = int32_t(h->tgid);
        ev.ppid = int32_t(h->ppid);
        ProcessRecord rec;
        auto& i = rec.info;
        i.pid = ev.pid;
        i.ppid = ev.ppid;
        i.uid = h->uid;
        i.euid = e->euid;
        i.gid = e->gid;
        i.egid = e->egid;
        rec.start_boottime_ns = e->start_boottime_ns;
        i.start_time_ns = ProcReader::boottime_to_realtime(e->start_boottime_ns);
        i.process_key = make_process_key(i.pid, e->start_boottime_ns);
        i.mnt_ns = e->mnt_ns;
        i.pid_ns = e->pid_ns;
        i.net_ns = e->net_ns;
        i.user_ns = e->user_ns;
        i.comm = cstr(e->comm, sizeof e->comm);
        i.exe = path_of(e->exe);
        i.cwd = path_of(e->cwd);
        uint32_t n = std::min<uint32_t>(e->args_len, VB_ARGS_MAX);
        for (uint32_t pos = 0; pos < n;) {
            uint32_t end = pos;
            while (end < n && e->args[end] != '\0') ++end;
            i.argv.emplace_back(e->args + pos, end - pos);
            pos = end + 1;
        }
        i.cmdline = join_argv(i.argv);
        rec.argv_truncated = e->args_len >= VB_ARGS_MAX - 1;
        i.tty = tty_name(cstr(e->tty, sizeof e->tty));
        if (!i.tty.empty()) i.flags |= VIGIL_PROC_FLAG_INTERACTIVE;
        i.container_id = container_id_from_cgroup(cstr(e->cgroup, sizeof e->cgroup));
        i.flags |= VIGIL_PROC_FLAG_KNOWN;
        rec.exe_key = ExeKey{user_dev(e->exe_dev), e->exe_ino, e->exe_mtime_ns, e->exe_size, e->exe_ctime_ns};
        rec.exe_fs_magic = e->exe_fs_magic;
        rec.exe_known_to_sensor = e->exe_known != 0;
        ev.snapshot = std::move(rec);
        sink.on_exec(std::move(ev));
        break;
    }
    case VB_FORK: {
        if (size < sizeof(vb_fork)) return;
        const auto* e = static_cast<const vb_fork*>(data);
        sink.on_fork(ForkEvent{int32_t(h->tgid), int32_t(h->ppid), e->start_boottime_ns});
        break;
    }
    case VB_EXIT: {
        if (size < sizeof(vb_exit)) return;
        const auto* e = static_cast<const vb_exit*>(data);
        ExitEvent ev{int32_t(h->tgid), e->exit_code, h->boottime_ns};
        ev.ppid = int32_t(h->ppid);
        ev.uid = h->uid;
        ev.start_boottime_ns = e->start_boottime_ns;
        ev.comm = cstr(e->comm, sizeof e->comm);
        sink.on_exit(ev);
        break;
    }
    case VB_NET: {
        if (size < sizeof(vb_net)) return;
        const auto* e = static_cast<const vb_net*>(data);
        NetEvent ev;
        ev.pid = int32_t(h->tgid);
        ev.uid = h->uid;
        ev.action = e->action;
        ev.family = uint8_t(e->family);
        ev.protocol = uint8_t(e->protocol);
        ev.local_port = e->lport;
        ev.remote_port = e->rport;
        std::memcpy(ev.local_addr.data(), e->laddr, 16);
        std::memcpy(ev.remote_addr.data(), e->raddr, 16);
        ev.bytes_sent = e->bytes_sent;
        ev.bytes_received = e->bytes_received;
        sink.on_network(ev);
        break;
    }
    case VB_FILE: {
        if (size < sizeof(vb_file)) return;
        const auto* e = static_cast<const vb_file*>(data);
        FileEvent ev;
        ev.pid = int32_t(h->tgid);
        ev.action = e->action;
        ev.is_dir = e->is_dir != 0;
        ev.path = join_file(e->dir, e->name);
        if (e->action == VIGIL_FILE_RENAME) ev.new_path = join_file(e->dir2, e->name2);
        if (e->action == VIGIL_FILE_CHMOD) ev.mode = e->mode & 07777;
        if (e->action == VIGIL_FILE_CHOWN) {
            if (e->owner_uid != UINT32_MAX) ev.owner_uid = e->owner_uid;
            if (e->owner_gid != UINT32_MAX) ev.owner_gid = e->owner_gid;
        }
        sink.on_file(std::move(ev));
        break;
    }
    default:
        break;
    }
}

}  // namespace behavior
