// Tasks from the central node: parsing the long-poll answer, mapping a task
// type to the bus command that carries it out, and the result body.
// Pure functions over text (no I/O), so they are unit-tested and fuzzed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::kataedr {

// An operator's signature on a task (docs/protocol.md, "Task signatures").
struct TaskSignature {
    std::string alg;        // "ed25519"
    std::string key_id;     // 16 hex digits: which operator key
    int64_t expires_ns = 0;
    std::string args_json;  // the args exactly as signed (and then executed)
    std::string value;      // base64
};

struct Task {
    std::string id;
    std::string type;
    std::string args_json = "{}";  // always a JSON object
    uint32_t timeout_s = 0;        // 0 = the connector's default
    uint64_t created_ns = 0;
    std::optional<TaskSignature> signature;
};

// A task that could be identified but not accepted: it gets an error result.
struct RejectedTask {
    std::string id;
    std::string reason;
};

struct TaskPoll {
    std::vector<Task> tasks;
    std::vector<RejectedTask> rejected;
    uint32_t unanswerable = 0;  // entries without a usable id (logged, counted)
};

// Parses `{"tasks":[...]}`. Throws std::invalid_argument when the body as a
// whole is not such an object; a bad entry only rejects that entry.
TaskPoll parse_task_poll(std::string_view body);

struct TaskRoute {
    enum class Kind { ping, command, unknown };
    Kind kind = Kind::unknown;
    std::string command;  // "<plugin>.<verb>" for Kind::command
};

// PROTOCOL.md's mapping: ping is answered by the connector; the named task
// types map to fixed commands; "<plugin>.<verb>" passes through.
TaskRoute route_task(std::string_view type);

// Result bodies for POST /api/v1/agent/tasks/<id>/result. A result that is
// not valid JSON is wrapped as {"output": "<text>"}.
std::string task_result_ok(std::string_view result_json);
std::string task_result_error(std::string_view reason, std::string_view result_json = {});

// Percent-encodes a task id for use as one URL path segment.
std::string url_path_segment(std::string_view s);

}  // namespace vigil::kataedr
