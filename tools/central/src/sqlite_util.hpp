#pragma once
// Small SQLite helpers of the storage implementation: a prepared statement that resets
// itself, scope guards for statements and transactions.
#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace vigil::central::sqlite {

[[noreturn]] inline void fail(sqlite3* db, const std::string& what) {
    throw std::runtime_error("sqlite: " + what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

inline void exec(sqlite3* db, const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : "unknown error";
        sqlite3_free(err);
        throw std::runtime_error(std::string("sqlite: ") + msg + " in: " + sql);
    }
}

// A prepared statement that resets itself after each use.
class Stmt {
public:
    Stmt(sqlite3* db, const std::string& sql) : db_(db) {
        if (sqlite3_prepare_v3(db, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                               &stmt_, nullptr) != SQLITE_OK) {
            fail(db, "prepare " + sql);
        }
    }
    ~Stmt() { sqlite3_finalize(stmt_); }
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;

    Stmt& bind(int i, int64_t v) {
        check(sqlite3_bind_int64(stmt_, i, v));
        return *this;
    }
    Stmt& bind(int i, std::string_view v) {
        check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
        return *this;
    }
    Stmt& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
    Stmt& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
    Stmt& bind_static(int i, std::string_view v) {  // v must outlive the next step()
        check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC));
        return *this;
    }
    Stmt& bind(int i, const std::optional<std::string>& v) {
        if (v) return bind(i, std::string_view(*v));
        check(sqlite3_bind_null(stmt_, i));
        return *this;
    }
    // true while a row is available.
    bool step() {
        int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        fail(db_, "step");
    }
    void run() {
        try {
            step();
        } catch (...) {
            reset();
            throw;
        }
        reset();
    }
    void reset() {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
    }
    int64_t i64(int col) const { return sqlite3_column_int64(stmt_, col); }
    bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
    std::string text(int col) const {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
        return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
    }
    std::optional<std::string> opt_text(int col) const {
        if (is_null(col)) return std::nullopt;
        return text(col);
    }
    int changes() const { return sqlite3_changes(db_); }

private:
    void check(int rc) {
        if (rc != SQLITE_OK) fail(db_, "bind");
    }
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

// Resets a statement on scope exit so a thrown error never leaves it mid-iteration.
struct ResetGuard {
    Stmt& s;
    ~ResetGuard() { s.reset(); }
};

// The first row of `s` with ?1 bound to `key`, converted by `read`; nullopt when
// there is none. The statement is reset afterwards, also when `read` throws.
template <class Read>
auto find_row(Stmt& s, const std::string& key, Read read) -> std::optional<decltype(read(s))> {
    ResetGuard g{s};
    s.bind(1, key);
    if (!s.step()) return std::nullopt;
    return read(s);
}

// Rolls back unless committed.
class Transaction {
public:
    explicit Transaction(sqlite3* db) : db_(db) { exec(db_, "BEGIN IMMEDIATE"); }
    ~Transaction() {
        if (!done_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    void commit() {
        exec(db_, "COMMIT");
        done_ = true;
    }

private:
    sqlite3* db_;
    bool done_ = false;
};

// Columns added after the first release: existing databases get them on open. True when added.
inline bool ensure_column(sqlite3* db, const char* table, const char* column, const char* declaration) {
    Stmt info(db, std::string("PRAGMA table_info(") + table + ")");
    while (info.step())
        if (info.text(1) == column) return false;
    exec(db, (std::string("ALTER TABLE ") + table + " ADD COLUMN " + column + " " + declaration).c_str());
    return true;
}

inline uint64_t count_rows(sqlite3* db, const char* sql) {
    Stmt s(db, sql);
    return s.step() ? static_cast<uint64_t>(s.i64(0)) : 0;
}

}  // namespace vigil::central::sqlite
