#pragma once
// The REST API of the central node, independent of the HTTP library: the HTTP glue turns a
// request into `Request`, calls `Api::handle`, and writes the `Response`. Every handler
// validates its input and reports problems as 4xx with {"error": reason}.
#include <cstdint>
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "file_store.hpp"
#include "memory_budget.hpp"
#include "storage.hpp"
#include "task_broker.hpp"
#include "telemetry.hpp"

namespace vigil::central {

struct ApiSettings {
    uint64_t max_body_bytes = 1 << 20;               // JSON bodies other than telemetry
    uint64_t max_telemetry_bytes = 64ull << 20;      // compressed telemetry body
    uint64_t max_decompressed_bytes = 256ull << 20;  // telemetry after gunzip
    uint64_t max_file_bytes = 64ull << 20;           // get-file uploads
    BatchLimits batch;
    int64_t sync_period_s = 300;  // told to agents in the sync reply
    int64_t long_poll_default_s = 25;
    int64_t long_poll_max_s = 60;
    int64_t task_redelivery_grace_s = 60;
    int64_t task_default_timeout_s = 600;
    int64_t task_max_timeout_s = 86400;
    uint32_t max_tasks_per_poll = 100;
    std::vector<std::string> operator_tokens;
};

struct Request {
    std::string method;
    std::string path;                            // without query string
    std::map<std::string, std::string> query;    // decoded
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;                            // for bodies read by the glue
    std::istream* body_stream = nullptr;         // for streamed uploads
    std::optional<uint64_t> content_length;
    // The request's share of the server's memory budget; handlers that build large
    // structures from the body grow it (failure → 503). Null: no budget (tests, fuzzers).
    MemoryReservation* memory = nullptr;

    std::string header(const std::string& lower_name) const;
};

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::string file_path;  // when set: stream this file as the body
    std::map<std::string, std::string> headers;
};

// What the glue must do with a request body before calling handle().
struct BodyPolicy {
    bool stream = false;     // pass the body as a stream (file uploads)
    uint64_t max_bytes = 0;  // read at most this much; more → 413 before handle()
};

class Api {
public:
    Api(Storage& storage, TaskBroker& broker, FileStore& files, ApiSettings settings);

    BodyPolicy body_policy(const std::string& method, const std::string& path) const;
    // Never throws: errors become responses.
    Response handle(const Request& request);

    const ApiSettings& settings() const { return settings_; }

    // Individual endpoints, public for tests and the fuzzer. They throw ApiError.
    Response agent_sync(const Request& r);
    Response agent_telemetry(const Request& r);
    Response agent_poll_tasks(const Request& r);
    Response agent_task_result(const Request& r, const std::string& task_id);
    Response agent_task_file(const Request& r, const std::string& task_id);
    Response list_agents(const Request& r);
    Response query_events(const Request& r);
    Response create_task(const Request& r);
    Response list_tasks(const Request& r);
    Response show_task(const Request& r, const std::string& task_id);
    Response download_file(const Request& r, const std::string& task_id);
    Response stats(const Request& r);

private:
    Response route(const Request& r);
    std::string require_known_agent(const Request& r, int unknown_status);
    void require_operator(const Request& r) const;

    Storage& storage_;
    TaskBroker& broker_;
    FileStore& files_;
    ApiSettings settings_;
};

// JSON shape of a task as the operator API shows it.
std::string task_to_json(const TaskRecord& task);

}  // namespace vigil::central
