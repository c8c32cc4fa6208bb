#pragma once
// Copies the SQLite write-ahead log back into the database file on a thread of its own.
// SQLite's default does this inside the COMMIT that crosses 1000 WAL pages, on the thread
// that stores telemetry — about a tenth of ingest time spent while an agent waits for its
// batch to be acknowledged. Here commits only signal; this thread, with its own connection,
// runs PASSIVE checkpoints, which never block the writer or readers. Should the WAL still
// grow past `hard_limit_pages` (the checkpoint cannot keep up), the committing thread
// checkpoints itself, so the file stays bounded. When the background pass has left only the
// last few commits, the writer copies those itself so that the log can be rewound.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

struct sqlite3;

namespace vigil::central {

class WalCheckpointer {
public:
    struct Options {
        std::string path;                 // the database file
        int busy_timeout_ms = 10000;
        int soft_limit_pages = 1000;      // wake the thread when the WAL holds this many pages
        int hard_limit_pages = 8000;      // the writer checkpoints itself beyond this (128 MiB)
        int catch_up_pages = 256;         // the writer copies the rest when this little is left
    };

    // Takes over WAL checkpoints of `writer` (its automatic checkpoints are switched off).
    // Throws std::runtime_error when the checkpoint connection cannot be opened.
    WalCheckpointer(sqlite3* writer, Options options);
    ~WalCheckpointer();
    WalCheckpointer(const WalCheckpointer&) = delete;
    WalCheckpointer& operator=(const WalCheckpointer&) = delete;

    uint64_t checkpoints() const;         // background passes
    uint64_t forced_checkpoints() const;  // RESTART checkpoints the writer had to run
    uint64_t rewinds() const;             // times the log started again from its beginning

private:
    static int on_commit(void* self, sqlite3* db, const char* schema, int wal_pages);
    void run();

    sqlite3* writer_;
    Options options_;
    sqlite3* db_ = nullptr;  // this thread's own connection
    mutable std::mutex mu_;
    std::condition_variable cv_;
    bool due_ = false;
    bool stop_ = false;
    uint64_t checkpoints_ = 0;
    std::atomic<int> backfilled_{0};      // WAL frames copied back as of the last pass
    int last_wal_pages_ = 0;              // writer thread only
    std::atomic<uint64_t> forced_{0};
    std::atomic<uint64_t> rewinds_{0};
    std::thread thread_;
};

}  // namespace vigil::central
