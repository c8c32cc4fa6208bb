// Chooses and starts the sensors for `sensor: auto|ebpf|netlink`: eBPF first
// (one program set for processes, network and files); when it cannot start,
// `auto` falls back to netlink proc connector + sock_diag + fanotify and
// records why.
#pragma once

#include "sensors/sensor.hpp"
#include "settings.hpp"
#include "telemetry_pipeline.hpp"

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace vigil::behavior {

class SensorSet {
public:
    using LogFn = std::function<void(int level, const std::string&)>;
    SensorSet(const Settings& s, int32_t self_pid, LogFn log) : settings_(s), self_pid_(self_pid), log_(std::move(log)) {}
    ~SensorSet() { stop(); }

    // Starts sensors feeding `sink`. Throws when nothing could be started for
    // a requested kind (e.g. `sensor: ebpf` and eBPF unavailable).
    void start(SensorSink& sink);
    // Starts sensors feeding `pipeline` and keeps them told which executables it has
    // hashed (what its cache holds now, and each new hash): the eBPF sensor then wakes its
    // reader early only for executables not hashed yet, not for every exec. Until stop().
    void start(TelemetryPipeline& pipeline);
    void stop();

    // "ebpf" or "netlink": the family in use.
    const std::string& mechanism() const { return mechanism_; }
    // kind → sensor name, e.g. {"process":"netlink-proc", "network":"sock_diag"}
    const std::vector<std::pair<std::string, std::string>>& by_kind() const { return by_kind_; }
    const std::string& fallback_reason() const { return fallback_reason_; }
    const std::vector<std::string>& problems() const { return problems_; }
    std::vector<Sensor*> sensors() const;
    // Tells the running sensors that the pipeline has this executable's hash (from
    // worker threads; serialized with stop()).
    void remember_executable(const ExeKey& key);

private:
    bool try_ebpf(SensorSink& sink, std::string& why);
    void start_netlink(SensorSink& sink);
    // Starts a best-effort (network or file) sensor: a failure is reported in
    // the status and the log, and the other sensors continue.
    template <class S>
    void start_optional(std::unique_ptr<S> s, SensorSink& sink, const char* kind);
    // Records a started sensor as the one for `kind` (process, network, file).
    void add_running(const char* kind, std::unique_ptr<Sensor> s);

    Settings settings_;
    int32_t self_pid_;
    LogFn log_;
    std::mutex running_mu_;  // remember_executable() against start()/stop()
    std::vector<std::unique_ptr<Sensor>> running_;
    TelemetryPipeline* hinted_ = nullptr;  // told about hashes by start(TelemetryPipeline&)
    std::string mechanism_;
    std::vector<std::pair<std::string, std::string>> by_kind_;
    std::string fallback_reason_;
    std::vector<std::string> problems_;
};

}  // namespace vigil::behavior
