// The plugin's side of the encrypted connections scan's reports from the
// worker ({"type":"mitm","event":..}): a site excluded after a TLS failure
// (logged), scan errors and untrusted sites let through (counted), the scan
// off in the worker (logged with the reason); all in the status object
// "interception.mitm".
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vigil/host.hpp>
#include <vigil/json_writer.hpp>

namespace vigil::web_threat {

class MitmNotes {
public:
    // True when `report_json` is one of the scan's reports (handled here).
    bool handle(const Host& host, const std::string& report_json);
    void write_status(JsonWriter& w, bool enabled) const;

private:
    std::atomic<uint64_t> excluded_{0}, errors_{0}, untrusted_allowed_{0};
    mutable std::mutex mu_;
    std::string off_;  // why the worker runs without the scan
};

}  // namespace vigil::web_threat
