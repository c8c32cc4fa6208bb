#pragma once
// A small RAII layer over libpq for PgStorage: a connection that reconnects when the server
// dropped it, results, text parameters, transactions, COPY and a pool. Text parameters are
// made valid UTF-8 on the way in (PostgreSQL refuses anything else, and agent input is not
// checked for it): invalid bytes and NUL become U+FFFD, the same way for stored values and
// for the values searched for, so a query finds what was stored.
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pg_text.hpp"

struct pg_conn;
struct pg_result;

namespace vigil::central::pg {

// Why a storage.url cannot be used (libpq cannot parse it, or it holds a password, which
// belongs in storage.password_file or libpq's environment), or nullopt.
std::optional<std::string> url_problem(const std::string& url);

class Result {
public:
    Result() = default;
    explicit Result(pg_result* r) : r_(r) {}
    Result(Result&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
    Result& operator=(Result&& o) noexcept;
    Result(const Result&) = delete;
    Result& operator=(const Result&) = delete;
    ~Result();

    int rows() const;
    uint64_t affected() const;  // rows an INSERT/UPDATE/DELETE changed
    bool is_null(int row, int col) const;
    std::string text(int row, int col) const;
    std::optional<std::string> opt_text(int row, int col) const;
    int64_t i64(int row, int col) const;

private:
    pg_result* r_ = nullptr;
};

// One row of a Result, read by column (storage_rows.hpp).
struct Row {
    const Result& r;
    int i;
    std::string text(int col) const { return r.text(i, col); }
    int64_t i64(int col) const { return r.i64(i, col); }
    std::optional<std::string> opt_text(int col) const { return r.opt_text(i, col); }
    bool is_null(int col) const { return r.is_null(i, col); }
};

// Every row of `r` as read by `read(const Row&)`.
template <class Read>
auto all_rows(const Result& r, Read read) -> std::vector<decltype(read(std::declval<const Row&>()))> {
    std::vector<decltype(read(std::declval<const Row&>()))> out;
    for (int i = 0; i < r.rows(); ++i) out.push_back(read(Row{r, i}));
    return out;
}

// The first row of `r` as read by `read`, or nullopt when there is none.
template <class Read>
auto first_row(const Result& r, Read read) -> std::optional<decltype(read(std::declval<const Row&>()))> {
    if (r.rows() == 0) return std::nullopt;
    return read(Row{r, 0});
}

// Positional text parameters ($1, $2, ...).
class Params {
public:
    Params& add(std::string_view v);
    Params& add(const std::string& v) { return add(std::string_view(v)); }
    Params& add(const char* v) { return add(std::string_view(v)); }
    Params& add(int64_t v);
    Params& add(const std::optional<std::string>& v);
    size_t size() const { return values_.size(); }
    std::vector<const char*> pointers() const;

private:
    std::vector<std::optional<std::string>> values_;
};

class Conn {
public:
    // Connects with libpq's own environment (PGPASSWORD, PGSERVICEFILE, PGPASSFILE...) on top
    // of `url`; `password` (from storage.password_file) when not empty. Throws with the reason.
    Conn(const std::string& url, const std::string& password);

    // Reconnects when the server closed the connection (restart, idle timeout); throws if it cannot.
    void ensure_open();
    Result exec(const std::string& sql, const Params& params = {});
    // Statements without parameters, possibly several separated by ';' (a migration).
    void run(const std::string& sql);
    // COPY ... FROM STDIN with `data` in the text format (see copy_field).
    void copy_in(const std::string& sql, std::string_view data);
    pg_conn* raw() const { return c_.get(); }  // for LISTEN (PQsocket, PQnotifies)

private:
    struct Close {
        void operator()(pg_conn* c) const;
    };
    Result check(pg_result* r, const std::string& sql);
    std::unique_ptr<pg_conn, Close> c_;
};

// Rolls back unless committed.
class Transaction {
public:
    explicit Transaction(Conn& c) : c_(c) { c_.run("BEGIN"); }
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit() {
        c_.run("COMMIT");
        done_ = true;
    }

private:
    Conn& c_;
    bool done_ = false;
};

// A fixed number of connections handed out one caller at a time.
class Pool {
public:
    Pool(const std::string& url, const std::string& password, int size);

    class Lease {
    public:
        Lease(Pool& p, std::unique_ptr<Conn> c) : pool_(p), c_(std::move(c)) {}
        ~Lease() { pool_.give_back(std::move(c_)); }
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        Conn& operator*() { return *c_; }
        Conn* operator->() { return c_.get(); }

    private:
        Pool& pool_;
        std::unique_ptr<Conn> c_;
    };
    Lease get();

private:
    void give_back(std::unique_ptr<Conn> c);
    std::mutex mutex_;
    std::condition_variable free_;
    std::vector<std::unique_ptr<Conn>> idle_;
};

}  // namespace vigil::central::pg
