// PgStorage, what the web console keeps: sessions (only the SHA-256 of an id; a trigger ends
// an operator's sessions when the operator is removed) and the append-only detection triage.
#include "pg_storage.hpp"

namespace vigil::central {

using pg::Params;

namespace {

constexpr const char* kSessionColumns =
    "id_sha256, operator, role, token_sha256, csrf_token, created_ns, last_seen_ns, expires_ns";

}  // namespace

void PgStorage::insert_session(const SessionRecord& s, int64_t idle_before_ns, uint64_t max_sessions) {
    auto c = pool_->get();
    pg::Transaction tx(*c);
    // Nodes adding sessions at once would each see room for one more: one at a time.
    c->run("LOCK TABLE console_sessions IN SHARE ROW EXCLUSIVE MODE");
    c->exec("DELETE FROM console_sessions WHERE expires_ns <= $1 OR last_seen_ns < $2",
            Params().add(s.created_ns).add(idle_before_ns));
    const auto stored = static_cast<uint64_t>(c->exec("SELECT count(*) FROM console_sessions").i64(0, 0));
    if (stored >= max_sessions) {
        c->exec("DELETE FROM console_sessions WHERE id_sha256 IN (SELECT id_sha256 FROM console_sessions "
                "ORDER BY last_seen_ns LIMIT $1)",
                Params().add(static_cast<int64_t>(stored - max_sessions + 1)));
    }
    c->exec(std::string("INSERT INTO console_sessions(") + kSessionColumns + ") VALUES($1,$2,$3,$4,$5,$6,$7,$8)",
            Params().add(s.id_sha256).add(s.operator_name).add(s.role).add(s.token_sha256).add(s.csrf_token)
                .add(s.created_ns).add(s.last_seen_ns).add(s.expires_ns));
    tx.commit();
}

std::optional<SessionRecord> PgStorage::find_session(const std::string& id_sha256) {
    auto c = pool_->get();
    auto r = c->exec(std::string("SELECT ") + kSessionColumns + " FROM console_sessions WHERE id_sha256 = $1",
                     Params().add(id_sha256));
    if (r.rows() == 0) return std::nullopt;
    return SessionRecord{r.text(0, 0), r.text(0, 1), r.text(0, 2), r.text(0, 3),
                         r.text(0, 4), r.i64(0, 5),  r.i64(0, 6),  r.i64(0, 7)};
}

void PgStorage::touch_session(const std::string& id_sha256, int64_t now) {
    auto c = pool_->get();
    c->exec("UPDATE console_sessions SET last_seen_ns = $2 WHERE id_sha256 = $1 AND last_seen_ns < $2",
            Params().add(id_sha256).add(now));
}

bool PgStorage::delete_session(const std::string& id_sha256) {
    return query("DELETE FROM console_sessions WHERE id_sha256 = $1", Params().add(id_sha256)).affected() > 0;
}

uint64_t PgStorage::count_sessions() {
    auto c = pool_->get();
    return static_cast<uint64_t>(c->exec("SELECT count(*) FROM console_sessions").i64(0, 0));
}

std::optional<int64_t> PgStorage::add_triage(const std::vector<TriageRecord>& records) {
    auto c = pool_->get();
    pg::Transaction tx(*c);
    for (const auto& t : records) {
        auto r = c->exec("SELECT 1 FROM events WHERE id = $1 AND type = 'detection' LIMIT 1", Params().add(t.event_id));
        if (r.rows() == 0) return t.event_id;  // rolled back: none stored
    }
    for (const auto& t : records) {
        c->exec("INSERT INTO detection_triage(event_id, time_ns, actor, status, assignee, reason, note) "
                "VALUES($1,$2,$3,$4,$5,$6,$7)",
                Params().add(t.event_id).add(t.time_ns).add(t.actor).add(t.status).add(t.assignee).add(t.reason)
                    .add(t.note));
    }
    tx.commit();
    return std::nullopt;
}

std::vector<TriageRecord> PgStorage::triage_history(const std::vector<int64_t>& event_ids) {
    std::vector<TriageRecord> out;
    if (event_ids.empty()) return out;
    // One query for all ids ({1,2,3} as a bigint array), in the order they were asked for.
    std::string ids = "{";
    for (size_t i = 0; i < event_ids.size(); ++i) ids += (i ? "," : "") + std::to_string(event_ids[i]);
    ids += "}";
    auto c = pool_->get();
    auto r = c->exec(
        "SELECT t.event_id, t.time_ns, t.actor, t.status, t.assignee, t.reason, t.note FROM detection_triage t "
        "JOIN unnest($1::bigint[]) WITH ORDINALITY AS q(id, n) ON q.id = t.event_id ORDER BY q.n, t.id",
        Params().add(ids));
    for (int i = 0; i < r.rows(); ++i)
        out.push_back(TriageRecord{r.i64(i, 0), r.i64(i, 1), r.text(i, 2), r.text(i, 3), r.text(i, 4), r.text(i, 5),
                                   r.text(i, 6)});
    return out;
}

}  // namespace vigil::central
