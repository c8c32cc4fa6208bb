// WalCheckpointer: checkpoints run off the writer's thread, the log is rewound while the
// writer keeps committing, and the hard limit bounds it when the background cannot keep up.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <thread>
#include <string>

#include "test_support.hpp"
#include "wal_checkpointer.hpp"

using vigil::central::WalCheckpointer;

namespace {

sqlite3* open_wal_db(const std::string& path) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db,
                         "PRAGMA page_size=4096; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                         "CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB);",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    return db;
}

// `n` transactions, each adding about 40 pages of 4 KiB, `pause` apart (the central node
// parses a batch between two commits; a writer that does nothing else leaves a
// checkpoint no moment at which the log is wholly copied back).
void write_transactions(sqlite3* db, int n, std::chrono::microseconds pause = {}) {
    for (int i = 0; i < n; ++i) {
        if (pause.count()) std::this_thread::sleep_for(pause);
        REQUIRE(sqlite3_exec(db,
                             "BEGIN; WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 40) "
                             "INSERT INTO t(v) SELECT randomblob(4000) FROM c; COMMIT;",
                             nullptr, nullptr, nullptr) == SQLITE_OK);
    }
}

uintmax_t wal_pages(const std::string& db_path) {
    std::error_code ec;
    auto bytes = std::filesystem::file_size(db_path + "-wal", ec);
    return ec ? 0 : bytes / 4096;
}

// A WAL database in a temporary directory, closed at the end of the test.
struct WalDb {
    central_test::TempDir dir;
    const std::string path = dir.path + "/w.db";
    sqlite3* db = open_wal_db(path);
    ~WalDb() { sqlite3_close(db); }
};

}  // namespace

TEST_CASE("background checkpoints rewind the log while the writer keeps committing") {
    WalDb w;
    sqlite3* db = w.db;
    const std::string& path = w.path;
    {
        // The hard limit is never reached: the background alone must keep up.
        WalCheckpointer ckpt(db, {.path = path, .soft_limit_pages = 200, .hard_limit_pages = 100000});
        write_transactions(db, 300, std::chrono::milliseconds(2));  // ~12,000 pages in all
        CHECK(ckpt.checkpoints() > 0);
        CHECK(ckpt.forced_checkpoints() == 0);
        CHECK(ckpt.rewinds() >= 1);
        // Without a rewind the file would hold every page written; a rewind reuses it from
        // its start, so its size is its high mark.
        CHECK(wal_pages(path) < 12000);
    }
    // The data reached the database file itself, not just the log.
    sqlite3_int64 rows = 0;
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM t", -1, &st, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    rows = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    CHECK(rows == 300 * 40);
}

TEST_CASE("the hard limit makes the writer checkpoint itself") {
    WalDb w;
    // The writer never pauses and the background thread is never woken (soft limit above the
    // hard one): only the writer's own RESTART checkpoints can bound the log.
    WalCheckpointer ckpt(w.db, {.path = w.path, .soft_limit_pages = 1000000, .hard_limit_pages = 400});
    write_transactions(w.db, 100);  // ~4,000 pages
    CHECK(ckpt.forced_checkpoints() > 0);
    CHECK(ckpt.checkpoints() == 0);
    CHECK(wal_pages(w.path) < 1000);
}

TEST_CASE("a database that cannot be opened is reported with its name") {
    WalDb w;
    WalCheckpointer::Options o;
    o.path = w.dir.path + "/missing/w.db";
    try {
        WalCheckpointer ckpt(w.db, o);
        FAIL("opened a missing database");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()).find(o.path) != std::string::npos);
    }
}
