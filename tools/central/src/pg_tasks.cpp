// PgStorage, tasks. Claims lock the rows they hand out (FOR UPDATE SKIP LOCKED) and results
// update only an answerable row, so "delivered once per poll" and "first result wins" hold
// when several central nodes share the database.
#include <algorithm>

#include "pg_storage.hpp"
#include "pg_task_watch.hpp"
#include "storage_rows.hpp"

namespace vigil::central {

using pg::Params;

namespace {

TaskRecord read_task(const pg::Row& r) { return task_from_row(r); }

std::vector<TaskRecord> read_tasks(const pg::Result& r) { return pg::all_rows(r, read_task); }

std::optional<TaskRecord> task_by_id(pg::Conn& c, const std::string& id, const char* lock = "") {
    return pg::first_row(c.exec(std::string("SELECT ") + kTaskColumns + " FROM tasks WHERE id=$1" + lock, Params().add(id)),
                         read_task);
}

}  // namespace

void PgStorage::insert_task(const TaskRecord& t) {
    // One statement: the notification goes out when the row is committed, to every node's
    // PgTaskWatch (pg_task_watch.hpp), which wakes the agent's long poll wherever it waits.
    query(std::string("WITH t AS (INSERT INTO tasks(") + kTaskColumns +
              ") VALUES($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,NULL,NULL,NULL,$13,$14) RETURNING agent_id) "
              "SELECT pg_notify('" + kTaskChannel + "', agent_id) FROM t",
          Params().add(t.id).add(t.agent_id).add(t.type).add(t.args_json).add(t.timeout_s).add(to_string(t.state))
              .add(t.created_ns).add(t.delivered_ns).add(t.delivery_count).add(t.completed_ns).add(t.result_json)
              .add(t.error).add(t.signature_json).add(t.created_by));
}

std::optional<TaskRecord> PgStorage::find_task(const std::string& task_id) {
    auto c = pool_->get();
    return task_by_id(*c, task_id);
}

std::vector<TaskRecord> PgStorage::list_tasks(const std::optional<std::string>& agent_id, uint32_t limit) {
    std::string sql = std::string("SELECT ") + kTaskColumns + " FROM tasks";
    Params p;
    if (agent_id) {
        sql += " WHERE agent_id = $1";
        p.add(*agent_id);
    }
    sql += " ORDER BY created_ns DESC, id LIMIT " + std::to_string(std::max<uint32_t>(limit, 1));
    auto c = pool_->get();
    auto out = read_tasks(c->exec(sql, p));
    std::reverse(out.begin(), out.end());
    return out;
}

std::vector<TaskRecord> PgStorage::claim_tasks(const std::string& agent_id, int64_t now, int64_t redelivery_grace_s,
                                               uint32_t max_tasks) {
    auto c = pool_->get();
    auto out = read_tasks(c->exec(
        std::string("UPDATE tasks SET state='delivered', delivered_ns=$2, delivery_count=delivery_count+1 "
                    "WHERE id IN (SELECT id FROM tasks WHERE agent_id=$1 AND (state='pending' OR (state='delivered' "
                    "AND delivered_ns + (timeout_s + $3) * 1000000000 <= $2)) ORDER BY created_ns, id LIMIT $4 "
                    "FOR UPDATE SKIP LOCKED) RETURNING ") +
            kTaskColumns,
        Params().add(agent_id).add(now).add(redelivery_grace_s).add(static_cast<int64_t>(max_tasks))));
    // RETURNING has no order of its own.
    std::sort(out.begin(), out.end(), [](const TaskRecord& a, const TaskRecord& b) {
        return a.created_ns != b.created_ns ? a.created_ns < b.created_ns : a.id < b.id;
    });
    return out;
}

ResultOutcome PgStorage::complete_task(const std::string& task_id, const std::string& agent_id, bool ok,
                                       const std::optional<std::string>& result_json,
                                       const std::optional<std::string>& error, int64_t now) {
    auto c = pool_->get();
    auto r = c->exec(std::string("UPDATE tasks SET state=$2, result=$3, error=$4, completed_ns=$5 WHERE id=$1 AND "
                                 "agent_id=$6 AND ") +
                         kAnswerable,
                     Params().add(task_id).add(ok ? "done" : "error").add(result_json).add(error).add(now).add(agent_id));
    if (r.affected() > 0) return ResultOutcome::accepted;
    auto t = task_by_id(*c, task_id);
    return t ? unanswerable(*t, agent_id) : ResultOutcome::not_found;
}

AttachOutcome PgStorage::attach_file(const std::string& task_id, const std::string& agent_id, const TaskFile& file) {
    auto c = pool_->get();
    pg::Transaction tx(*c);
    auto t = task_by_id(*c, task_id, " FOR UPDATE");
    if (!t) return {ResultOutcome::not_found, std::nullopt};
    if (!answerable(*t, agent_id)) return {unanswerable(*t, agent_id), std::nullopt};
    c->exec("UPDATE tasks SET file_path=$2, file_size=$3, file_sha256=$4 WHERE id=$1",
            Params().add(task_id).add(file.path).add(static_cast<int64_t>(file.size)).add(file.sha256));
    tx.commit();
    AttachOutcome out{ResultOutcome::accepted, std::nullopt};
    if (t->file && t->file->path != file.path) out.previous_path = t->file->path;
    return out;
}

uint64_t PgStorage::expire_tasks(int64_t created_before_ns, int64_t now) {
    auto c = pool_->get();
    return c
        ->exec("UPDATE tasks SET state='expired', completed_ns=$2 WHERE state IN ('pending','delivered') AND "
               "created_ns < $1",
               Params().add(created_before_ns).add(now))
        .affected();
}

}  // namespace vigil::central
