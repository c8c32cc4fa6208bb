// SqliteStorage::metric_counts: the agent and task gauges of /metrics as aggregate
// queries. SQLite counts over its indexes (tasks_state_created covers the GROUP BY); no
// row reaches C++, so a scrape stays cheap with 10,000 agents and a long task history.
#include <sqlite3.h>

#include <stdexcept>
#include <string>

#include "sqlite_storage.hpp"

namespace vigil::central {

namespace {
// One read-only query; `bind` is the ?1 value when non-negative.
template <typename Row>
void each_row(sqlite3* db, const char* sql, int64_t bind, Row row) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK)
        throw std::runtime_error(std::string("metric query: ") + sqlite3_errmsg(db));
    if (bind >= 0) sqlite3_bind_int64(s, 1, bind);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) row(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) throw std::runtime_error(std::string("metric query: ") + sqlite3_errmsg(db));
}

uint64_t column_u64(sqlite3_stmt* s, int i) { return static_cast<uint64_t>(sqlite3_column_int64(s, i)); }
}  // namespace

MetricCounts SqliteStorage::metric_counts(int64_t online_after_ns) {
    MetricCounts m;
    std::lock_guard lock(read_mutex_);
    each_row(reader_, "SELECT COUNT(*), COALESCE(SUM(last_seen_ns >= ?1), 0) FROM agents", online_after_ns,
             [&](sqlite3_stmt* s) {
                 m.agents = column_u64(s, 0);
                 m.agents_online = column_u64(s, 1);
             });
    each_row(reader_, "SELECT state, COUNT(*) FROM tasks GROUP BY state", -1, [&](sqlite3_stmt* s) {
        const auto* state = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
        m.tasks_by_state[state ? state : ""] = column_u64(s, 1);
    });
    return m;
}

}  // namespace vigil::central
