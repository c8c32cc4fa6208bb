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

    // Defined in sqlite_storage.cpp, and by subject in sqlite_agents.cpp (query_agents,
    // set_agent_labels), sqlite_metric_counts.cpp, sqlite_trust.cpp (certificates,
    // enrollment, operators, audit), sqlite_sessions.cpp and sqlite_triage.cpp.
    VIGIL_STORAGE_OVERRIDES

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
