// SqliteStorage, trust data: agent certificates, enrollment tokens, operators and the
// append-only audit log. These are small and rarely written, so statements are prepared
// per call; the hot paths (telemetry, tasks) keep their persistent statements.
#include <sqlite3.h>

#include "sqlite_storage.hpp"
#include "sqlite_util.hpp"

namespace vigil::central {
namespace {

using namespace sqlite;

constexpr const char* kTrustSchema = R"sql(
CREATE TABLE IF NOT EXISTS agent_certificates(
  serial TEXT PRIMARY KEY, agent_id TEXT NOT NULL, issued_ns INTEGER NOT NULL, not_after_s INTEGER NOT NULL,
  revoked_ns INTEGER);
CREATE INDEX IF NOT EXISTS agent_certificates_agent ON agent_certificates(agent_id);
CREATE TABLE IF NOT EXISTS enrollment_tokens(
  id TEXT PRIMARY KEY, token_sha256 TEXT NOT NULL UNIQUE, role TEXT NOT NULL, max_uses INTEGER NOT NULL,
  uses INTEGER NOT NULL DEFAULT 0, created_ns INTEGER NOT NULL, expires_ns INTEGER NOT NULL, created_by TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS operators(
  name TEXT PRIMARY KEY, role TEXT NOT NULL, token_sha256 TEXT NOT NULL UNIQUE, created_ns INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS audit(
  id INTEGER PRIMARY KEY, time_ns INTEGER NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL, source TEXT NOT NULL,
  action TEXT NOT NULL, target TEXT NOT NULL, detail TEXT NOT NULL, outcome TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_time ON audit(time_ns);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
)sql";

constexpr const char* kCertColumns = "serial, agent_id, issued_ns, not_after_s, revoked_ns";
constexpr const char* kEnrollColumns = "id, token_sha256, role, max_uses, uses, created_ns, expires_ns, created_by";

AgentCertificate read_cert(const Stmt& s) {
    AgentCertificate c{s.text(0), s.text(1), s.i64(2), s.i64(3), std::nullopt};
    if (!s.is_null(4)) c.revoked_ns = s.i64(4);
    return c;
}

EnrollmentToken read_enrollment(const Stmt& s) {
    return EnrollmentToken{s.text(0), s.text(1), s.text(2), s.i64(3), s.i64(4), s.i64(5), s.i64(6), s.text(7)};
}

void insert_cert(sqlite3* db, const AgentCertificate& c) {
    Stmt s(db, std::string("INSERT INTO agent_certificates(") + kCertColumns + ") VALUES(?1,?2,?3,?4,NULL)");
    s.bind(1, c.serial).bind(2, c.agent_id).bind(3, c.issued_ns).bind(4, c.not_after_s).run();
}

// Registers the agent at enrollment (hostname from the request) without touching a record
// that exists already (first_seen and the last sync stay).
void insert_agent_if_missing(sqlite3* db, const AgentRecord& a) {
    Stmt s(db,
           "INSERT INTO agents(agent_id, hostname, os, kernel, agent_version, info, first_seen_ns, last_seen_ns) "
           "VALUES(?1,?2,?3,?4,?5,?6,?7,?7) ON CONFLICT(agent_id) DO NOTHING");
    s.bind(1, a.agent_id).bind(2, a.hostname).bind(3, a.os).bind(4, a.kernel).bind(5, a.agent_version);
    s.bind(6, a.info_json).bind(7, a.last_seen_ns).run();
}

}  // namespace

void SqliteStorage::create_trust_schema() { exec(writer_, kTrustSchema); }

EnrollOutcome SqliteStorage::enroll_agent(const std::string& token_sha256, const AgentCertificate& cert,
                                          const AgentRecord& agent, int64_t now_ns) {
    std::lock_guard lock(write_mutex_);
    Transaction tx(writer_);
    Stmt use(writer_,
             "UPDATE enrollment_tokens SET uses = uses + 1 WHERE token_sha256=?1 AND uses < max_uses AND "
             "expires_ns > ?2");
    use.bind(1, token_sha256).bind(2, now_ns).run();
    if (sqlite3_changes(writer_) == 0) return EnrollOutcome::bad_token;
    Stmt active(writer_,
                "SELECT COUNT(*) FROM agent_certificates WHERE agent_id=?1 AND revoked_ns IS NULL AND "
                "not_after_s > ?2");
    active.bind(1, cert.agent_id).bind(2, now_ns / 1000000000);
    if (active.step() && active.i64(0) > 0) return EnrollOutcome::already_enrolled;  // rolled back: no use spent
    active.reset();
    insert_cert(writer_, cert);
    insert_agent_if_missing(writer_, agent);
    tx.commit();
    return EnrollOutcome::enrolled;
}

void SqliteStorage::add_certificate(const AgentCertificate& cert) {
    std::lock_guard lock(write_mutex_);
    insert_cert(writer_, cert);
}

std::vector<AgentCertificate> SqliteStorage::certificates(const std::string& agent_id) {
    std::lock_guard lock(read_mutex_);
    Stmt s(reader_, std::string("SELECT ") + kCertColumns +
                        " FROM agent_certificates WHERE agent_id=?1 ORDER BY issued_ns, serial");
    s.bind(1, agent_id);
    std::vector<AgentCertificate> out;
    while (s.step()) out.push_back(read_cert(s));
    return out;
}

std::vector<std::string> SqliteStorage::revoked_serials() {
    std::lock_guard lock(read_mutex_);
    Stmt s(reader_, "SELECT serial FROM agent_certificates WHERE revoked_ns IS NOT NULL");
    std::vector<std::string> out;
    while (s.step()) out.push_back(s.text(0));
    return out;
}

RevokeOutcome SqliteStorage::revoke_agent(const std::string& agent_id, int64_t now_ns) {
    std::lock_guard lock(write_mutex_);
    Transaction tx(writer_);
    RevokeOutcome out;
    Stmt certs(writer_, "UPDATE agent_certificates SET revoked_ns=?2 WHERE agent_id=?1 AND revoked_ns IS NULL");
    certs.bind(1, agent_id).bind(2, now_ns).run();
    out.certificates = static_cast<uint64_t>(sqlite3_changes(writer_));
    Stmt tasks(writer_,
               "UPDATE tasks SET state='cancelled', completed_ns=?2, error='cancelled: agent revoked' WHERE "
               "agent_id=?1 AND state IN ('pending','delivered')");
    tasks.bind(1, agent_id).bind(2, now_ns).run();
    out.cancelled_tasks = static_cast<uint64_t>(sqlite3_changes(writer_));
    tx.commit();
    return out;
}

void SqliteStorage::insert_enrollment(const EnrollmentToken& t) {
    std::lock_guard lock(write_mutex_);
    Stmt s(writer_, std::string("INSERT INTO enrollment_tokens(") + kEnrollColumns + ") VALUES(?1,?2,?3,?4,?5,?6,?7,?8)");
    s.bind(1, t.id).bind(2, t.token_sha256).bind(3, t.role).bind(4, t.max_uses).bind(5, t.uses);
    s.bind(6, t.created_ns).bind(7, t.expires_ns).bind(8, t.created_by).run();
}

std::optional<EnrollmentToken> SqliteStorage::find_enrollment(const std::string& token_sha256) {
    std::lock_guard lock(read_mutex_);
    Stmt s(reader_, std::string("SELECT ") + kEnrollColumns + " FROM enrollment_tokens WHERE token_sha256=?1");
    s.bind(1, token_sha256);
    if (!s.step()) return std::nullopt;
    return read_enrollment(s);
}

std::vector<EnrollmentToken> SqliteStorage::list_enrollments() {
    std::lock_guard lock(read_mutex_);
    Stmt s(reader_, std::string("SELECT ") + kEnrollColumns + " FROM enrollment_tokens ORDER BY created_ns, id");
    std::vector<EnrollmentToken> out;
    while (s.step()) out.push_back(read_enrollment(s));
    return out;
}

bool SqliteStorage::add_operator(const OperatorRecord& op) {
    std::lock_guard lock(write_mutex_);
    Stmt s(writer_,
           "INSERT INTO operators(name, role, token_sha256, created_ns) VALUES(?1,?2,?3,?4) ON CONFLICT DO NOTHING");
    s.bind(1, op.name).bind(2, op.role).bind(3, op.token_sha256).bind(4, op.created_ns).run();
    return sqlite3_changes(writer_) > 0;
}

bool SqliteStorage::remove_operator(const std::string& name) {
    std::lock_guard lock(write_mutex_);
    Stmt s(writer_, "DELETE FROM operators WHERE name=?1");
    s.bind(1, name).run();
    return sqlite3_changes(writer_) > 0;
}

std::optional<OperatorRecord> SqliteStorage::find_operator_by_token(const std::string& token_sha256) {
    std::lock_guard lock(read_mutex_);
    Stmt s(reader_, "SELECT name, role, token_sha256, created_ns FROM operators WHERE token_sha256=?1");
    s.bind(1, token_sha256);
    if (!s.step()) return std::nullopt;
    return OperatorRecord{s.text(0), s.text(1), s.text(2), s.i64(3)};
}

std::vector<OperatorRecord> SqliteStorage::list_operators() {
    std::lock_guard lock(read_mutex_);
    Stmt s(reader_, "SELECT name, role, token_sha256, created_ns FROM operators ORDER BY name");
    std::vector<OperatorRecord> out;
    while (s.step()) out.push_back(OperatorRecord{s.text(0), s.text(1), s.text(2), s.i64(3)});
    return out;
}

void SqliteStorage::append_audit(const AuditRecord& a) {
    std::lock_guard lock(write_mutex_);
    Stmt s(writer_,
           "INSERT INTO audit(time_ns, actor, role, source, action, target, detail, outcome) "
           "VALUES(?1,?2,?3,?4,?5,?6,?7,?8)");
    s.bind(1, a.time_ns).bind(2, a.actor).bind(3, a.role).bind(4, a.source).bind(5, a.action);
    s.bind(6, a.target).bind(7, a.detail).bind(8, a.outcome).run();
}

std::vector<AuditRecord> SqliteStorage::query_audit(const AuditQuery& q) {
    std::string sql =
        "SELECT id, time_ns, actor, role, source, action, target, detail, outcome FROM audit WHERE time_ns >= ?1";
    if (q.actor) sql += " AND actor = ?2";
    sql += " ORDER BY id DESC LIMIT " + std::to_string(std::max<uint32_t>(q.limit, 1));
    std::lock_guard lock(read_mutex_);
    Stmt s(reader_, sql);
    s.bind(1, q.since_ns.value_or(0));
    if (q.actor) s.bind(2, *q.actor);
    std::vector<AuditRecord> out;
    while (s.step())
        out.push_back(AuditRecord{s.i64(0), s.i64(1), s.text(2), s.text(3), s.text(4), s.text(5), s.text(6),
                                  s.text(7), s.text(8)});
    return {out.rbegin(), out.rend()};  // oldest first
}

}  // namespace vigil::central
