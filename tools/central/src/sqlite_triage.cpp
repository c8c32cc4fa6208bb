// SqliteStorage, detection triage: every status change of a detection is a new row (the
// history); the current state of a detection is its newest row. Rows are never changed.
#include <sqlite3.h>

#include "sqlite_storage.hpp"
#include "sqlite_util.hpp"

namespace vigil::central {

using namespace sqlite;

void SqliteStorage::create_triage_schema() {
    exec(writer_, R"sql(
CREATE TABLE IF NOT EXISTS detection_triage(
  id INTEGER PRIMARY KEY, event_id INTEGER NOT NULL, time_ns INTEGER NOT NULL, actor TEXT NOT NULL,
  status TEXT NOT NULL, assignee TEXT NOT NULL, reason TEXT NOT NULL, note TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS detection_triage_event ON detection_triage(event_id, id);
CREATE TRIGGER IF NOT EXISTS detection_triage_no_update BEFORE UPDATE ON detection_triage
  BEGIN SELECT RAISE(ABORT, 'triage history is append-only'); END;
)sql");
}

std::optional<int64_t> SqliteStorage::add_triage(const std::vector<TriageRecord>& records) {
    std::lock_guard lock(write_mutex_);
    exec(writer_, "BEGIN IMMEDIATE");
    try {
        Stmt is_detection(writer_, "SELECT 1 FROM events WHERE id = ?1 AND type = 'detection'");
        for (const auto& t : records) {
            is_detection.bind(1, t.event_id);
            const bool found = is_detection.step();
            is_detection.reset();
            if (!found) {
                exec(writer_, "ROLLBACK");
                return t.event_id;
            }
        }
        Stmt s(writer_,
               "INSERT INTO detection_triage(event_id, time_ns, actor, status, assignee, reason, note) "
               "VALUES(?1,?2,?3,?4,?5,?6,?7)");
        for (const auto& t : records) {
            s.bind(1, t.event_id).bind(2, t.time_ns).bind(3, t.actor).bind(4, t.status).bind(5, t.assignee);
            s.bind(6, t.reason).bind(7, t.note).run();
        }
        exec(writer_, "COMMIT");
        return std::nullopt;
    } catch (...) {
        exec(writer_, "ROLLBACK");
        throw;
    }
}

std::vector<TriageRecord> SqliteStorage::triage_history(const std::vector<int64_t>& event_ids) {
    std::vector<TriageRecord> out;
    std::lock_guard lock(read_mutex_);
    Stmt s(reader_,
           "SELECT event_id, time_ns, actor, status, assignee, reason, note FROM detection_triage "
           "WHERE event_id = ?1 ORDER BY id");
    for (int64_t id : event_ids) {
        s.bind(1, id);
        while (s.step()) out.push_back(TriageRecord{s.i64(0), s.i64(1), s.text(2), s.text(3), s.text(4), s.text(5), s.text(6)});
        s.reset();
    }
    return out;
}

}  // namespace vigil::central
