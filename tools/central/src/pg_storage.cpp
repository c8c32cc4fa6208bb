// PgStorage: opening (pool, migration, retention), agents and the counters of /metrics and stats.
#include "pg_storage.hpp"

#include <stdexcept>

#include "time_spec.hpp"

namespace vigil::central {

using pg::Params;

namespace {

constexpr const char* kAgentColumns =
    "agent_id, hostname, os, kernel, agent_version, info, first_seen_ns, last_seen_ns";

AgentRecord read_agent(const pg::Row& r) {
    return AgentRecord{r.text(0), r.text(1), r.text(2), r.text(3), r.text(4), r.text(5), r.i64(6), r.i64(7)};
}

}  // namespace

PgStorage::PgStorage(const PgOptions& options) : options_(options) {
    if (options_.connections < 1) throw std::runtime_error("postgresql: connections must be at least 1");
    pool_ = std::make_unique<pg::Pool>(options_.url, options_.password, options_.connections);
    if (options_.schema == PgOptions::Schema::leave) return;
    if (options_.schema == PgOptions::Schema::migrate) {
        migrate();
    } else if (int version = schema_version(); version != latest_schema_version()) {
        throw std::runtime_error("postgresql: the database schema is version " + std::to_string(version) +
                                 ", this vigil-central needs " + std::to_string(latest_schema_version()) +
                                 ": run `vigil-central migrate`");
    }
    enforce_retention(now_ns());
}

pg::Result PgStorage::query(const std::string& sql, const pg::Params& params) {
    auto c = pool_->get();
    return c->exec(sql, params);
}

void PgStorage::upsert_agent(const AgentRecord& a) {
    auto c = pool_->get();
    write_agent(*c, a, false);
}

std::optional<AgentRecord> PgStorage::find_agent(const std::string& agent_id) {
    auto c = pool_->get();
    return pg::first_row(
        c->exec(std::string("SELECT ") + kAgentColumns + " FROM agents WHERE agent_id=$1", Params().add(agent_id)),
        read_agent);
}

std::vector<AgentRecord> PgStorage::list_agents() {
    return pg::all_rows(query(std::string("SELECT ") + kAgentColumns + " FROM agents ORDER BY hostname, agent_id"),
                        read_agent);
}

void PgStorage::touch_agent(const std::string& agent_id, int64_t now) {
    auto c = pool_->get();
    c->exec("UPDATE agents SET last_seen_ns = greatest(last_seen_ns, $2) WHERE agent_id=$1 AND last_seen_ns < $2",
            Params().add(agent_id).add(now));
}

StorageStats PgStorage::stats() {
    // Events are counted through the batches that brought them: exact, and a scan of the
    // small table, not of the events (retention removes both together).
    auto c = pool_->get();
    auto r = c->exec(
        "SELECT (SELECT coalesce(sum(event_count), 0) FROM batches), (SELECT count(*) FROM batches), "
        "(SELECT count(*) FROM agents), (SELECT count(*) FROM tasks)");
    return StorageStats{static_cast<uint64_t>(r.i64(0, 0)), static_cast<uint64_t>(r.i64(0, 1)),
                        static_cast<uint64_t>(r.i64(0, 2)), static_cast<uint64_t>(r.i64(0, 3))};
}

MetricCounts PgStorage::metric_counts(int64_t online_after_ns) {
    MetricCounts m;
    auto c = pool_->get();
    auto a = c->exec("SELECT count(*), count(*) FILTER (WHERE last_seen_ns >= $1) FROM agents",
                     Params().add(online_after_ns));
    m.agents = static_cast<uint64_t>(a.i64(0, 0));
    m.agents_online = static_cast<uint64_t>(a.i64(0, 1));
    auto t = c->exec("SELECT state, count(*) FROM tasks GROUP BY state");
    for (int i = 0; i < t.rows(); ++i) m.tasks_by_state[t.text(i, 0)] = static_cast<uint64_t>(t.i64(i, 1));
    return m;
}

}  // namespace vigil::central
