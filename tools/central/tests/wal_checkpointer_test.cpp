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

}  // namespace

TEST_CASE("background checkpoints rewind the log while the writer keeps committing") {
    central_test::TempDir dir;
    const std::string path = dir.path + "/w.db";
    sqlite3* db = open_wal_db(path);
    {
        WalCheckpointer::Options o;
        o.path = path;
        o.soft_limit_pages = 200;
        o.hard_limit_pages = 100000;  // never reached: the background alone must keep up
        WalCheckpointer ckpt(db, o);
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
    sqlite3_close(db);
}

TEST_CASE("the hard limit makes the writer checkpoint itself") {
    central_test::TempDir dir;
    const std::string path = dir.path + "/w.db";
    sqlite3* db = open_wal_db(path);
    // The writer never pauses and the background thread is never woken (soft limit above the
    // hard one): only the writer's own RESTART checkpoints can bound the log.
    WalCheckpointer::Options o;
    o.path = path;
    o.soft_limit_pages = 1000000;
    o.hard_limit_pages = 400;
    {
        WalCheckpointer ckpt(db, o);
        write_transactions(db, 100);  // ~4,000 pages
        CHECK(ckpt.forced_checkpoints() > 0);
        CHECK(ckpt.checkpoints() == 0);
        CHECK(wal_pages(path) < 1000);
    }
    sqlite3_close(db);
}

TEST_CASE("a database that cannot be opened is reported with its name") {
    central_test::TempDir dir;
    const std::string path = dir.path + "/w.db";
    sqlite3* db = open_wal_db(path);
    WalCheckpointer::Options o;
    o.path = dir.path + "/missing/w.db";
    try {
        WalCheckpointer ckpt(db, o);
        FAIL("opened a missing database");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()).find(o.path) != std::string::npos);
    }
    sqlite3_close(db);
}
