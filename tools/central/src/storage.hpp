#pragma once
// The narrow storage interface of the central node. SQLite implements it today; a
// PostgreSQL implementation (several stateless central nodes on one database) can follow
// without touching the HTTP layer. All methods are thread-safe.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::central {

struct AgentRecord {
    std::string agent_id;
    std::string hostname;
    std::string os;
    std::string kernel;
    std::string agent_version;
    std::string info_json;  // the last sync body (ips, macs, plugins, isolation, drops, spool)
    int64_t first_seen_ns = 0;
    int64_t last_seen_ns = 0;
};

// One validated telemetry event ready to be stored.
struct EventInput {
    std::string type;       // vigil short type: process, network, file, detection, action, status
    int64_t class_uid = 0;  // OCSF class
    int64_t time_ns = 0;    // event time
    std::string raw;        // the event JSON as received (re-serialized compactly)
    std::string text;       // the event's string values, for the full-text index
};

struct BatchResult {
    uint64_t stored = 0;
    bool duplicate = false;
};

struct EventQuery {
    std::optional<std::string> agent_id;
    std::optional<std::string> type;
    std::optional<int64_t> since_ns;  // inclusive
    std::optional<int64_t> until_ns;  // inclusive
    std::optional<std::string> text;  // case-insensitive phrase/substring search
    uint32_t limit = 100;
};

struct EventRow {
    int64_t id = 0;
    std::string agent_id;
    std::string type;
    int64_t time_ns = 0;
    std::string raw;
};

enum class TaskState { pending, delivered, done, error, expired };
const char* to_string(TaskState state);
std::optional<TaskState> task_state_from_string(std::string_view s);

struct TaskFile {
    std::string path;
    uint64_t size = 0;
    std::string sha256;
};

struct TaskRecord {
    std::string id;
    std::string agent_id;
    std::string type;
    std::string args_json = "{}";
    int64_t timeout_s = 60;
    TaskState state = TaskState::pending;
    int64_t created_ns = 0;
    int64_t delivered_ns = 0;  // last delivery, 0 = never
    int64_t delivery_count = 0;
    int64_t completed_ns = 0;  // result or expiry time, 0 = not yet
    std::optional<std::string> result_json;
    std::optional<std::string> error;
    std::optional<TaskFile> file;
};

enum class ResultOutcome { accepted, not_found, already_final };

// What /metrics reports about agents and tasks: counted by the database, no rows copied.
struct MetricCounts {
    uint64_t agents = 0;
    uint64_t agents_online = 0;                     // last_seen_ns >= the cut-off given
    std::map<std::string, uint64_t> tasks_by_state;  // only states that occur
};

struct StorageStats {
    uint64_t events = 0;
    uint64_t batches = 0;
    uint64_t agents = 0;
    uint64_t tasks = 0;
};

class Storage {
public:
    virtual ~Storage() = default;

    // Agents: registration/heartbeat is an upsert that keeps first_seen_ns.
    virtual void upsert_agent(const AgentRecord& agent) = 0;
    virtual std::optional<AgentRecord> find_agent(const std::string& agent_id) = 0;
    virtual std::vector<AgentRecord> list_agents() = 0;
    // Updates last_seen_ns of a known agent (telemetry and task polls count as contact).
    virtual void touch_agent(const std::string& agent_id, int64_t now_ns) = 0;

    // Stores a batch in one transaction; a batch already stored for (agent_id, batch_seq)
    // is not stored again and reports duplicate=true.
    virtual BatchResult store_batch(const std::string& agent_id, int64_t batch_seq, int64_t received_ns,
                                    const std::vector<EventInput>& events) = 0;
    // Newest `limit` matches, returned oldest first.
    virtual std::vector<EventRow> query_events(const EventQuery& query) = 0;
    virtual StorageStats stats() = 0;
    virtual MetricCounts metric_counts(int64_t online_after_ns) = 0;

    virtual void insert_task(const TaskRecord& task) = 0;
    virtual std::optional<TaskRecord> find_task(const std::string& task_id) = 0;
    virtual std::vector<TaskRecord> list_tasks(const std::optional<std::string>& agent_id,
                                               uint32_t limit) = 0;
    // Marks pending tasks of the agent, and delivered ones whose result is overdue by
    // (timeout_s + redelivery_grace_s), as delivered now, and returns them (oldest first).
    virtual std::vector<TaskRecord> claim_tasks(const std::string& agent_id, int64_t now_ns,
                                                int64_t redelivery_grace_s, uint32_t max_tasks) = 0;
    // The first result wins: pending/delivered/expired → done|error; done/error → already_final.
    virtual ResultOutcome complete_task(const std::string& task_id, bool ok,
                                        const std::optional<std::string>& result_json,
                                        const std::optional<std::string>& error, int64_t now_ns) = 0;
    // Records the uploaded file of a task that is not final yet; false when it is final or unknown.
    virtual bool attach_file(const std::string& task_id, const TaskFile& file) = 0;
    // Marks pending/delivered tasks created before `created_before_ns` as expired; returns how many.
    virtual uint64_t expire_tasks(int64_t created_before_ns, int64_t now_ns) = 0;
};

}  // namespace vigil::central
