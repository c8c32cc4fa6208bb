// PgStorage's schema: numbered migrations applied in order, each once, recorded in
// vigil_schema. Every node runs them at start (and `vigil-central migrate` on demand) under
// an advisory lock, so nodes starting together do not race; a database migrated by a newer
// vigil-central is refused instead of being written with an older idea of its tables.
#include <stdexcept>
#include <string>
#include <vector>

#include "pg_storage.hpp"
#include "time_spec.hpp"

namespace vigil::central {
namespace {

// Text columns compare byte-wise (COLLATE "C"), like SQLite: ordering and case folding do not
// depend on the locale the database was created with.
constexpr const char* kVersion1 = R"sql(
CREATE TABLE agents(
  agent_id text COLLATE "C" PRIMARY KEY, hostname text COLLATE "C" NOT NULL, os text NOT NULL,
  kernel text NOT NULL, agent_version text NOT NULL, info text NOT NULL, first_seen_ns bigint NOT NULL,
  last_seen_ns bigint NOT NULL, isolated boolean NOT NULL DEFAULT false, search text NOT NULL DEFAULT '');
CREATE INDEX agents_order ON agents(hostname, agent_id);
CREATE INDEX agents_seen ON agents(last_seen_ns);
CREATE TABLE agent_labels(
  agent_id text COLLATE "C" PRIMARY KEY, tags text NOT NULL, note text NOT NULL, updated_ns bigint NOT NULL,
  updated_by text NOT NULL);
CREATE TABLE batches(
  agent_id text COLLATE "C" NOT NULL, batch_seq bigint NOT NULL, received_ns bigint NOT NULL,
  event_count bigint NOT NULL, PRIMARY KEY(agent_id, batch_seq));
CREATE INDEX batches_received ON batches(received_ns);
CREATE SEQUENCE events_id_seq;
-- Partitioned by the server's receive time (agent clocks are untrusted), one partition a day,
-- so retention drops whole partitions instead of deleting rows.
CREATE TABLE events(
  id bigint NOT NULL DEFAULT nextval('events_id_seq'), agent_id text COLLATE "C" NOT NULL,
  batch_seq bigint NOT NULL, received_ns bigint NOT NULL, type text COLLATE "C" NOT NULL,
  class_uid bigint NOT NULL, time_ns bigint NOT NULL, raw text NOT NULL) PARTITION BY RANGE (received_ns);
CREATE INDEX events_agent_time ON events(agent_id, time_ns);
CREATE INDEX events_type_time ON events(type, time_ns);
CREATE INDEX events_time ON events(time_ns);
CREATE INDEX events_id ON events(id);
CREATE TABLE tasks(
  id text COLLATE "C" PRIMARY KEY, agent_id text COLLATE "C" NOT NULL, type text NOT NULL, args text NOT NULL,
  timeout_s bigint NOT NULL, state text NOT NULL, created_ns bigint NOT NULL, delivered_ns bigint NOT NULL DEFAULT 0,
  delivery_count bigint NOT NULL DEFAULT 0, completed_ns bigint NOT NULL DEFAULT 0, result text, error text,
  file_path text, file_size bigint, file_sha256 text, signature text, created_by text NOT NULL DEFAULT '');
CREATE INDEX tasks_agent_state ON tasks(agent_id, state, created_ns);
CREATE INDEX tasks_state_created ON tasks(state, created_ns);
CREATE TABLE agent_certificates(
  serial text COLLATE "C" PRIMARY KEY, agent_id text COLLATE "C" NOT NULL, issued_ns bigint NOT NULL,
  not_after_s bigint NOT NULL, revoked_ns bigint);
CREATE INDEX agent_certificates_agent ON agent_certificates(agent_id);
CREATE TABLE enrollment_tokens(
  id text COLLATE "C" PRIMARY KEY, token_sha256 text NOT NULL UNIQUE, role text NOT NULL, max_uses bigint NOT NULL,
  uses bigint NOT NULL DEFAULT 0, created_ns bigint NOT NULL, expires_ns bigint NOT NULL, created_by text NOT NULL);
CREATE TABLE operators(
  name text COLLATE "C" PRIMARY KEY, role text NOT NULL, token_sha256 text NOT NULL UNIQUE,
  created_ns bigint NOT NULL);
CREATE TABLE audit(
  id bigserial PRIMARY KEY, time_ns bigint NOT NULL, actor text NOT NULL, role text NOT NULL, source text NOT NULL,
  action text NOT NULL, target text NOT NULL, detail text NOT NULL, outcome text NOT NULL);
CREATE INDEX audit_time ON audit(time_ns);
CREATE FUNCTION vigil_append_only() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit
  FOR EACH STATEMENT EXECUTE FUNCTION vigil_append_only();
CREATE TABLE detection_triage(
  id bigserial PRIMARY KEY, event_id bigint NOT NULL, time_ns bigint NOT NULL, actor text NOT NULL,
  status text NOT NULL, assignee text NOT NULL, reason text NOT NULL, note text NOT NULL);
CREATE INDEX detection_triage_event ON detection_triage(event_id, id);
CREATE TRIGGER detection_triage_append_only BEFORE UPDATE ON detection_triage
  FOR EACH STATEMENT EXECUTE FUNCTION vigil_append_only();
CREATE TABLE console_sessions(
  id_sha256 text COLLATE "C" PRIMARY KEY, operator text NOT NULL, role text NOT NULL, token_sha256 text NOT NULL,
  csrf_token text NOT NULL, created_ns bigint NOT NULL, last_seen_ns bigint NOT NULL, expires_ns bigint NOT NULL);
CREATE INDEX console_sessions_seen ON console_sessions(last_seen_ns);
CREATE INDEX console_sessions_token ON console_sessions(token_sha256);
-- Removing an operator ends its console sessions, whichever node (or CLI) removes it.
CREATE FUNCTION vigil_operator_removed() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN DELETE FROM console_sessions WHERE token_sha256 = OLD.token_sha256; RETURN OLD; END $$;
CREATE TRIGGER operators_removed AFTER DELETE ON operators FOR EACH ROW EXECUTE FUNCTION vigil_operator_removed();
)sql";

// Index i holds the migration to version i + 1. Append only; never edit a released one.
const std::vector<const char*> kMigrations = {kVersion1};

// Any constant: the advisory lock the nodes take around migrations (and partition changes).
constexpr int64_t kSchemaLock = 0x76696769'6c000001;

}  // namespace

int PgStorage::latest_schema_version() { return static_cast<int>(kMigrations.size()); }

PgStorage::MigrateResult PgStorage::migrate() {
    auto c = pool_->get();
    pg::Transaction tx(*c);
    c->exec("SELECT pg_advisory_xact_lock($1)", pg::Params().add(kSchemaLock));
    c->run("CREATE TABLE IF NOT EXISTS vigil_schema(version integer PRIMARY KEY, applied_ns bigint NOT NULL)");
    auto r = c->exec("SELECT coalesce(max(version), 0) FROM vigil_schema");
    MigrateResult out;
    out.from = static_cast<int>(r.i64(0, 0));
    if (out.from > latest_schema_version())
        throw std::runtime_error("postgresql: the database schema is version " + std::to_string(out.from) +
                                 ", newer than this vigil-central knows (" + std::to_string(latest_schema_version()) +
                                 "): upgrade vigil-central");
    for (int v = out.from + 1; v <= latest_schema_version(); ++v) {
        c->run(kMigrations[static_cast<size_t>(v - 1)]);
        c->exec("INSERT INTO vigil_schema(version, applied_ns) VALUES($1, $2)",
                pg::Params().add(int64_t{v}).add(now_ns()));
    }
    tx.commit();
    out.to = latest_schema_version();
    return out;
}

int PgStorage::schema_version() {
    auto c = pool_->get();
    auto r = c->exec("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'vigil_schema'");
    if (r.i64(0, 0) == 0) return 0;
    return static_cast<int>(c->exec("SELECT coalesce(max(version), 0) FROM vigil_schema").i64(0, 0));
}

}  // namespace vigil::central
