// Builds the VIGIL_TYPE_ACTION_RESULT payload every response action publishes:
// what was asked (action, object, args), by whom (origin, task id) and the result.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vigil/sdk.hpp>

namespace vigil::response {

struct ActionRecord {
    std::string action;  // "get_file", "delete_file", "run_process", "terminate_process"
    std::string object;  // path, executable or pid/exe/sha256 it acted on
    std::string origin;  // "vigilctl", "task:<id>", a plugin name
    uint64_t correlation_id = 0;
    vigil_status status = VIGIL_OK;
    std::string error;        // when status != OK
    std::string args_json;    // the command's arguments as received (JSON object or empty)
    std::string result_json;  // result JSON (may be empty)
};

// "task:abc" -> "abc"; otherwise empty.
std::string task_id_of(std::string_view origin);

// details_json = {"command": "response.<action>", "task_id": .., "args": .., "result": ..}
std::string action_details_json(const ActionRecord& r);

PayloadBuilder<vigil_action_result> build_action_payload(const ActionRecord& r);

}  // namespace vigil::response
