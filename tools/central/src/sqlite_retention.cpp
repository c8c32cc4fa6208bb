// SqliteStorage, retention and size: events are removed by receive day (storage.retention_days)
// and oldest first beyond storage.max_database_gb, a chunk of ids per transaction, so a batch
// being stored waits for one chunk at most. Each event's words leave the word index with it.
// Event ids grow in receive order, so a receive day is a range of ids (table event_days).
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <limits>

#include "event_text.hpp"
#include "receive_day.hpp"
#include "sqlite_storage.hpp"
#include "sqlite_util.hpp"
#include "time_spec.hpp"

namespace vigil::central {

using namespace sqlite;

namespace {

constexpr int64_t kChunkIds = 2000;       // events removed per transaction
constexpr int64_t kChunkBatches = 5000;   // batch keys removed per transaction
constexpr const char* kVacuumStep = "PRAGMA incremental_vacuum(2048)";  // 32 MiB of 16 KiB pages

uint64_t file_bytes(const std::string& path) {
    std::error_code ec;
    const auto n = std::filesystem::file_size(path, ec);
    return ec ? 0 : static_cast<uint64_t>(n);
}

constexpr const char* kRetentionSchema = R"sql(
CREATE TABLE IF NOT EXISTS event_days(
  day INTEGER PRIMARY KEY, first_id INTEGER NOT NULL, last_id INTEGER NOT NULL, events INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS batches_received ON batches(received_ns);
)sql";

}  // namespace

struct SqliteStorage::DayMark {
    int64_t day = 0;
    int64_t first_id = 0;
    int64_t last_id = 0;
};

void SqliteStorage::create_retention_schema() {
    exec(writer_, kRetentionSchema);
    // A database from before receive days were kept: its events become one day, that of the
    // newest batch, so none of them goes sooner than the newest would.
    Stmt old(writer_,
             "SELECT (SELECT count(*) FROM event_days), (SELECT min(id) FROM events), (SELECT max(id) FROM events), "
             "(SELECT count(*) FROM events), (SELECT max(received_ns) FROM batches)");
    if (old.step() && old.i64(0) == 0 && !old.is_null(1)) {
        const int64_t received = old.is_null(4) ? now_ns() : old.i64(4);
        Stmt mark(writer_, "INSERT INTO event_days(day, first_id, last_id, events) VALUES(?1,?2,?3,?4)");
        mark.bind(1, day_of(received)).bind(2, old.i64(1)).bind(3, old.i64(2)).bind(4, old.i64(3)).run();
    }
    note_day_ = std::make_unique<Stmt>(
        writer_,
        "INSERT INTO event_days(day, first_id, last_id, events) VALUES(?1,?2,?3,?4) ON CONFLICT(day) DO UPDATE "
        "SET last_id=max(last_id, excluded.last_id), events=events+excluded.events");
    newest_day_ = static_cast<int64_t>(count_rows(writer_, "SELECT coalesce(max(day), 0) FROM event_days"));
}

// In store_batch's transaction. A batch received just before midnight but stored after one
// from the next day counts to the later day: the id ranges of days never overlap.
void SqliteStorage::note_receive_day(int64_t received_ns, int64_t first_id, int64_t last_id, int64_t events) {
    newest_day_ = std::max(newest_day_, day_of(received_ns));
    note_day_->bind(1, newest_day_).bind(2, first_id).bind(3, last_id).bind(4, events).run();
}

std::optional<SqliteStorage::DayMark> SqliteStorage::oldest_day() {
    std::lock_guard lock(write_mutex_);
    Stmt s(writer_, "SELECT day, first_id, last_id FROM event_days ORDER BY day LIMIT 1");
    if (!s.step()) return std::nullopt;
    return DayMark{s.i64(0), s.i64(1), s.i64(2)};
}

// One transaction: the next chunk of the day's ids (at most max_events), their words in the
// index, and the day's mark (re-read here: ingestion may have extended the newest day). True
// when the day has no ids left; its mark is gone then.
bool SqliteStorage::drop_events(DayMark& day, uint64_t max_events, RetentionReport& report) {
    std::lock_guard lock(write_mutex_);
    Transaction tx(writer_);
    {
        Stmt mark(writer_, "SELECT first_id, last_id FROM event_days WHERE day=?1");
        mark.bind(1, day.day);
        if (!mark.step()) return true;
        day.first_id = mark.i64(0);
        day.last_id = mark.i64(1);
    }
    const int64_t n_ids = std::min<int64_t>(kChunkIds, static_cast<int64_t>(std::min<uint64_t>(max_events, kChunkIds)));
    const int64_t hi = std::min(day.last_id, day.first_id + n_ids - 1);
    if (options_.text_index) {
        Stmt rows(writer_, "SELECT id, raw FROM events WHERE id BETWEEN ?1 AND ?2");
        Stmt unindex(writer_, "INSERT INTO events_text(events_text, rowid, text) VALUES('delete', ?1, ?2)");
        rows.bind(1, day.first_id).bind(2, hi);
        while (rows.step()) {
            std::string text;
            try {
                text = event_index_text(rows.text(1));
            } catch (const std::runtime_error&) {
                continue;  // never stored by this server: it indexed nothing for it
            }
            unindex.bind(1, rows.i64(0)).bind_static(2, text).run();
        }
    }
    Stmt del(writer_, "DELETE FROM events WHERE id BETWEEN ?1 AND ?2");
    del.bind(1, day.first_id).bind(2, hi).run();
    const auto removed = static_cast<uint64_t>(sqlite3_changes(writer_));
    day.first_id = hi + 1;
    const bool done = day.first_id > day.last_id;
    Stmt mark(writer_, done ? "DELETE FROM event_days WHERE day=?1"
                            : "UPDATE event_days SET first_id=?2, events=max(events-?3, 0) WHERE day=?1");
    mark.bind(1, day.day);
    if (!done) mark.bind(2, day.first_id).bind(3, static_cast<int64_t>(removed));
    mark.run();
    tx.commit();
    stored_events_ -= std::min<uint64_t>(removed, stored_events_.load());
    report.events += removed;
    return done;
}

// The idempotency keys of batches received before `before_ns` (their events are gone).
void SqliteStorage::drop_batch_keys(int64_t before_ns, RetentionReport& report) {
    for (;;) {
        std::lock_guard lock(write_mutex_);
        Stmt del(writer_,
                 "DELETE FROM batches WHERE (agent_id, batch_seq) IN (SELECT agent_id, batch_seq FROM batches "
                 "WHERE received_ns < ?1 LIMIT ?2)");
        del.bind(1, before_ns).bind(2, kChunkBatches).run();
        const auto n = static_cast<uint64_t>(sqlite3_changes(writer_));
        stored_batches_ -= std::min<uint64_t>(n, stored_batches_.load());
        report.batches += n;
        if (n < static_cast<uint64_t>(kChunkBatches)) return;
    }
}

// Days wholly received before now - retention_days, oldest first.
void SqliteStorage::drop_expired_days(int64_t now, int64_t deadline_ns, RetentionReport& report) {
    const int64_t cutoff = now - int64_t{options_.retention_days} * kDayNs;
    const int64_t last_expired = day_of(cutoff) - 1;
    while (auto day = oldest_day()) {
        if (day->day > last_expired) break;
        while (!drop_events(*day, std::numeric_limits<uint64_t>::max(), report)) {
            if (now_ns() > deadline_ns) return void(report.more = true);
        }
        ++report.days;
    }
    drop_batch_keys((last_expired + 1) * kDayNs, report);
}

// Pages holding data, from the file header (free pages are reused before the file grows).
uint64_t SqliteStorage::used_bytes() {
    std::lock_guard lock(write_mutex_);
    const uint64_t pages = count_rows(writer_, "PRAGMA page_count");
    const uint64_t free = count_rows(writer_, "PRAGMA freelist_count");
    return (pages - std::min(pages, free)) * count_rows(writer_, "PRAGMA page_size");
}

// Beyond max_database_bytes: the oldest events, as many as the average event size says bring
// the data down to 90 % of the limit (pages are freed as whole pages empty, so the size is
// measured again by the next pass rather than after every chunk).
void SqliteStorage::drop_over_size(int64_t deadline_ns, RetentionReport& report) {
    const uint64_t used = used_bytes();
    if (used <= options_.max_database_bytes) return;
    const uint64_t per_event = std::max<uint64_t>(used / std::max<uint64_t>(stored_events_.load(), 1), 1);
    uint64_t want = (used - options_.max_database_bytes / 10 * 9) / per_event + 1;
    while (want > 0) {
        auto day = oldest_day();
        if (!day) return;
        const uint64_t before = report.events;
        const bool done = drop_events(*day, want, report);
        const uint64_t removed = report.events - before;
        report.over_size += removed;
        want -= std::min(want, removed);
        if (done && day->day < newest_day()) drop_batch_keys((day->day + 1) * kDayNs, report);
        if (now_ns() > deadline_ns) return void(report.more = true);
    }
}

int64_t SqliteStorage::newest_day() {
    std::lock_guard lock(write_mutex_);
    return newest_day_;
}

// With auto_vacuum=INCREMENTAL (databases made since retention exists) free pages go back to
// the file system a step at a time: when the file is over the size limit, or a quarter free.
void SqliteStorage::release_free_pages(int64_t deadline_ns) {
    while (now_ns() <= deadline_ns) {
        std::lock_guard lock(write_mutex_);
        if (count_rows(writer_, "PRAGMA auto_vacuum") != 2) return;
        const uint64_t pages = count_rows(writer_, "PRAGMA page_count");
        const uint64_t free = count_rows(writer_, "PRAGMA freelist_count");
        const uint64_t bytes = pages * count_rows(writer_, "PRAGMA page_size");
        const bool over = options_.max_database_bytes > 0 && bytes > options_.max_database_bytes;
        if (free == 0 || (!over && free * 4 <= pages)) return;
        exec(writer_, kVacuumStep);
    }
}

RetentionReport SqliteStorage::enforce_retention(int64_t now) {
    std::lock_guard guard(retention_mutex_);
    RetentionReport r;
    const int64_t deadline = now_ns() + int64_t{options_.retention_pass_ms} * 1000000;
    if (options_.retention_days > 0) drop_expired_days(now, deadline, r);
    if (!r.more && options_.max_database_bytes > 0) drop_over_size(deadline, r);
    if (!r.more) release_free_pages(deadline);
    std::lock_guard lock(read_mutex_);
    dropped_ += r;
    return r;
}

StorageSizes SqliteStorage::sizes() {
    StorageSizes z;
    z.engine = "sqlite";
    if (std::filesystem::exists(options_.path + "-wal")) z.wal_bytes = file_bytes(options_.path + "-wal");
    std::lock_guard lock(read_mutex_);
    // As of the last commit (the file itself catches up when the WAL is copied back into it).
    const uint64_t page = count_rows(reader_, "PRAGMA page_size");
    z.database_bytes = count_rows(reader_, "PRAGMA page_count") * page;
    z.free_bytes = count_rows(reader_, "PRAGMA freelist_count") * page;
    Stmt s(reader_, "SELECT day, events FROM event_days ORDER BY day");
    while (s.step()) z.days.push_back(DaySize{format_day(s.i64(0), "%Y-%m-%d"), static_cast<uint64_t>(s.i64(1)), false, std::nullopt});
    z.dropped = dropped_;
    return z;
}

}  // namespace vigil::central
