#pragma once
// PostgreSQL implementation of Storage, for several stateless central nodes on one database
// (storage.engine: postgresql). A small pool of libpq connections; batches go in with COPY in
// one transaction behind the (agent_id, batch_seq) key of the unpartitioned batches table;
// events are partitioned by day of the server's receive time, and storage.retention_days
// drops whole partitions. The schema is versioned (pg_schema.cpp).
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "pg_conn.hpp"
#include "storage.hpp"

namespace vigil::central {

struct PgOptions {
    std::string url;       // libpq connection URI or key=value string, without a password
    std::string password;  // from storage.password_file; empty: libpq's environment/files decide
    int connections = 4;   // the pool (each concurrent request needs one while it runs)
    int retention_days = 0;  // 0: keep events forever
    // On open: migrate to the latest schema, refuse any other version, or leave it (migrate()).
    enum class Schema { migrate, require_current, leave } schema = Schema::migrate;
};

class PgStorage final : public Storage {
public:
    // Connects, migrates (or checks the schema version, see PgOptions::schema) and drops
    // expired partitions; throws std::runtime_error saying why.
    explicit PgStorage(const PgOptions& options);  // not copyable (pool_, mutex)

    struct MigrateResult {
        int from = 0;
        int to = 0;
    };
    MigrateResult migrate();  // pg_schema.cpp
    static int latest_schema_version();
    int schema_version();  // 0: never migrated
    // Drops event partitions (and batch keys) wholly older than retention_days before `now_ns`;
    // returns the partitions dropped. Runs on open and whenever a new day's partition is made.
    int drop_expired_partitions(int64_t now_ns);  // pg_partitions.cpp

    // Defined by subject in pg_storage.cpp (agents, counters), pg_agents.cpp (the agents
    // page), pg_events.cpp, pg_tasks.cpp, pg_trust.cpp and pg_console.cpp (sessions, triage).
    VIGIL_STORAGE_OVERRIDES

private:
    // One statement on a connection of the pool (outside any transaction).
    pg::Result query(const std::string& sql, const pg::Params& params = {});
    void ensure_partition(int64_t received_ns);  // pg_partitions.cpp
    void forget_partition(int64_t received_ns);  // another node's retention dropped it
    void drop_expired(int64_t now_ns, RetentionReport& report);  // pg_partitions.cpp
    void copy_events(pg::Conn& c, const std::string& agent_id, int64_t batch_seq, int64_t received_ns,
                     const std::vector<EventInput>& events);
    PgOptions options_;
    std::unique_ptr<pg::Pool> pool_;
    std::mutex partitions_mutex_;
    std::set<int64_t> partition_days_;  // days known to have a partition (days since the epoch)
    RetentionReport dropped_;           // under partitions_mutex_: by this process since start
};

// Writes an agent row with its derived columns (the isolation state of the last sync and the
// lower-case text the console's `text` filter searches), like SQLite's triggers. An existing
// row is updated (first_seen kept), or left alone with `keep_existing` (pg_agents.cpp).
void write_agent(pg::Conn& c, const AgentRecord& agent, bool keep_existing);

}  // namespace vigil::central
