#pragma once
// SQLite implementation of Storage: one database file in WAL mode, a writer connection
// (batches in one transaction with prepared statements) and a reader connection so queries
// do not wait for ingestion, and a checkpoint thread so commits do not copy the WAL back.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "storage.hpp"
#include "wal_checkpointer.hpp"

struct sqlite3;

namespace vigil::central {

struct SqliteOptions {
    std::string path;        // database file (":memory:" is not supported: two connections)
    bool text_index = true;  // maintain the FTS5 word index used by text search
    int busy_timeout_ms = 10000;
    // Page cache of each of the two connections (writer, reader). What the process holds
    // grows to this much per connection as the database grows, and stays there.
    int cache_mib = 16;
};

class SqliteStorage final : public Storage {
public:
    // Opens (creating if needed) the database and its schema; throws std::runtime_error with
    // the file name and SQLite's message on failure.
    explicit SqliteStorage(const SqliteOptions& options);
    ~SqliteStorage() override;
    SqliteStorage(const SqliteStorage&) = delete;
    SqliteStorage& operator=(const SqliteStorage&) = delete;

    void upsert_agent(const AgentRecord& agent) override;
    std::optional<AgentRecord> find_agent(const std::string& agent_id) override;
    std::vector<AgentRecord> list_agents() override;
    AgentPage query_agents(const AgentQuery& query) override;  // sqlite_agents.cpp
    bool set_agent_labels(const std::string& agent_id, const AgentLabels& labels) override;
    void touch_agent(const std::string& agent_id, int64_t now_ns) override;
    BatchResult store_batch(const std::string& agent_id, int64_t batch_seq, int64_t received_ns,
                            const std::vector<EventInput>& events) override;
    std::vector<EventRow> query_events(const EventQuery& query) override;
    StorageStats stats() override;
    MetricCounts metric_counts(int64_t online_after_ns) override;  // sqlite_metric_counts.cpp
    void insert_task(const TaskRecord& task) override;
    std::optional<TaskRecord> find_task(const std::string& task_id) override;
    std::vector<TaskRecord> list_tasks(const std::optional<std::string>& agent_id, uint32_t limit) override;
    std::vector<TaskRecord> claim_tasks(const std::string& agent_id, int64_t now_ns,
                                        int64_t redelivery_grace_s, uint32_t max_tasks) override;
    ResultOutcome complete_task(const std::string& task_id, const std::string& agent_id, bool ok,
                                const std::optional<std::string>& result_json,
                                const std::optional<std::string>& error, int64_t now_ns) override;
    AttachOutcome attach_file(const std::string& task_id, const std::string& agent_id,
                              const TaskFile& file) override;
    uint64_t expire_tasks(int64_t created_before_ns, int64_t now_ns) override;

    // Trust data (sqlite_trust.cpp).
    EnrollOutcome enroll_agent(const std::string& token_sha256, const AgentCertificate& cert,
                               const AgentRecord& agent, int64_t now_ns) override;
    void add_certificate(const AgentCertificate& cert) override;
    std::vector<AgentCertificate> certificates(const std::string& agent_id) override;
    std::vector<std::string> revoked_serials() override;
    RevokeOutcome revoke_agent(const std::string& agent_id, int64_t now_ns) override;
    void insert_enrollment(const EnrollmentToken& token) override;
    std::optional<EnrollmentToken> find_enrollment(const std::string& token_sha256) override;
    std::vector<EnrollmentToken> list_enrollments() override;
    bool add_operator(const OperatorRecord& op) override;
    bool remove_operator(const std::string& name) override;
    std::optional<OperatorRecord> find_operator_by_token(const std::string& token_sha256) override;
    std::vector<OperatorRecord> list_operators() override;
    void append_audit(const AuditRecord& record) override;
    std::vector<AuditRecord> query_audit(const AuditQuery& query) override;
    // Web console sessions (sqlite_sessions.cpp).
    void insert_session(const SessionRecord& session, int64_t idle_before_ns, uint64_t max_sessions) override;
    std::optional<SessionRecord> find_session(const std::string& id_sha256) override;
    void touch_session(const std::string& id_sha256, int64_t now_ns) override;
    bool delete_session(const std::string& id_sha256) override;
    uint64_t count_sessions() override;
    // Detection triage (sqlite_triage.cpp).
    std::optional<int64_t> add_triage(const std::vector<TriageRecord>& records) override;
    std::vector<TriageRecord> triage_history(const std::vector<int64_t>& event_ids) override;

private:
    struct Statements;
    void create_trust_schema();   // sqlite_trust.cpp
    void create_triage_schema();  // sqlite_triage.cpp
    void create_agent_schema();   // sqlite_agents.cpp
    void create_session_schema();  // sqlite_sessions.cpp
    std::vector<EventRow> event_query(const EventQuery& q, bool use_index);
    SqliteOptions options_;
    std::mutex write_mutex_;
    std::mutex read_mutex_;
    sqlite3* writer_ = nullptr;
    sqlite3* reader_ = nullptr;
    std::unique_ptr<Statements> stmts_;
    std::atomic<uint64_t> stored_events_{0};   // rows in events (committed)
    std::atomic<uint64_t> stored_batches_{0};  // rows in batches (committed)
    std::unique_ptr<WalCheckpointer> checkpointer_;  // after the writer: it holds a hook on it
};

}  // namespace vigil::central
