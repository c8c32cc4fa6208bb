// File changes from fanotify (FAN_REPORT_DFID_NAME, filesystem marks): the
// fallback file sensor. Reports create, modify (close after write), delete,
// rename (both paths) and attribute changes (chmod/chown) with the actor pid.
#pragma once

#include "process/lru_cache.hpp"
#include "poll_thread.hpp"
#include "sensor.hpp"

#include <sys/fanotify.h>

#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace vigil::behavior {

class FanotifySensor : public Sensor {
public:
    explicit FanotifySensor(std::vector<std::string> watch_paths, int32_t self_pid)
        : watch_(std::move(watch_paths)), self_pid_(self_pid) {}
    ~FanotifySensor() override { stop(); }
    std::string name() const override { return "fanotify"; }
    uint32_t kinds() const override { return kFileSensor; }
    void start(SensorSink& sink) override;
    void stop() override;
    const std::vector<std::string>& problems() const { return problems_; }

private:
    void run(SensorSink& sink);
    void handle(const char* raw, const fanotify_event_metadata& md, SensorSink& sink);
    std::string resolve(const void* fsid, const void* handle, const char** name_out);

    std::vector<std::string> watch_;
    int32_t self_pid_;
    int fd_ = -1;
    PollThread reader_;
    std::map<std::pair<int32_t, int32_t>, int> mount_fds_;  // fsid → an fd on that filesystem
    std::vector<std::string> problems_;
    // Last owner/mode seen per path, to tell chown from chmod on FAN_ATTRIB.
    LruCache<std::string, std::tuple<uint32_t, uint32_t, uint32_t>> attrs_{8192};
};

}  // namespace vigil::behavior
