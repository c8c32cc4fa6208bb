#pragma once
// The narrow storage interface of the central node: SqliteStorage (one file, the default) and
// PgStorage (several stateless central nodes on one PostgreSQL database) implement it; the
// HTTP layer sees only this. All methods are thread-safe.
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

// The console's agents page: filters, order (hostname, agent id) and paging done by the database.
struct AgentQuery {
    std::optional<std::string> agent_id;  // exactly this agent
    std::optional<std::string> text;      // case-insensitive substring of id, host, OS, kernel, version, IPs
    std::optional<int64_t> seen_since_ns;   // last_seen_ns >= this
    std::optional<int64_t> seen_before_ns;  // last_seen_ns < this
    std::optional<bool> isolated;           // the isolation state of the last sync
    std::optional<std::string> tag;         // carries this tag (AgentLabels)
    uint64_t offset = 0;
    std::optional<uint64_t> limit;  // nullopt: every match
};

// What operators wrote about an agent: tags to group and filter by, and a note.
struct AgentLabels {
    std::vector<std::string> tags;  // lower-case [a-z0-9_.:-], sorted, unique
    std::string note;
    int64_t updated_ns = 0;  // 0: never labelled
    std::string updated_by;  // operator name
};

struct AgentPage {
    std::vector<AgentRecord> agents;
    std::vector<AgentLabels> labels;  // one per agent, same order
    uint64_t total = 0;  // matches before paging
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

enum class TaskState { pending, delivered, done, error, expired, cancelled };
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
    std::optional<std::string> signature_json;  // the operator's signature object, delivered verbatim
    std::string created_by;                      // operator name
};

// not_delivered: the task was never handed to its agent, so no result can be its answer.
enum class ResultOutcome { accepted, not_found, already_final, not_delivered };

// What attach_file did; on success `previous_path` is a file the task no longer refers to.
struct AttachOutcome {
    ResultOutcome outcome = ResultOutcome::not_found;
    std::optional<std::string> previous_path;
};

// A certificate the agent CA issued (the certificate itself stays with the agent).
struct AgentCertificate {
    std::string serial;
    std::string agent_id;
    int64_t issued_ns = 0;
    int64_t not_after_s = 0;
    std::optional<int64_t> revoked_ns;
};

// An enrollment token as stored: only its SHA-256.
struct EnrollmentToken {
    std::string id;  // public handle (16 hex), shown in lists and the audit log
    std::string token_sha256;
    std::string role = "agent";
    int64_t max_uses = 1;
    int64_t uses = 0;
    int64_t created_ns = 0;
    int64_t expires_ns = 0;
    std::string created_by;
};

struct OperatorRecord {
    std::string name;
    std::string role;  // viewer | responder | admin
    std::string token_sha256;
    int64_t created_ns = 0;
};

// One row of the append-only audit log.
struct AuditRecord {
    int64_t id = 0;
    int64_t time_ns = 0;
    std::string actor;    // operator name, "agent:<id>", "enrollment:<token id>", "local:<user>"
    std::string role;     // the actor's role, or "-"
    std::string source;   // peer address, or "local" for commands run on the central host
    std::string action;   // e.g. task.create, enroll, agent.revoke, operator.add, file.download
    std::string target;   // agent id, task id, operator name ...
    std::string detail;   // compact JSON or text (task type and args, reason of a refusal)
    std::string outcome;  // "ok" or "denied: <why>" / "failed: <why>"
};

// One change of a detection's triage state (new, acknowledged, closed); the newest is current.
struct TriageRecord {
    int64_t event_id = 0;  // the detection event
    int64_t time_ns = 0;
    std::string actor;     // operator name
    std::string status;    // new | acknowledged | closed
    std::string assignee;
    std::string reason;    // why (needed to close)
    std::string note;
};

// A web console session as stored: the id (kept only by the browser) as its SHA-256.
struct SessionRecord {
    std::string id_sha256;
    std::string operator_name;
    std::string role;          // viewer | responder | admin at login (rechecked on every use)
    std::string token_sha256;  // of the operator token that logged in
    std::string csrf_token;
    int64_t created_ns = 0;
    int64_t last_seen_ns = 0;
    int64_t expires_ns = 0;  // absolute end
};

struct AuditQuery {
    std::optional<int64_t> since_ns;
    std::optional<std::string> actor;
    uint32_t limit = 1000;
};

enum class EnrollOutcome { enrolled, bad_token, already_enrolled };

struct RevokeOutcome {
    uint64_t certificates = 0;
    uint64_t cancelled_tasks = 0;
};

// What /metrics reports about agents and tasks: counted by the database, no rows copied.
struct MetricCounts {
    uint64_t agents = 0;
    uint64_t agents_online = 0;                     // last_seen_ns >= the cut-off given
    std::map<std::string, uint64_t> tasks_by_state;  // only states that occur
};

// What one retention pass removed: events received before the retention cut-off, and the
// oldest events beyond the size limit (SQLite's storage.max_database_gb).
struct RetentionReport {
    uint64_t events = 0;
    uint64_t batches = 0;  // batch keys removed with their events
    bool empty() const { return events == 0 && batches == 0 && days == 0; }
    uint64_t days = 0;       // whole receive days removed (PostgreSQL: partitions dropped)
    uint64_t over_size = 0;  // of `events`, those removed for the size limit
    bool more = false;       // the pass stopped at its time budget: run another
    // Totals of several passes (`more` is not a total).
    RetentionReport& operator+=(const RetentionReport& r) {
        events += r.events, batches += r.batches, days += r.days, over_size += r.over_size;
        return *this;
    }
};

// Stored events of one receive day (UTC).
struct DaySize {
    std::string day;  // YYYY-MM-DD
    uint64_t events = 0;
    bool estimated = false;     // PostgreSQL: the planner's row estimate, not a count
    std::optional<uint64_t> bytes;  // PostgreSQL: the partition with its indexes
};

// What `vigil-central stats` shows about the database's size.
struct StorageSizes {
    std::string engine;                   // sqlite | postgresql
    uint64_t database_bytes = 0;          // SQLite: the file; PostgreSQL: pg_database_size
    std::optional<uint64_t> wal_bytes;    // SQLite: the -wal file
    std::optional<uint64_t> free_bytes;   // SQLite: pages of the file that hold nothing
    std::vector<DaySize> days;            // oldest first
    RetentionReport dropped;              // by this process's retention passes since start
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
    // The text filter also looks in the labels (tags and note).
    virtual AgentPage query_agents(const AgentQuery& query) = 0;
    // Replaces the agent's labels; false when there is no such agent.
    virtual bool set_agent_labels(const std::string& agent_id, const AgentLabels& labels) = 0;
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
    // The first result of the task's own agent wins: delivered (or expired after a delivery) →
    // done|error; never delivered → not_delivered; final → already_final; a task of another
    // agent → not_found.
    virtual ResultOutcome complete_task(const std::string& task_id, const std::string& agent_id, bool ok,
                                        const std::optional<std::string>& result_json,
                                        const std::optional<std::string>& error, int64_t now_ns) = 0;
    // Records the uploaded file of a task of `agent_id` that was delivered to it and is not
    // final yet. The previous file (if any) is returned for removal only when this succeeds.
    virtual AttachOutcome attach_file(const std::string& task_id, const std::string& agent_id,
                                      const TaskFile& file) = 0;
    // Marks pending/delivered tasks created before `created_before_ns` as expired; returns how many.
    virtual uint64_t expire_tasks(int64_t created_before_ns, int64_t now_ns) = 0;

    // Agent certificates and enrollment. enroll_agent uses one use of the token (unexpired,
    // uses left), refuses an agent id that has a certificate that is not revoked, and
    // records the certificate and the agent (if new), all in one transaction.
    virtual EnrollOutcome enroll_agent(const std::string& token_sha256, const AgentCertificate& cert,
                                       const AgentRecord& agent, int64_t now_ns) = 0;
    virtual void add_certificate(const AgentCertificate& cert) = 0;  // renewal
    virtual std::vector<AgentCertificate> certificates(const std::string& agent_id) = 0;
    virtual std::vector<std::string> revoked_serials() = 0;
    // Revokes every certificate of the agent and cancels its pending/delivered tasks.
    virtual RevokeOutcome revoke_agent(const std::string& agent_id, int64_t now_ns) = 0;

    virtual void insert_enrollment(const EnrollmentToken& token) = 0;
    virtual std::optional<EnrollmentToken> find_enrollment(const std::string& token_sha256) = 0;
    virtual std::vector<EnrollmentToken> list_enrollments() = 0;

    virtual bool add_operator(const OperatorRecord& op) = 0;  // false: the name exists
    virtual bool remove_operator(const std::string& name) = 0;
    virtual std::optional<OperatorRecord> find_operator_by_token(const std::string& token_sha256) = 0;
    virtual std::vector<OperatorRecord> list_operators() = 0;

    // The audit log can only grow: the schema refuses updates and deletes.
    virtual void append_audit(const AuditRecord& record) = 0;
    virtual std::vector<AuditRecord> query_audit(const AuditQuery& query) = 0;

    // Web console sessions. insert_session first drops sessions that ended (expires_ns <= now
    // or last seen before idle_before_ns), then, while `max_sessions` are stored, the one
    // idle longest. Removing an operator removes its sessions.
    virtual void insert_session(const SessionRecord& session, int64_t idle_before_ns, uint64_t max_sessions) = 0;
    virtual std::optional<SessionRecord> find_session(const std::string& id_sha256) = 0;
    virtual void touch_session(const std::string& id_sha256, int64_t now_ns) = 0;
    virtual bool delete_session(const std::string& id_sha256) = 0;  // false: there was none
    virtual uint64_t count_sessions() = 0;

    // Removes events received more than retention_days before `now_ns` and, on SQLite, the
    // oldest ones while the database is over its size limit; ingestion goes on meanwhile
    // (small transactions). Engines also run it on their own; this runs one pass now.
    virtual RetentionReport enforce_retention(int64_t now_ns) = 0;
    virtual StorageSizes sizes() = 0;

    // Detection triage history (append-only). add_triage stores all records in one transaction,
    // or none when one names an event that is not a stored detection (returned).
    virtual std::optional<int64_t> add_triage(const std::vector<TriageRecord>& records) = 0;
    // Every change of these detections, oldest first.
    virtual std::vector<TriageRecord> triage_history(const std::vector<int64_t>& event_ids) = 0;
};

}  // namespace vigil::central

// Every Storage method as an implementation declares it, for its class body: one list, so
// an engine cannot drift from the interface.
#define VIGIL_STORAGE_OVERRIDES \
    void upsert_agent(const AgentRecord& agent) override; \
    std::optional<AgentRecord> find_agent(const std::string& agent_id) override; \
    std::vector<AgentRecord> list_agents() override; \
    AgentPage query_agents(const AgentQuery& query) override; \
    bool set_agent_labels(const std::string& agent_id, const AgentLabels& labels) override; \
    void touch_agent(const std::string& agent_id, int64_t now_ns) override; \
    BatchResult store_batch(const std::string& agent_id, int64_t batch_seq, int64_t received_ns, const std::vector<EventInput>& events) override; \
    std::vector<EventRow> query_events(const EventQuery& query) override; \
    StorageStats stats() override; \
    MetricCounts metric_counts(int64_t online_after_ns) override; \
    void insert_task(const TaskRecord& task) override; \
    std::optional<TaskRecord> find_task(const std::string& task_id) override; \
    std::vector<TaskRecord> list_tasks(const std::optional<std::string>& agent_id, uint32_t limit) override; \
    std::vector<TaskRecord> claim_tasks(const std::string& agent_id, int64_t now_ns, int64_t redelivery_grace_s, uint32_t max_tasks) override; \
    ResultOutcome complete_task(const std::string& task_id, const std::string& agent_id, bool ok, const std::optional<std::string>& result_json, const std::optional<std::string>& error, int64_t now_ns) override; \
    AttachOutcome attach_file(const std::string& task_id, const std::string& agent_id, const TaskFile& file) override; \
    uint64_t expire_tasks(int64_t created_before_ns, int64_t now_ns) override; \
    EnrollOutcome enroll_agent(const std::string& token_sha256, const AgentCertificate& cert, const AgentRecord& agent, int64_t now_ns) override; \
    void add_certificate(const AgentCertificate& cert) override; \
    std::vector<AgentCertificate> certificates(const std::string& agent_id) override; \
    std::vector<std::string> revoked_serials() override; \
    RevokeOutcome revoke_agent(const std::string& agent_id, int64_t now_ns) override; \
    void insert_enrollment(const EnrollmentToken& token) override; \
    std::optional<EnrollmentToken> find_enrollment(const std::string& token_sha256) override; \
    std::vector<EnrollmentToken> list_enrollments() override; \
    bool add_operator(const OperatorRecord& op) override; \
    bool remove_operator(const std::string& name) override; \
    std::optional<OperatorRecord> find_operator_by_token(const std::string& token_sha256) override; \
    std::vector<OperatorRecord> list_operators() override; \
    void append_audit(const AuditRecord& record) override; \
    std::vector<AuditRecord> query_audit(const AuditQuery& query) override; \
    void insert_session(const SessionRecord& session, int64_t idle_before_ns, uint64_t max_sessions) override; \
    std::optional<SessionRecord> find_session(const std::string& id_sha256) override; \
    void touch_session(const std::string& id_sha256, int64_t now_ns) override; \
    bool delete_session(const std::string& id_sha256) override; \
    uint64_t count_sessions() override; \
    RetentionReport enforce_retention(int64_t now_ns) override; \
    StorageSizes sizes() override; \
    std::optional<int64_t> add_triage(const std::vector<TriageRecord>& records) override; \
    std::vector<TriageRecord> triage_history(const std::vector<int64_t>& event_ids) override;
