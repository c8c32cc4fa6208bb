// SqliteStorage, web console sessions: kept in the database so they survive a restart of
// vigil-central; only the SHA-256 of a session id is stored. A trigger ends an operator's
// sessions when the operator is removed (CLI or API), whichever process removes it.
#include <sqlite3.h>

#include "sqlite_storage.hpp"
#include "sqlite_util.hpp"

namespace vigil::central {

using namespace sqlite;

namespace {

constexpr const char* kColumns =
    "id_sha256, operator, role, token_sha256, csrf_token, created_ns, last_seen_ns, expires_ns";

}  // namespace

void SqliteStorage::create_session_schema() {
    exec(writer_, R"sql(
CREATE TABLE IF NOT EXISTS console_sessions(
  id_sha256 TEXT PRIMARY KEY, operator TEXT NOT NULL, role TEXT NOT NULL, token_sha256 TEXT NOT NULL,
  csrf_token TEXT NOT NULL, created_ns INTEGER NOT NULL, last_seen_ns INTEGER NOT NULL,
  expires_ns INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS console_sessions_seen ON console_sessions(last_seen_ns);
CREATE INDEX IF NOT EXISTS console_sessions_token ON console_sessions(token_sha256);
CREATE TRIGGER IF NOT EXISTS console_sessions_operator_removed AFTER DELETE ON operators
  BEGIN DELETE FROM console_sessions WHERE token_sha256 = OLD.token_sha256; END;
)sql");
}

void SqliteStorage::insert_session(const SessionRecord& s, int64_t idle_before_ns, uint64_t max_sessions) {
    std::lock_guard lock(write_mutex_);
    Transaction tx(writer_);
    Stmt ended(writer_, "DELETE FROM console_sessions WHERE expires_ns <= ?1 OR last_seen_ns < ?2");
    ended.bind(1, s.created_ns).bind(2, idle_before_ns).run();
    const uint64_t stored = count_rows(writer_, "SELECT COUNT(*) FROM console_sessions");
    if (stored >= max_sessions) {
        Stmt idlest(writer_,
                    "DELETE FROM console_sessions WHERE id_sha256 IN (SELECT id_sha256 FROM console_sessions "
                    "ORDER BY last_seen_ns LIMIT ?1)");
        idlest.bind(1, static_cast<int64_t>(stored - max_sessions + 1)).run();
    }
    Stmt insert(writer_, std::string("INSERT INTO console_sessions(") + kColumns + ") VALUES(?1,?2,?3,?4,?5,?6,?7,?8)");
    insert.bind(1, s.id_sha256).bind(2, s.operator_name).bind(3, s.role).bind(4, s.token_sha256);
    insert.bind(5, s.csrf_token).bind(6, s.created_ns).bind(7, s.last_seen_ns).bind(8, s.expires_ns).run();
    tx.commit();
}

std::optional<SessionRecord> SqliteStorage::find_session(const std::string& id_sha256) {
    std::lock_guard lock(read_mutex_);
    Stmt s(reader_, std::string("SELECT ") + kColumns + " FROM console_sessions WHERE id_sha256 = ?1");
    s.bind(1, id_sha256);
    if (!s.step()) return std::nullopt;
    return SessionRecord{s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.i64(5), s.i64(6), s.i64(7)};
}

void SqliteStorage::touch_session(const std::string& id_sha256, int64_t now_ns) {
    std::lock_guard lock(write_mutex_);
    Stmt s(writer_, "UPDATE console_sessions SET last_seen_ns = max(last_seen_ns, ?2) WHERE id_sha256 = ?1");
    s.bind(1, id_sha256).bind(2, now_ns).run();
}

bool SqliteStorage::delete_session(const std::string& id_sha256) {
    std::lock_guard lock(write_mutex_);
    Stmt s(writer_, "DELETE FROM console_sessions WHERE id_sha256 = ?1");
    s.bind(1, id_sha256).run();
    return s.changes() > 0;
}

uint64_t SqliteStorage::count_sessions() {
    std::lock_guard lock(read_mutex_);
    return count_rows(reader_, "SELECT COUNT(*) FROM console_sessions");
}

}  // namespace vigil::central
