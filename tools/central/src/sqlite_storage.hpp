#pragma once
// SQLite implementation of Storage: one database file in WAL mode, a writer connection
// (batches in one transaction with prepared statements) and a reader connection so queries
// do not wait for ingestion, and a checkpoint thread so commits do not copy the WAL back.
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

#include "storage.hpp"
#include "wal_checkpointer.hpp"

struct sqlite3;

namespace vigil::central::sqlite {
class Stmt;
}

namespace vigil::central {

struct SqliteOptions {
    std::string path;        // database file (":memory:" is not supported: two connections)
    bool text_index = true;  // maintain the FTS5 word index used by text search
    int busy_timeout_ms = 10000;
    // Page cache of each of the two connections (writer, reader). What the process holds
    // grows to this much per connection as the database grows, and stays there.
    int cache_mib = 16;
    int retention_days = 0;           // 0: keep events forever
    uint64_t max_database_bytes = 0;  // 0: no limit; else the oldest events go beyond it
    int retention_pass_ms = 2000;     // one enforce_retention call works this long at most
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
    // sqlite_retention.cpp: receive days (event id ranges) and their removal.
    void create_retention_schema();
    void note_receive_day(int64_t received_ns, int64_t first_id, int64_t last_id, int64_t events);
    struct DayMark;
    std::optional<DayMark> oldest_day();
    bool drop_events(DayMark& day, uint64_t max_events, RetentionReport& report);
    void drop_batch_keys(int64_t before_ns, RetentionReport& report);
    void drop_expired_days(int64_t now_ns, int64_t deadline_ns, RetentionReport& report);
    void drop_over_size(int64_t deadline_ns, RetentionReport& report);
    uint64_t used_bytes();
    int64_t newest_day();
    void release_free_pages(int64_t deadline_ns);
    std::vector<EventRow> event_query(const EventQuery& q, bool use_index);
    SqliteOptions options_;
    std::mutex write_mutex_;
    std::mutex read_mutex_;
    sqlite3* writer_ = nullptr;
    sqlite3* reader_ = nullptr;
    std::unique_ptr<Statements> stmts_;
    std::atomic<uint64_t> stored_events_{0};   // rows in events (committed)
    std::atomic<uint64_t> stored_batches_{0};  // rows in batches (committed)
    std::unique_ptr<sqlite::Stmt> note_day_;    // upsert of the receive day of a batch
    int64_t newest_day_ = 0;                     // under write_mutex_: days never go back
    std::mutex retention_mutex_;                 // one retention pass at a time
    RetentionReport dropped_;                    // under read_mutex_
    std::unique_ptr<WalCheckpointer> checkpointer_;  // after the writer: it holds a hook on it
};

}  // namespace vigil::central
