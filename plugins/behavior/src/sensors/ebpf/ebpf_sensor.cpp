#include "ebpf_sensor.hpp"


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
#include <fstream>
#include <iterator>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "path_filter.hpp"
#include "record_decoder.hpp"
#include "sensor_events.h"
#include "vigil_sensors.skel.h"

namespace vigil::behavior {
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

// Mount points in mountinfo escape space, tab, newline and backslash as \ooo.
std::string unescape_mountinfo(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        auto octal = [&](size_t k) { return k < s.size() && s[k] >= '0' && s[k] <= '7'; };
        if (s[i] == '\\' && octal(i + 1) && octal(i + 2) && octal(i + 3)) {
            out.push_back(char(std::stoi(s.substr(i + 1, 3), nullptr, 8)));
            i += 3;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

}  // namespace

std::vector<uint32_t> mounts_under(const std::vector<std::string>& prefixes, const std::string& mountinfo) {
    std::vector<uint32_t> ids;
    std::istringstream in(mountinfo);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream f(line);
        std::string id, parent, devno, root, point;
        if (!(f >> id >> parent >> devno >> root >> point)) continue;
        point = unescape_mountinfo(point);
        const bool under = std::any_of(prefixes.begin(), prefixes.end(), [&](const std::string& p) {
            return !p.empty() && p != "/" && PathFilter::under(point, p);
        });
        if (under && !id.empty() && id.size() <= 9 && id.find_first_not_of("0123456789") == std::string::npos)
            ids.push_back(uint32_t(std::stoul(id)));
    }
    return ids;
}

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
    skel_->rodata->modify_merge_ns = uint64_t(opts_.modify_merge_ms) * 1000000u;
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
    last_drops_.assign(VB_COUNT_MAX, 0);
    fill_excluded_mounts();
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
    for (uint32_t i = 0; i < VB_COUNT_MAX; ++i) {
        if (bpf_map_lookup_elem(bpf_map__fd(skel_->maps.drops), &i, per_cpu.data()) != 0) continue;
        uint64_t total = 0;
        for (auto v : per_cpu) total += v;
        if (total > last_drops_[i]) {
            if (i < VB_DROP_MAX)
                sink_->on_loss(kWhere[i], total - last_drops_[i]);
            else if (i == VB_COUNT_MODIFY_MERGED)
                sink_->on_modifies_merged(total - last_drops_[i]);
            else
                sink_->on_files_excluded_in_kernel(total - last_drops_[i]);
        }
        last_drops_[i] = total;
    }
}

void EbpfSensor::fill_excluded_mounts() {
    std::ifstream in("/proc/self/mountinfo");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // Trailing slashes would break the component match ("/run/" is "/run").
    std::vector<std::string> prefixes = opts_.exclude_paths;
    for (auto& p : prefixes)
        while (p.size() > 1 && p.back() == '/') p.pop_back();
    uint8_t one = 1;
    for (uint32_t id : mounts_under(prefixes, text))
        bpf_map_update_elem(bpf_map__fd(skel_->maps.excluded_mounts), &id, &one, BPF_ANY);
}

std::vector<EbpfSensor::ProgramStats> EbpfSensor::program_stats() const {
    std::vector<ProgramStats> out;
    if (!skel_) return out;
    bpf_program* prog;
    bpf_object__for_each_program(prog, skel_->obj) {
        const int fd = bpf_program__fd(prog);
        if (fd < 0) continue;
        bpf_prog_info info{};
        uint32_t len = sizeof info;
        if (bpf_obj_get_info_by_fd(fd, &info, &len) != 0) continue;
        out.push_back({bpf_program__name(prog), info.run_time_ns, info.run_cnt});
    }
    return out;
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

void EbpfSensor::dispatch(const void* data, size_t size, SensorSink& sink) { decode_record(data, size, sink); }

}  // namespace vigil::behavior
