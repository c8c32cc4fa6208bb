#pragma once
// Enforces storage.retention_days (and SQLite's storage.max_database_gb) in the background,
// every storage.retention_check_s: one Storage::enforce_retention pass after another until
// one finishes within its time budget, logging what each removed. Stops (and joins) on
// destruction, between two passes.
#include <vigil/common/periodic_thread.hpp>

#include <atomic>
#include <cstdint>

#include "storage.hpp"

namespace vigil::central {

class RetentionKeeper {
public:
    RetentionKeeper(Storage& storage, int check_s);
    ~RetentionKeeper();
    RetentionKeeper(const RetentionKeeper&) = delete;
    RetentionKeeper& operator=(const RetentionKeeper&) = delete;

private:
    void check();
    Storage& storage_;
    std::atomic<bool> stopping_{false};
    common::PeriodicThread thread_;  // last: runs check() on the members above
};

}  // namespace vigil::central
