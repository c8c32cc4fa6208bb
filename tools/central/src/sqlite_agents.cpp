// SqliteStorage, the console's agents page: filters, order and paging run in the database so
// a page of a 10,000-agent fleet costs an index walk, not a copy and JSON parse of every agent.
// What the filters need from the last sync (isolation state, addresses) is kept in derived
// columns that triggers fill whenever an agent row is written, whoever writes it.
#include <sqlite3.h>

#include <variant>
#include <vector>

#include "sqlite_storage.hpp"
#include "sqlite_util.hpp"

namespace vigil::central {

using namespace sqlite;

namespace {

// isolated: the isolation plugin's state in the last sync; search: the lower-case text the
// `text` filter looks in (fields separated by a control character so a match never spans two).
constexpr const char* kFacts = R"sql(
  isolated = CASE WHEN json_valid(info) THEN json_type(info, '$.isolation.isolated') IS 'true' ELSE 0 END,
  search = lower(agent_id || char(31) || hostname || char(31) || os || char(31) || kernel || char(31) ||
    agent_version || char(31) || CASE WHEN json_valid(info) AND json_type(info, '$.ips') IS 'array' THEN
    coalesce((SELECT group_concat(value, char(31)) FROM json_each(info, '$.ips') WHERE type = 'text'), '')
    ELSE '' END))sql";

using Param = std::variant<int64_t, std::string>;

struct Where {
    std::string sql = " WHERE 1";
    std::vector<Param> params;

    void add(const std::string& clause, Param p, const char* tail = "") {
        params.push_back(std::move(p));
        sql += " AND " + clause + " ?" + std::to_string(params.size()) + tail;
    }
    void bind(Stmt& s) const {
        int i = 1;
        for (const auto& p : params) {
            if (const auto* n = std::get_if<int64_t>(&p)) {
                s.bind(i++, *n);
            } else {
                s.bind(i++, std::get<std::string>(p));
            }
        }
    }
};

Where where_of(const AgentQuery& q) {
    Where w;
    if (q.agent_id) w.add("agent_id =", *q.agent_id);
    if (q.text) {
        std::string lower = *q.text;
        for (char& c : lower)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        w.add("search LIKE", like_pattern(lower), " ESCAPE '\\'");
    }
    if (q.seen_since_ns) w.add("last_seen_ns >=", *q.seen_since_ns);
    if (q.seen_before_ns) w.add("last_seen_ns <", *q.seen_before_ns);
    if (q.isolated) w.add("isolated =", int64_t{*q.isolated ? 1 : 0});
    return w;
}

}  // namespace

void SqliteStorage::create_agent_schema() {
    const bool added = ensure_column(writer_, "agents", "isolated", "INTEGER NOT NULL DEFAULT 0");
    ensure_column(writer_, "agents", "search", "TEXT NOT NULL DEFAULT ''");
    const std::string facts = kFacts;
    exec(writer_, ("CREATE INDEX IF NOT EXISTS agents_order ON agents(hostname, agent_id);"
                   "CREATE INDEX IF NOT EXISTS agents_seen ON agents(last_seen_ns);"
                   "CREATE TRIGGER IF NOT EXISTS agents_facts_insert AFTER INSERT ON agents BEGIN "
                   "UPDATE agents SET " + facts + " WHERE rowid = NEW.rowid; END;"
                   "CREATE TRIGGER IF NOT EXISTS agents_facts_update AFTER UPDATE OF hostname, os, kernel, "
                   "agent_version, info ON agents BEGIN UPDATE agents SET " + facts +
                   " WHERE rowid = NEW.rowid; END;")
                      .c_str());
    if (added) exec(writer_, ("UPDATE agents SET " + facts).c_str());  // rows from before the columns
}

AgentPage SqliteStorage::query_agents(const AgentQuery& q) {
    const Where w = where_of(q);
    AgentPage page;
    std::lock_guard lock(read_mutex_);
    Stmt count(reader_, "SELECT COUNT(*) FROM agents" + w.sql);
    w.bind(count);
    if (count.step()) page.total = static_cast<uint64_t>(count.i64(0));
    if (q.limit && *q.limit == 0) return page;
    // LIMIT -1 is "no limit" in SQLite; offsets past the end simply return no rows.
    Stmt s(reader_,
           "SELECT agent_id, hostname, os, kernel, agent_version, info, first_seen_ns, last_seen_ns FROM agents" +
               w.sql + " ORDER BY hostname, agent_id LIMIT " +
               std::to_string(q.limit ? static_cast<int64_t>(*q.limit) : -1) + " OFFSET " +
               std::to_string(static_cast<int64_t>(q.offset)));
    w.bind(s);
    while (s.step())
        page.agents.push_back(
            AgentRecord{s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5), s.i64(6), s.i64(7)});
    return page;
}

}  // namespace vigil::central
