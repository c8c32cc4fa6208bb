// PgStorage, event partitions: one per day of the server's receive time (UTC), named
// events_YYYYMMDD, created the first time a node stores a batch for that day (with the next
// day, so midnight does not wait for DDL), and dropped whole once older than retention_days —
// a DROP TABLE instead of a DELETE of millions of rows and the VACUUM after it.
#include <ctime>
#include <optional>
#include <stdexcept>
#include <string>

#include "pg_storage.hpp"
#include "time_spec.hpp"

namespace vigil::central {
namespace {

constexpr int64_t kDayNs = 86400LL * 1000000000LL;

int64_t day_of(int64_t ns) { return ns >= 0 ? ns / kDayNs : -((-ns + kDayNs - 1) / kDayNs); }

std::string partition_name(int64_t day) {
    const time_t t = static_cast<time_t>(day * 86400);
    struct tm tm {};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "events_%Y%m%d", &tm);
    return buf;
}

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
    if (new_day) drop_expired_partitions(now_ns());
}

void PgStorage::forget_partition(int64_t received_ns) {
    std::lock_guard lock(partitions_mutex_);
    partition_days_.erase(day_of(received_ns));
}

int PgStorage::drop_expired_partitions(int64_t now) {
    if (options_.retention_days <= 0) return 0;
    // Events received before `cutoff` are past retention; a partition goes when all of its day is.
    const int64_t cutoff = now - int64_t{options_.retention_days} * kDayNs;
    auto c = pool_->get();
    auto r = c->exec(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'events'::regclass ORDER BY c.relname");
    int dropped = 0;
    for (int i = 0; i < r.rows(); ++i) {
        const std::string name = r.text(i, 0);
        auto day = partition_day(name);
        if (!day || (*day + 1) * kDayNs > cutoff) continue;
        pg::Transaction tx(*c);
        c->exec("SELECT pg_advisory_xact_lock($1)", pg::Params().add(kPartitionLock));
        c->run("DROP TABLE IF EXISTS " + name);
        // The batches' keys go with their events: stats count events through them.
        c->exec("DELETE FROM batches WHERE received_ns < $1", pg::Params().add((*day + 1) * kDayNs));
        tx.commit();
        ++dropped;
        std::lock_guard lock(partitions_mutex_);
        partition_days_.erase(*day);
    }
    return dropped;
}

}  // namespace vigil::central
