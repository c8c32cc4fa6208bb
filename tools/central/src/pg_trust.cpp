// PgStorage, trust data: agent certificates, enrollment tokens, operators and the audit log
// (append-only: a trigger refuses UPDATE, DELETE and TRUNCATE).
#include "pg_storage.hpp"

namespace vigil::central {

using pg::Params;

namespace {

constexpr const char* kCertColumns = "serial, agent_id, issued_ns, not_after_s, revoked_ns";
constexpr const char* kEnrollColumns = "id, token_sha256, role, max_uses, uses, created_ns, expires_ns, created_by";

AgentCertificate read_cert(const pg::Row& r) {
    AgentCertificate c{r.text(0), r.text(1), r.i64(2), r.i64(3), std::nullopt};
    if (!r.is_null(4)) c.revoked_ns = r.i64(4);
    return c;
}

EnrollmentToken read_enrollment(const pg::Row& r) {
    return EnrollmentToken{r.text(0), r.text(1), r.text(2), r.i64(3), r.i64(4), r.i64(5), r.i64(6), r.text(7)};
}

OperatorRecord read_operator(const pg::Row& r) { return OperatorRecord{r.text(0), r.text(1), r.text(2), r.i64(3)}; }

void insert_cert(pg::Conn& c, const AgentCertificate& cert) {
    c.exec(std::string("INSERT INTO agent_certificates(") + kCertColumns + ") VALUES($1,$2,$3,$4,NULL)",
           Params().add(cert.serial).add(cert.agent_id).add(cert.issued_ns).add(cert.not_after_s));
}

}  // namespace

EnrollOutcome PgStorage::enroll_agent(const std::string& token_sha256, const AgentCertificate& cert,
                                      const AgentRecord& agent, int64_t now) {
    auto c = pool_->get();
    pg::Transaction tx(*c);
    auto use = c->exec(
        "UPDATE enrollment_tokens SET uses = uses + 1 WHERE token_sha256=$1 AND uses < max_uses AND expires_ns > $2",
        Params().add(token_sha256).add(now));
    if (use.affected() == 0) return EnrollOutcome::bad_token;
    auto active = c->exec(
        "SELECT count(*) FROM agent_certificates WHERE agent_id=$1 AND revoked_ns IS NULL AND not_after_s > $2",
        Params().add(cert.agent_id).add(now / 1000000000));
    if (active.i64(0, 0) > 0) return EnrollOutcome::already_enrolled;  // rolled back: no use spent
    insert_cert(*c, cert);
    write_agent(*c, agent, true);  // registered at enrollment; an existing record stays
    tx.commit();
    return EnrollOutcome::enrolled;
}

void PgStorage::add_certificate(const AgentCertificate& cert) {
    auto c = pool_->get();
    insert_cert(*c, cert);
}

std::vector<AgentCertificate> PgStorage::certificates(const std::string& agent_id) {
    return pg::all_rows(query(std::string("SELECT ") + kCertColumns +
                                    " FROM agent_certificates WHERE agent_id=$1 ORDER BY issued_ns, serial",
                                Params().add(agent_id)),
                        read_cert);
}

std::vector<std::string> PgStorage::revoked_serials() {
    return pg::all_rows(query("SELECT serial FROM agent_certificates WHERE revoked_ns IS NOT NULL ORDER BY serial"),
                        [](const pg::Row& r) { return r.text(0); });
}

RevokeOutcome PgStorage::revoke_agent(const std::string& agent_id, int64_t now) {
    auto c = pool_->get();
    pg::Transaction tx(*c);
    RevokeOutcome out;
    out.certificates =
        c->exec("UPDATE agent_certificates SET revoked_ns=$2 WHERE agent_id=$1 AND revoked_ns IS NULL",
                Params().add(agent_id).add(now))
            .affected();
    out.cancelled_tasks = c->exec("UPDATE tasks SET state='cancelled', completed_ns=$2, error='cancelled: agent "
                                  "revoked' WHERE agent_id=$1 AND state IN ('pending','delivered')",
                                  Params().add(agent_id).add(now))
                              .affected();
    tx.commit();
    return out;
}

void PgStorage::insert_enrollment(const EnrollmentToken& t) {
    auto c = pool_->get();
    c->exec(std::string("INSERT INTO enrollment_tokens(") + kEnrollColumns + ") VALUES($1,$2,$3,$4,$5,$6,$7,$8)",
            Params().add(t.id).add(t.token_sha256).add(t.role).add(t.max_uses).add(t.uses).add(t.created_ns)
                .add(t.expires_ns).add(t.created_by));
}

std::optional<EnrollmentToken> PgStorage::find_enrollment(const std::string& token_sha256) {
    return pg::first_row(query(std::string("SELECT ") + kEnrollColumns +
                                     " FROM enrollment_tokens WHERE token_sha256=$1",
                                 Params().add(token_sha256)),
                         read_enrollment);
}

std::vector<EnrollmentToken> PgStorage::list_enrollments() {
    auto c = pool_->get();
    return pg::all_rows(
        c->exec(std::string("SELECT ") + kEnrollColumns + " FROM enrollment_tokens ORDER BY created_ns, id"),
        read_enrollment);
}

bool PgStorage::add_operator(const OperatorRecord& op) {
    auto c = pool_->get();
    return c
               ->exec("INSERT INTO operators(name, role, token_sha256, created_ns) VALUES($1,$2,$3,$4) "
                      "ON CONFLICT DO NOTHING",
                      Params().add(op.name).add(op.role).add(op.token_sha256).add(op.created_ns))
               .affected() > 0;
}

bool PgStorage::remove_operator(const std::string& name) {
    return query("DELETE FROM operators WHERE name=$1", Params().add(name)).affected() > 0;
}

std::optional<OperatorRecord> PgStorage::find_operator_by_token(const std::string& token_sha256) {
    return pg::first_row(query("SELECT name, role, token_sha256, created_ns FROM operators WHERE token_sha256=$1",
                                 Params().add(token_sha256)),
                         read_operator);
}

std::vector<OperatorRecord> PgStorage::list_operators() {
    return pg::all_rows(query("SELECT name, role, token_sha256, created_ns FROM operators ORDER BY name"),
                        read_operator);
}

void PgStorage::append_audit(const AuditRecord& a) {
    auto c = pool_->get();
    c->exec("INSERT INTO audit(time_ns, actor, role, source, action, target, detail, outcome) "
            "VALUES($1,$2,$3,$4,$5,$6,$7,$8)",
            Params().add(a.time_ns).add(a.actor).add(a.role).add(a.source).add(a.action).add(a.target).add(a.detail)
                .add(a.outcome));
}

std::vector<AuditRecord> PgStorage::query_audit(const AuditQuery& q) {
    std::string sql =
        "SELECT id, time_ns, actor, role, source, action, target, detail, outcome FROM audit WHERE time_ns >= $1";
    Params p;
    p.add(q.since_ns.value_or(0));
    if (q.actor) {
        sql += " AND actor = $2";
        p.add(*q.actor);
    }
    sql += " ORDER BY id DESC LIMIT " + std::to_string(std::max<uint32_t>(q.limit, 1));
    auto c = pool_->get();
    auto r = c->exec(sql, p);
    std::vector<AuditRecord> out;
    for (int i = r.rows() - 1; i >= 0; --i)  // oldest first
        out.push_back(AuditRecord{r.i64(i, 0), r.i64(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4), r.text(i, 5),
                                  r.text(i, 6), r.text(i, 7), r.text(i, 8)});
    return out;
}

}  // namespace vigil::central
