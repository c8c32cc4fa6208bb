// PgStorage, event partitions: one per day of the server's receive time (UTC), named
// events_YYYYMMDD, created the first time a node stores a batch for that day (with the next
// day, so midnight does not wait for DDL), and dropped whole once older than retention_days —
// a DROP TABLE instead of a DELETE of millions of rows and the VACUUM after it.
#include <ctime>
#include <optional>
#include <stdexcept>
#include <string>

#include "pg_storage.hpp"
#include "receive_day.hpp"
#include "time_spec.hpp"

namespace vigil::central {
namespace {

std::string partition_name(int64_t day) { return format_day(day, "events_%Y%m%d"); }

// The day of a partition name made by partition_name, or nullopt for any other table.
std::optional<int64_t> partition_day(const std::string& name) {
    if (name.size() != 15 || name.rfind("events_", 0) != 0 ||
        name.find_first_not_of("0123456789", 7) != std::string::npos)
        return std::nullopt;
    struct tm tm {};
    tm.tm_year = std::stoi(name.substr(7, 4)) - 1900;
    tm.tm_mon = std::stoi(name.substr(11, 2)) - 1;
    tm.tm_mday = std::stoi(name.substr(13, 2));
    return static_cast<int64_t>(timegm(&tm)) / 86400;
}

// Partition DDL from several nodes is serialized by this advisory lock (CREATE ... IF NOT
// EXISTS alone can still fail when two sessions create the same table at once).
constexpr int64_t kPartitionLock = 0x76696769'6c000002;

}  // namespace

void PgStorage::ensure_partition(int64_t received_ns) {
    const int64_t day = day_of(received_ns);
    bool new_day = false;
    {
        std::lock_guard lock(partitions_mutex_);
        if (partition_days_.count(day)) return;
        new_day = partition_days_.empty() || day > *partition_days_.rbegin();
    }
    {
        auto c = pool_->get();
        pg::Transaction tx(*c);
        c->exec("SELECT pg_advisory_xact_lock($1)", pg::Params().add(kPartitionLock));
        for (int64_t d : {day, day + 1}) {
            c->run("CREATE TABLE IF NOT EXISTS " + partition_name(d) + " PARTITION OF events FOR VALUES FROM (" +
                   std::to_string(d * kDayNs) + ") TO (" + std::to_string((d + 1) * kDayNs) + ")");
        }
        tx.commit();
    }
    {
        std::lock_guard lock(partitions_mutex_);
        partition_days_.insert(day);
        partition_days_.insert(day + 1);
    }
    if (new_day) enforce_retention(now_ns());
}

void PgStorage::forget_partition(int64_t received_ns) {
    std::lock_guard lock(partitions_mutex_);
    partition_days_.erase(day_of(received_ns));
}

int PgStorage::drop_expired_partitions(int64_t now) {
    RetentionReport report;
    drop_expired(now, report);
    return static_cast<int>(report.days);
}

RetentionReport PgStorage::enforce_retention(int64_t now) {
    RetentionReport report;
    drop_expired(now, report);
    std::lock_guard lock(partitions_mutex_);
    dropped_ += report;
    return report;
}

void PgStorage::drop_expired(int64_t now, RetentionReport& report) {
    if (options_.retention_days <= 0) return;
    // Events received before `cutoff` are past retention; a partition goes when all of its day is.
    const int64_t cutoff = now - int64_t{options_.retention_days} * kDayNs;
    auto c = pool_->get();
    auto r = c->exec(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'events'::regclass ORDER BY c.relname");
    for (int i = 0; i < r.rows(); ++i) {
        const std::string name = r.text(i, 0);
        auto day = partition_day(name);
        if (!day || (*day + 1) * kDayNs > cutoff) continue;
        pg::Transaction tx(*c);
        c->exec("SELECT pg_advisory_xact_lock($1)", pg::Params().add(kPartitionLock));
        c->run("DROP TABLE IF EXISTS " + name);
        // The batches' keys go with their events: stats count events through them.
        auto gone = c->exec(
            "WITH d AS (DELETE FROM batches WHERE received_ns < $1 RETURNING event_count) "
            "SELECT count(*), coalesce(sum(event_count), 0) FROM d",
            pg::Params().add((*day + 1) * kDayNs));
        tx.commit();
        report.batches += static_cast<uint64_t>(gone.i64(0, 0));
        report.events += static_cast<uint64_t>(gone.i64(0, 1));
        ++report.days;
        std::lock_guard lock(partitions_mutex_);
        partition_days_.erase(*day);
    }
}

// Sizes from the catalog: no scan of the events (row counts are the planner's estimates).
StorageSizes PgStorage::sizes() {
    StorageSizes z;
    z.engine = "postgresql";
    auto c = pool_->get();
    z.database_bytes = static_cast<uint64_t>(c->exec("SELECT pg_database_size(current_database())").i64(0, 0));
    auto r = c->exec(
        "SELECT c.relname, greatest(c.reltuples, 0)::bigint, pg_total_relation_size(c.oid) FROM pg_inherits i "
        "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'events'::regclass ORDER BY c.relname");
    for (int i = 0; i < r.rows(); ++i) {
        const std::string name = r.text(i, 0);
        if (!partition_day(name)) continue;
        z.days.push_back(DaySize{name.substr(7, 4) + "-" + name.substr(11, 2) + "-" + name.substr(13, 2),
                                 static_cast<uint64_t>(r.i64(i, 1)), true, static_cast<uint64_t>(r.i64(i, 2))});
    }
    std::lock_guard lock(partitions_mutex_);
    z.dropped = dropped_;
    return z;
}

}  // namespace vigil::central
