#include "sqlite_storage.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <vector>
#include <vigil/enum_table.hpp>

#include "sqlite_util.hpp"
#include "storage_rows.hpp"

namespace vigil::central {
namespace {

using namespace sqlite;

// Per-connection settings. WAL + synchronous=NORMAL: a commit is one append to the WAL
// (durable across process crashes; the last commits may be lost on power loss). A large page
// cache (storage.cache_mib) and mmap keep the hot part of the event indexes in memory during
// ingestion; the mapped pages are the kernel's page cache, which it can reclaim.
std::string connection_pragmas(const SqliteOptions& o) {
    return "PRAGMA synchronous=NORMAL; PRAGMA cache_size=-" + std::to_string(int64_t{o.cache_mib} * 1024) +
           "; PRAGMA mmap_size=268435456; PRAGMA temp_store=MEMORY; PRAGMA journal_size_limit=67108864;";
}

sqlite3* open_db(const SqliteOptions& o) {
    sqlite3* db = nullptr;
    int rc = sqlite3_open_v2(o.path.c_str(), &db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
        sqlite3_close(db);
        throw std::runtime_error("cannot open database " + o.path + ": " + msg);
    }
    sqlite3_busy_timeout(db, o.busy_timeout_ms);
    char* err = nullptr;
    if (sqlite3_exec(db, connection_pragmas(o).c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : "unknown error";
        sqlite3_free(err);
        sqlite3_close(db);
        throw std::runtime_error("cannot configure database " + o.path + ": " + msg);
    }
    return db;
}

constexpr const char* kSchema = R"sql(
PRAGMA auto_vacuum=INCREMENTAL;
PRAGMA page_size=16384;
PRAGMA journal_mode=WAL;
CREATE TABLE IF NOT EXISTS agents(
  agent_id TEXT PRIMARY KEY, hostname TEXT NOT NULL, os TEXT NOT NULL, kernel TEXT NOT NULL,
  agent_version TEXT NOT NULL, info TEXT NOT NULL, first_seen_ns INTEGER NOT NULL, last_seen_ns INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS batches(
  agent_id TEXT NOT NULL, batch_seq INTEGER NOT NULL, received_ns INTEGER NOT NULL, event_count INTEGER NOT NULL,
  PRIMARY KEY(agent_id, batch_seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events(
  id INTEGER PRIMARY KEY, agent_id TEXT NOT NULL, batch_seq INTEGER NOT NULL, type TEXT NOT NULL,
  class_uid INTEGER NOT NULL, time_ns INTEGER NOT NULL, raw TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_agent_time ON events(agent_id, time_ns);
CREATE INDEX IF NOT EXISTS events_type_time ON events(type, time_ns);
-- Nothing queries by OCSF class (the short type is indexed); databases from before 0.1 had it.
DROP INDEX IF EXISTS events_class_time;
CREATE INDEX IF NOT EXISTS events_time ON events(time_ns);
CREATE TABLE IF NOT EXISTS tasks(
  id TEXT PRIMARY KEY, agent_id TEXT NOT NULL, type TEXT NOT NULL, args TEXT NOT NULL, timeout_s INTEGER NOT NULL,
  state TEXT NOT NULL, created_ns INTEGER NOT NULL, delivered_ns INTEGER NOT NULL DEFAULT 0,
  delivery_count INTEGER NOT NULL DEFAULT 0, completed_ns INTEGER NOT NULL DEFAULT 0, result TEXT, error TEXT,
  file_path TEXT, file_size INTEGER, file_sha256 TEXT);
CREATE INDEX IF NOT EXISTS tasks_agent_state ON tasks(agent_id, state, created_ns);
CREATE INDEX IF NOT EXISTS tasks_state_created ON tasks(state, created_ns);
)sql";

// A contentless FTS5 index over the events' string values: it holds only which rowids
// (= events.id) contain each word — no copy of the text, no positions, no column sizes —
// which keeps the per-event cost of the index low. Exact strings are checked on `raw`.
constexpr const char* kTextIndexSchema =
    "CREATE VIRTUAL TABLE IF NOT EXISTS events_text USING fts5(text, content='', columnsize=0, detail=none, "
    "tokenize='unicode61');";

TaskRecord read_task(const Stmt& s) { return task_from_row(s); }

AgentRecord read_agent(const Stmt& s) {
    return AgentRecord{s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5), s.i64(6), s.i64(7)};
}

// FTS5 query for the words of `text`, all required, the last one also as a prefix (so
// "/usr/bin/cur" finds "/usr/bin/curl"); nullopt when it has no word characters. The index
// keeps no positions (detail=none, cheaper ingest), so the exact string is checked by LIKE.
std::optional<std::string> fts_words(const std::string& text) {
    const std::vector<std::string> words = search_words(text);
    if (words.empty()) return std::nullopt;
    std::string q;
    for (size_t i = 0; i < words.size(); ++i) {
        if (i) q += ' ';
        q += '"' + words[i] + '"';  // words hold only alphanumerics: nothing to escape
        if (i + 1 == words.size()) q += '*';
    }
    return q;
}

}  // namespace

namespace {
// clang-format off
constexpr EnumName<TaskState> kTaskStateNames[] = {
    {TaskState::pending, "pending"}, {TaskState::delivered, "delivered"}, {TaskState::done, "done"},
    {TaskState::error, "error"}, {TaskState::expired, "expired"}, {TaskState::cancelled, "cancelled"}};
// clang-format on
}  // namespace

const char* to_string(TaskState state) { return enum_name(kTaskStateNames, state, "error"); }

std::optional<TaskState> task_state_from_string(std::string_view s) {
    return enum_from_name(kTaskStateNames, s);
}

struct SqliteStorage::Statements {
    explicit Statements(sqlite3* w, sqlite3* r, bool text_index)
        : upsert_agent(
              w,
              "INSERT INTO agents(agent_id, hostname, os, kernel, agent_version, info, first_seen_ns, "
              "last_seen_ns) VALUES(?1,?2,?3,?4,?5,?6,?7,?7) ON CONFLICT(agent_id) DO UPDATE SET "
              "hostname=?2, os=?3, kernel=?4, agent_version=?5, info=?6, last_seen_ns=?7"),
          find_agent(
              r,
              "SELECT agent_id, hostname, os, kernel, agent_version, info, first_seen_ns, last_seen_ns FROM "
              "agents WHERE agent_id=?1"),
          list_agents(
              r,
              "SELECT agent_id, hostname, os, kernel, agent_version, info, first_seen_ns, last_seen_ns FROM "
              "agents ORDER BY hostname, agent_id"),
          touch_agent(w, "UPDATE agents SET last_seen_ns = MAX(last_seen_ns, ?2) WHERE agent_id=?1"),
          insert_batch(
              w,
              "INSERT INTO batches(agent_id, batch_seq, received_ns, event_count) VALUES(?1,?2,?3,?4) "
              "ON CONFLICT DO NOTHING"),
          insert_event(w,
                       "INSERT INTO events(agent_id, batch_seq, type, class_uid, time_ns, raw) "
                       "VALUES(?1,?2,?3,?4,?5,?6)"),
          insert_text(w, text_index ? "INSERT INTO events_text(rowid, text) VALUES(?1,?2)" : "SELECT ?1, ?2"),
          insert_task(w, std::string("INSERT INTO tasks(") + kTaskColumns +
                             ") VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,NULL,NULL,NULL,?13,?14)"),
          find_task_r(r, std::string("SELECT ") + kTaskColumns + " FROM tasks WHERE id=?1"),
          find_task_w(w, std::string("SELECT ") + kTaskColumns + " FROM tasks WHERE id=?1"),
          claimable(
              w, std::string("SELECT ") + kTaskColumns +
                     " FROM tasks WHERE agent_id=?1 AND (state='pending' OR (state='delivered' AND "
                     "delivered_ns + (timeout_s + ?3) * 1000000000 <= ?2)) ORDER BY created_ns, id LIMIT ?4"),
          mark_delivered(
              w,
              "UPDATE tasks SET state='delivered', delivered_ns=?2, delivery_count=delivery_count+1 "
              "WHERE id=?1"),
          complete(w,
                   std::string("UPDATE tasks SET state=?2, result=?3, error=?4, completed_ns=?5 WHERE id=?1 "
                               "AND agent_id=?6 AND ") +
                       kAnswerable),
          attach_file(w, "UPDATE tasks SET file_path=?2, file_size=?3, file_sha256=?4 WHERE id=?1"),
          expire(
              w,
              "UPDATE tasks SET state='expired', completed_ns=?2 WHERE state IN ('pending','delivered') AND "
              "created_ns < ?1") {}

    Stmt upsert_agent, find_agent, list_agents, touch_agent;
    Stmt insert_batch, insert_event, insert_text;
    Stmt insert_task, find_task_r, find_task_w, claimable, mark_delivered, complete, attach_file, expire;
};

SqliteStorage::SqliteStorage(const SqliteOptions& options) : options_(options) {
    writer_ = open_db(options_);
    try {
        exec(writer_, kSchema);
        ensure_column(writer_, "tasks", "signature", "TEXT");
        ensure_column(writer_, "tasks", "created_by", "TEXT NOT NULL DEFAULT ''");
        create_trust_schema();
        create_triage_schema();
        create_agent_schema();
        create_session_schema();
        create_retention_schema();
        if (options_.text_index) exec(writer_, kTextIndexSchema);
        reader_ = open_db(options_);
        exec(reader_, "PRAGMA query_only=1;");
        stmts_ = std::make_unique<Statements>(writer_, reader_, options_.text_index);
        // Counted once here and then kept up to date by store_batch: COUNT(*) over the events
        // table takes time that grows with it, and stats are polled while agents upload.
        stored_events_ = count_rows(writer_, "SELECT COUNT(*) FROM events");
        stored_batches_ = count_rows(writer_, "SELECT COUNT(*) FROM batches");
        checkpointer_ = std::make_unique<WalCheckpointer>(
            writer_, WalCheckpointer::Options{options_.path, options_.busy_timeout_ms});
    } catch (...) {
        checkpointer_.reset();
        stmts_.reset();
        note_day_.reset();
        sqlite3_close(reader_);
        sqlite3_close(writer_);
        throw;
    }
}

SqliteStorage::~SqliteStorage() {
    checkpointer_.reset();
    stmts_.reset();  // statements first: a connection with live statements cannot close
    note_day_.reset();
    sqlite3_close(reader_);
    sqlite3_close(writer_);
}

void SqliteStorage::upsert_agent(const AgentRecord& a) {
    std::lock_guard lock(write_mutex_);
    stmts_->upsert_agent.bind(1, a.agent_id).bind(2, a.hostname).bind(3, a.os).bind(4, a.kernel);
    stmts_->upsert_agent.bind(5, a.agent_version).bind(6, a.info_json).bind(7, a.last_seen_ns).run();
}

std::optional<AgentRecord> SqliteStorage::find_agent(const std::string& agent_id) {
    std::lock_guard lock(read_mutex_);
    return find_row(stmts_->find_agent, agent_id, read_agent);
}

std::vector<AgentRecord> SqliteStorage::list_agents() {
    std::lock_guard lock(read_mutex_);
    auto& s = stmts_->list_agents;
    ResetGuard g{s};
    std::vector<AgentRecord> out;
    while (s.step()) out.push_back(read_agent(s));
    return out;
}

void SqliteStorage::touch_agent(const std::string& agent_id, int64_t now_ns) {
    std::lock_guard lock(write_mutex_);
    stmts_->touch_agent.bind(1, agent_id).bind(2, now_ns).run();
}

BatchResult SqliteStorage::store_batch(const std::string& agent_id, int64_t batch_seq, int64_t received_ns,
                                       const std::vector<EventInput>& events) {
    std::lock_guard lock(write_mutex_);
    Transaction tx(writer_);
    auto& b = stmts_->insert_batch;
    b.bind(1, agent_id)
        .bind(2, batch_seq)
        .bind(3, received_ns)
        .bind(4, static_cast<int64_t>(events.size()))
        .run();
    if (sqlite3_changes(writer_) == 0) return {0, true};  // the unique key says: stored before
    auto& e = stmts_->insert_event;
    auto& t = stmts_->insert_text;
    int64_t first_id = 0, last_id = 0;
    for (const auto& ev : events) {
        e.bind_static(1, agent_id).bind(2, batch_seq).bind_static(3, ev.type).bind(4, ev.class_uid);
        e.bind(5, ev.time_ns).bind_static(6, ev.raw).run();
        last_id = sqlite3_last_insert_rowid(writer_);
        if (!first_id) first_id = last_id;
        if (options_.text_index) t.bind(1, last_id).bind_static(2, ev.text).run();
    }
    if (!events.empty()) note_receive_day(received_ns, first_id, last_id, static_cast<int64_t>(events.size()));
    tx.commit();
    stored_events_ += events.size();
    stored_batches_ += 1;
    return {events.size(), false};
}

std::vector<EventRow> SqliteStorage::query_events(const EventQuery& q) {
    if (!q.text || !options_.text_index) return event_query(q, false);
    try {
        return event_query(q, true);
    } catch (const std::runtime_error& e) {
        // Text that the FTS5 tokenizer splits where fts_words does not (Unicode punctuation,
        // bytes that are not UTF-8) becomes a phrase, which the index without positions
        // cannot answer: the substring scan answers it instead.
        if (std::string(e.what()).find("fts5") == std::string::npos) throw;
        return event_query(q, false);
    }
}

std::vector<EventRow> SqliteStorage::event_query(const EventQuery& q, bool use_index) {
    std::string sql = "SELECT id, agent_id, type, time_ns, raw FROM events WHERE 1";
    std::vector<std::string> params;
    std::vector<int64_t> nums;
    auto add_text = [&](const std::string& clause, const std::string& v) {
        params.push_back(v);
        sql += " AND " + clause + " ?" + std::to_string(params.size());
    };
    if (q.agent_id) add_text("agent_id =", *q.agent_id);
    if (q.type) add_text("type =", *q.type);
    if (q.text) {
        std::optional<std::string> words = fts_words(*q.text);
        if (words && use_index) {
            add_text("id IN (SELECT rowid FROM events_text WHERE events_text MATCH", *words);
            sql += ")";
        }
        // The stored JSON escapes quotes, backslashes and control characters, so a string with
        // those cannot be found verbatim; the word match alone decides then.
        bool verbatim = std::none_of(q.text->begin(), q.text->end(),
                                     [](unsigned char c) { return c == '"' || c == '\\' || c < 0x20; });
        if (verbatim || !words || !use_index) {
            add_text("raw LIKE", like_contains(*q.text));
            sql += " ESCAPE '\\'";
        }
    }
    size_t first_num = params.size() + 1;
    if (q.since_ns) {
        nums.push_back(*q.since_ns);
        sql += " AND time_ns >= ?" + std::to_string(first_num + nums.size() - 1);
    }
    if (q.until_ns) {
        nums.push_back(*q.until_ns);
        sql += " AND time_ns <= ?" + std::to_string(first_num + nums.size() - 1);
    }
    sql += " ORDER BY time_ns DESC, id DESC LIMIT " + std::to_string(std::max<uint32_t>(q.limit, 1));

    std::lock_guard lock(read_mutex_);
    Stmt s(reader_, sql);  // ad-hoc shape: prepared per query (cheap next to the scan)
    int i = 1;
    for (const auto& p : params) s.bind(i++, std::string_view(p));
    for (auto n : nums) s.bind(i++, n);
    std::vector<EventRow> out;
    while (s.step()) out.push_back(EventRow{s.i64(0), s.text(1), s.text(2), s.i64(3), s.text(4)});
    std::reverse(out.begin(), out.end());
    return out;
}

StorageStats SqliteStorage::stats() {
    StorageStats st;
    st.events = stored_events_.load();
    st.batches = stored_batches_.load();
    std::lock_guard lock(read_mutex_);
    st.agents = count_rows(reader_, "SELECT COUNT(*) FROM agents");
    st.tasks = count_rows(reader_, "SELECT COUNT(*) FROM tasks");
    return st;
}

void SqliteStorage::insert_task(const TaskRecord& t) {
    std::lock_guard lock(write_mutex_);
    auto& s = stmts_->insert_task;
    s.bind(1, t.id).bind(2, t.agent_id).bind(3, t.type).bind(4, t.args_json).bind(5, t.timeout_s);
    s.bind(6, std::string_view(to_string(t.state))).bind(7, t.created_ns).bind(8, t.delivered_ns);
    s.bind(9, t.delivery_count).bind(10, t.completed_ns).bind(11, t.result_json).bind(12, t.error);
    s.bind(13, t.signature_json).bind(14, t.created_by).run();
}

std::optional<TaskRecord> SqliteStorage::find_task(const std::string& task_id) {
    std::lock_guard lock(read_mutex_);
    return find_row(stmts_->find_task_r, task_id, read_task);
}

std::vector<TaskRecord> SqliteStorage::list_tasks(const std::optional<std::string>& agent_id,
                                                  uint32_t limit) {
    std::string sql = std::string("SELECT ") + kTaskColumns + " FROM tasks";
    if (agent_id) sql += " WHERE agent_id = ?1";
    sql += " ORDER BY created_ns DESC, id LIMIT " + std::to_string(std::max<uint32_t>(limit, 1));
    std::lock_guard lock(read_mutex_);
    Stmt s(reader_, sql);
    if (agent_id) s.bind(1, std::string_view(*agent_id));
    std::vector<TaskRecord> out;
    while (s.step()) out.push_back(read_task(s));
    std::reverse(out.begin(), out.end());
    return out;
}

std::vector<TaskRecord> SqliteStorage::claim_tasks(const std::string& agent_id, int64_t now_ns,
                                                   int64_t redelivery_grace_s, uint32_t max_tasks) {
    std::lock_guard lock(write_mutex_);
    Transaction tx(writer_);
    std::vector<TaskRecord> out;
    {
        auto& s = stmts_->claimable;
        ResetGuard g{s};
        s.bind(1, agent_id)
            .bind(2, now_ns)
            .bind(3, redelivery_grace_s)
            .bind(4, static_cast<int64_t>(max_tasks));
        while (s.step()) out.push_back(read_task(s));
    }
    for (auto& t : out) {
        stmts_->mark_delivered.bind(1, t.id).bind(2, now_ns).run();
        t.state = TaskState::delivered;
        t.delivered_ns = now_ns;
        ++t.delivery_count;
    }
    tx.commit();
    return out;
}

ResultOutcome SqliteStorage::complete_task(const std::string& task_id, const std::string& agent_id, bool ok,
                                           const std::optional<std::string>& result_json,
                                           const std::optional<std::string>& error, int64_t now_ns) {
    std::lock_guard lock(write_mutex_);
    auto& s = stmts_->complete;
    s.bind(1, task_id).bind(2, std::string_view(ok ? "done" : "error")).bind(3, result_json).bind(4, error);
    s.bind(5, now_ns).bind(6, agent_id).run();
    if (sqlite3_changes(writer_) > 0) return ResultOutcome::accepted;
    auto& f = stmts_->find_task_w;
    ResetGuard g{f};
    f.bind(1, task_id);
    return f.step() ? unanswerable(read_task(f), agent_id) : ResultOutcome::not_found;
}

AttachOutcome SqliteStorage::attach_file(const std::string& task_id, const std::string& agent_id,
                                         const TaskFile& file) {
    std::lock_guard lock(write_mutex_);
    Transaction tx(writer_);
    std::optional<TaskRecord> t;
    {
        auto& f = stmts_->find_task_w;
        ResetGuard g{f};
        f.bind(1, task_id);
        if (f.step()) t = read_task(f);
    }
    if (!t) return {ResultOutcome::not_found, std::nullopt};
    if (!answerable(*t, agent_id)) return {unanswerable(*t, agent_id), std::nullopt};
    auto& s = stmts_->attach_file;
    s.bind(1, task_id).bind(2, file.path).bind(3, static_cast<int64_t>(file.size)).bind(4, file.sha256).run();
    tx.commit();
    AttachOutcome out{ResultOutcome::accepted, std::nullopt};
    if (t->file && t->file->path != file.path) out.previous_path = t->file->path;
    return out;
}

uint64_t SqliteStorage::expire_tasks(int64_t created_before_ns, int64_t now_ns) {
    std::lock_guard lock(write_mutex_);
    stmts_->expire.bind(1, created_before_ns).bind(2, now_ns).run();
    return static_cast<uint64_t>(sqlite3_changes(writer_));
}

}  // namespace vigil::central
