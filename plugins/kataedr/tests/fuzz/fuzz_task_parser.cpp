// libFuzzer target: the task parser and router must survive any answer body.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "task_protocol.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view body(reinterpret_cast<const char*>(data), size);
    try {
        vigil::kataedr::TaskPoll p = vigil::kataedr::parse_task_poll(body);
        for (const auto& t : p.tasks) {
            vigil::kataedr::route_task(t.type);
            (void)vigil::kataedr::task_result_ok(t.args_json);
            (void)vigil::kataedr::url_path_segment(t.id);
        }
        for (const auto& r : p.rejected) (void)vigil::kataedr::task_result_error(r.reason);
    } catch (const std::invalid_argument&) {
    }
    return 0;
}
