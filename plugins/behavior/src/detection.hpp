// Detection glue: evaluates each telemetry payload with the Sigma engine
// (sigma/, behavior_sigma) and, on a match, publishes a threat; in `block`
// mode it also kills the process and publishes the action result.
#pragma once

#include "settings.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace vigil::behavior {

struct DetectionHooks {
    // Publishes a payload of `type` (threat, action result).
    std::function<void(uint32_t type, const void* payload, uint32_t size)> publish;
    // Executable paths of pid's ancestors, nearest first.
    std::function<std::vector<std::string>(int32_t pid)> ancestors;
    std::function<void(int level, const std::string&)> log;
};

class Detection {
public:
    // Loads the rules; problems with single rule files are logged and
    // counted, not fatal. Throws for unusable settings (e.g. a bad glob).
    Detection(const Settings& settings, DetectionHooks hooks);
    ~Detection();
    // Evaluates one telemetry payload (called after it was published).
    void evaluate(uint32_t type, const void* payload, uint32_t size);
    // {"rules":{...load stats...},"mode":"notify","detections":N,"blocked":N,...}
    std::string status_json() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// False when the plugin was built without the Sigma engine.
bool detection_available();

}  // namespace vigil::behavior
