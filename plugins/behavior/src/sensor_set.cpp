#include "sensor_set.hpp"

#include "sensors/fanotify_sensor.hpp"
#include "sensors/netlink_proc_sensor.hpp"
#include "sensors/sock_diag_sensor.hpp"
#if BEHAVIOR_HAVE_EBPF
#include "sensors/ebpf/ebpf_sensor.hpp"
#endif

#include <vigil/plugin.h>

#include <sys/sysinfo.h>

#include <stdexcept>

namespace vigil::behavior {

std::vector<Sensor*> SensorSet::sensors() const {
    std::vector<Sensor*> out;
    for (const auto& s : running_) out.push_back(s.get());
    return out;
}

bool SensorSet::try_ebpf([[maybe_unused]] SensorSink& sink, std::string& why) {
#if BEHAVIOR_HAVE_EBPF
    EbpfOptions o;
    o.network = settings_.network_events;
    o.files = settings_.file_events;
    const uint32_t ring_kib = ring_buffer_kib_in_use(settings_.ring_buffer_kib, unsigned(::get_nprocs()));
    o.ring_buffer_bytes = ring_kib * 1024u;
    o.self_pid = self_pid_;
    o.known_executables = settings_.hash_cache_entries;
    o.modify_merge_ms = settings_.file_modify_merge_ms;
    o.exclude_paths = settings_.file_exclude_paths;
    auto s = std::make_unique<EbpfSensor>(o);
    try {
        s->start(sink);
    } catch (const std::exception& e) {
        why = e.what();
        return false;
    }
    for (const auto& p : s->problems()) problems_.push_back("ebpf program not attached: " + p);
    log_(VIGIL_LOG_INFO, "behavior: eBPF ring buffer " + std::to_string(ring_kib) + " KiB" +
                             (settings_.ring_buffer_kib == 0 ? " (ring_buffer_kib: 0, sized by CPU count)" : ""));
    by_kind_.emplace_back("process", "ebpf");
    if (s->kinds() & kNetworkSensor) by_kind_.emplace_back("network", "ebpf");
    if (s->kinds() & kFileSensor) by_kind_.emplace_back("file", "ebpf");
    std::lock_guard g(running_mu_);
    running_.push_back(std::move(s));
    return true;
#else
    why = "this build has no eBPF sensor (clang, bpftool or kernel BTF were missing at build time)";
    return false;
#endif
}

void SensorSet::start_netlink(SensorSink& sink) {
    mechanism_ = "netlink";
    if (settings_.process_events) {
        auto s = std::make_unique<NetlinkProcSensor>();
        s->start(sink);  // without process events there is no telemetry: fail
        add_running("process", std::move(s));
    }
    // Network and file sensors are best effort: process telemetry continues without them.
    if (settings_.network_events)
        start_optional(std::make_unique<SockDiagSensor>(settings_.sock_diag_interval_ms, self_pid_), sink, "network");
    if (settings_.file_events)
        start_optional(std::make_unique<FanotifySensor>(settings_.file_watch_paths, self_pid_), sink, "file");
}

template <class S>
void SensorSet::start_optional(std::unique_ptr<S> s, SensorSink& sink, const char* kind) {
    try {
        s->start(sink);
        if constexpr (requires { s->problems(); })
            for (const auto& p : s->problems()) problems_.push_back(p);
        add_running(kind, std::move(s));
    } catch (const std::exception& e) {
        problems_.push_back(std::string(kind) + " sensor: " + e.what());
        log_(VIGIL_LOG_WARN, std::string("behavior: ") + kind + " sensor unavailable: " + e.what());
    }
}

void SensorSet::add_running(const char* kind, std::unique_ptr<Sensor> s) {
    by_kind_.emplace_back(kind, s->name());
    std::lock_guard g(running_mu_);
    running_.push_back(std::move(s));
}

void SensorSet::start(SensorSink& sink) {
    stop();
    if (settings_.sensor != "netlink") {
        std::string why;
        if (try_ebpf(sink, why)) {
            mechanism_ = "ebpf";
            return;
        }
        if (settings_.sensor == "ebpf") throw std::runtime_error("sensor: ebpf requested but unavailable: " + why);
        fallback_reason_ = why;
        log_(VIGIL_LOG_WARN, "eBPF sensors unavailable (" + why + "); falling back to netlink sensors");
    }
    start_netlink(sink);
}

void SensorSet::start(TelemetryPipeline& pipeline) {
    start(static_cast<SensorSink&>(pipeline));  // stop()s first, which unhooks
    pipeline.completer().set_on_hashed([this](const ExeKey& k) { remember_executable(k); });
    hinted_ = &pipeline;
    for (const auto& k : pipeline.hasher().keys()) remember_executable(k);
}

void SensorSet::stop() {
    // Outside running_mu_: the completer calls remember_executable() under its own lock.
    if (hinted_) hinted_->completer().set_on_hashed({});
    hinted_ = nullptr;
    std::lock_guard g(running_mu_);
    for (auto& s : running_) s->stop();
    running_.clear();
    by_kind_.clear();
}

void SensorSet::remember_executable(const ExeKey& key) {
    // Only a hint: skipped while start()/stop() hold the lock (stop() waits for the sensor
    // threads, which may be the callers).
    std::unique_lock g(running_mu_, std::try_to_lock);
    if (!g.owns_lock()) return;
    for (auto& s : running_) s->remember_executable(key);
}

}  // namespace vigil::behavior
