// SqliteStorage, the console's agents page: filters, order and paging run in the database so
// a page of a 10,000-agent fleet costs an index walk, not a copy and JSON parse of every agent.
// What the filters need from the last sync (isolation state, addresses) is kept in derived
// columns that triggers fill whenever an agent row is written, whoever writes it. Operators'
// tags and notes live in agent_labels, joined in (tags stored as " a b ", so a tag filter is
// one LIKE "% a %").
#include <sqlite3.h>

#include <sstream>
#include <variant>
#include <vector>

#include "sqlite_storage.hpp"
#include "sqlite_util.hpp"
#include "storage_rows.hpp"

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
    if (q.agent_id) w.add("a.agent_id =", *q.agent_id);
    if (q.text) {
        w.add("(search || char(31) || lower(coalesce(l.tags, '') || char(31) || coalesce(l.note, ''))) LIKE",
              like_contains(ascii_lower(*q.text)), " ESCAPE '\\'");
    }
    if (q.tag) w.add("coalesce(l.tags, '') LIKE", like_contains(" " + ascii_lower(*q.tag) + " "), " ESCAPE '\\'");
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
    exec(writer_, ("CREATE TABLE IF NOT EXISTS agent_labels(agent_id TEXT PRIMARY KEY, tags TEXT NOT NULL, "
                   "note TEXT NOT NULL, updated_ns INTEGER NOT NULL, updated_by TEXT NOT NULL) WITHOUT ROWID;"
                   "CREATE INDEX IF NOT EXISTS agents_order ON agents(hostname, agent_id);"
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
    const std::string from = " FROM agents a LEFT JOIN agent_labels l ON l.agent_id = a.agent_id";
    Stmt count(reader_, "SELECT COUNT(*)" + from + w.sql);
    w.bind(count);
    if (count.step()) page.total = static_cast<uint64_t>(count.i64(0));
    if (q.limit && *q.limit == 0) return page;
    // LIMIT -1 is "no limit" in SQLite; offsets past the end simply return no rows.
    Stmt s(reader_,
           "SELECT a.agent_id, hostname, os, kernel, agent_version, info, first_seen_ns, last_seen_ns, l.tags, "
           "l.note, l.updated_ns, l.updated_by" +
               from + w.sql + " ORDER BY hostname, a.agent_id LIMIT " +
               std::to_string(q.limit ? static_cast<int64_t>(*q.limit) : -1) + " OFFSET " +
               std::to_string(static_cast<int64_t>(q.offset)));
    w.bind(s);
    while (s.step()) {
        page.agents.push_back(
            AgentRecord{s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5), s.i64(6), s.i64(7)});
        AgentLabels& l = page.labels.emplace_back();
        std::istringstream tags(s.text(8));
        for (std::string t; tags >> t;) l.tags.push_back(t);
        l.note = s.text(9);
        l.updated_ns = s.i64(10);
        l.updated_by = s.text(11);
    }
    return page;
}

bool SqliteStorage::set_agent_labels(const std::string& agent_id, const AgentLabels& labels) {
    std::string tags = " ";
    for (const auto& t : labels.tags) tags += t + " ";
    std::lock_guard lock(write_mutex_);
    Stmt s(writer_,
           "INSERT INTO agent_labels(agent_id, tags, note, updated_ns, updated_by) SELECT ?1, ?2, ?3, ?4, ?5 "
           "WHERE EXISTS (SELECT 1 FROM agents WHERE agent_id = ?1) ON CONFLICT(agent_id) DO UPDATE SET "
           "tags = ?2, note = ?3, updated_ns = ?4, updated_by = ?5");
    s.bind(1, agent_id).bind(2, tags).bind(3, labels.note).bind(4, labels.updated_ns).bind(5, labels.updated_by);
    s.run();
    return s.changes() > 0;
}

}  // namespace vigil::central
