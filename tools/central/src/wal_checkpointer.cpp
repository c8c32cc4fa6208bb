#include "wal_checkpointer.hpp"

#include <sqlite3.h>

#include <stdexcept>

namespace vigil::central {

WalCheckpointer::WalCheckpointer(sqlite3* writer, Options options) : writer_(writer), options_(std::move(options)) {
    if (sqlite3_open_v2(options_.path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) !=
        SQLITE_OK) {
        std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        throw std::runtime_error("cannot open database " + options_.path + " for checkpoints: " + msg);
    }
    sqlite3_busy_timeout(db_, options_.busy_timeout_ms);
    // A connection finds out that the database is in WAL mode when it first reads it; until
    // then a checkpoint call does nothing.
    if (sqlite3_exec(db_, "PRAGMA schema_version;", nullptr, nullptr, nullptr) != SQLITE_OK) {
        std::string msg = sqlite3_errmsg(db_);
        sqlite3_close(db_);
        throw std::runtime_error("cannot read database " + options_.path + " for checkpoints: " + msg);
    }
    // Replaces SQLite's default hook (which checkpoints in the committing thread).
    sqlite3_wal_hook(writer_, &WalCheckpointer::on_commit, this);
    thread_ = std::thread([this] { run(); });
}

WalCheckpointer::~WalCheckpointer() {
    sqlite3_wal_hook(writer_, nullptr, nullptr);
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    cv_.notify_one();
    thread_.join();
    sqlite3_close(db_);
}

uint64_t WalCheckpointer::checkpoints() const {
    std::lock_guard lock(mu_);
    return checkpoints_;
}

uint64_t WalCheckpointer::forced_checkpoints() const { return forced_.load(); }

uint64_t WalCheckpointer::rewinds() const { return rewinds_.load(); }

// Runs on the writer's thread right after each commit, outside the write transaction.
int WalCheckpointer::on_commit(void* self_ptr, sqlite3* db, const char* schema, int wal_pages) {
    auto* self = static_cast<WalCheckpointer*>(self_ptr);
    if (wal_pages < self->last_wal_pages_) {  // the log was rewound
        self->backfilled_ = 0;
        ++self->rewinds_;
    }
    self->last_wal_pages_ = wal_pages;
    if (wal_pages >= self->options_.hard_limit_pages) {
        // The background checkpoint has fallen behind: bound the WAL here. RESTART waits for
        // readers, so the next writer starts the log from its beginning again.
        sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
        ++self->forced_;
        return SQLITE_OK;
    }
    if (wal_pages < self->options_.soft_limit_pages) return SQLITE_OK;
    // The log is rewound only when a write begins with every frame copied back, which a
    // checkpoint running beside a busy writer seldom sees. When the background pass has
    // left just the last few commits, copying them here is cheap and lets the next
    // transaction rewind the log.
    const int done = self->backfilled_.load();
    if (done > 0 && wal_pages - done <= self->options_.catch_up_pages) {
        int log = 0, copied = 0;
        if (sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, &log, &copied) == SQLITE_OK) {
            self->backfilled_ = copied;
            if (copied == log) return SQLITE_OK;
        }
    }
    {
        std::lock_guard lock(self->mu_);
        self->due_ = true;
    }
    self->cv_.notify_one();
    return SQLITE_OK;
}

void WalCheckpointer::run() {
    std::unique_lock lock(mu_);
    while (true) {
        cv_.wait(lock, [this] { return due_ || stop_; });
        if (stop_) return;
        due_ = false;
        lock.unlock();
        // PASSIVE copies what it can without waiting on anyone; a busy result just means the
        // next commit asks again.
        int log = 0, copied = 0;
        if (sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied) == SQLITE_OK)
            backfilled_ = copied;
        lock.lock();
        ++checkpoints_;
    }
}

}  // namespace vigil::central
