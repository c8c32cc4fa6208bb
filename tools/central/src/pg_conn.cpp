#include "pg_conn.hpp"

#include <libpq-fe.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace vigil::central::pg {
namespace {

// Server notices ("relation ... already exists, skipping" from CREATE ... IF NOT EXISTS) are
// expected; warnings and anything else go to stderr as libpq would print them.
void on_notice(void*, const char* text) {
    if (std::string_view(text).rfind("NOTICE:", 0) != 0) std::fputs(text, stderr);
}

std::string message(pg_conn* c) {
    std::string m = c ? PQerrorMessage(c) : "out of memory";
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
    return m;
}

}  // namespace

std::optional<std::string> url_problem(const std::string& url) {
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(url.c_str(), &err);
    if (!opts) {
        std::string why = err ? err : "out of memory";
        PQfreemem(err);
        while (!why.empty() && why.back() == '\n') why.pop_back();
        return "cannot be parsed by libpq: " + why;
    }
    std::optional<std::string> why;
    for (auto* o = opts; o->keyword; ++o)
        if (std::string_view(o->keyword) == "password" && o->val && *o->val)
            why = "must not contain a password (the config is read by many and backed up): use storage.password_file "
                  "(mode 0600), PGPASSFILE or PGPASSWORD";
    PQconninfoFree(opts);
    return why;
}

Result& Result::operator=(Result&& o) noexcept {
    if (this != &o) {
        PQclear(r_);
        r_ = o.r_;
        o.r_ = nullptr;
    }
    return *this;
}

Result::~Result() { PQclear(r_); }
int Result::rows() const { return r_ ? PQntuples(r_) : 0; }
uint64_t Result::affected() const {
    const char* n = r_ ? PQcmdTuples(r_) : "";
    return *n ? std::strtoull(n, nullptr, 10) : 0;
}
bool Result::is_null(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }
std::string Result::text(int row, int col) const {
    return std::string(PQgetvalue(r_, row, col), static_cast<size_t>(PQgetlength(r_, row, col)));
}
std::optional<std::string> Result::opt_text(int row, int col) const {
    if (is_null(row, col)) return std::nullopt;
    return text(row, col);
}
int64_t Result::i64(int row, int col) const { return std::strtoll(PQgetvalue(r_, row, col), nullptr, 10); }

Params& Params::add(std::string_view v) {
    values_.emplace_back(valid_utf8(v));
    return *this;
}
Params& Params::add(int64_t v) {
    values_.emplace_back(std::to_string(v));
    return *this;
}
Params& Params::add(const std::optional<std::string>& v) {
    if (v) return add(std::string_view(*v));
    values_.emplace_back(std::nullopt);
    return *this;
}
std::vector<const char*> Params::pointers() const {
    std::vector<const char*> p;
    for (const auto& v : values_) p.push_back(v ? v->c_str() : nullptr);
    return p;
}

Conn::Conn(const std::string& url, const std::string& password) {
    // expand_dbname: `url` may be a postgresql:// URI or "key=value" pairs. Keys before it are
    // defaults it may override: a bounded connect (a worker must not hang on an unreachable
    // server) and TCP keepalives that notice a silently dropped connection within about a
    // minute (the LISTEN connection waits for hours otherwise). Keys after it override it: a
    // password from the file, the name shown in pg_stat_activity.
    const char* keys[] = {"connect_timeout", "keepalives_idle", "keepalives_interval", "keepalives_count", "dbname",
                          "application_name", password.empty() ? nullptr : "password", nullptr};
    const char* values[] = {"10", "30", "10", "3", url.c_str(), "vigil-central", password.c_str(), nullptr};
    c_.reset(PQconnectdbParams(keys, values, 1));
    if (!c_ || PQstatus(c_.get()) != CONNECTION_OK)
        throw std::runtime_error("postgresql: cannot connect: " + message(c_.get()));
    PQsetNoticeProcessor(c_.get(), on_notice, nullptr);
}

void Conn::Close::operator()(pg_conn* c) const { PQfinish(c); }

void Conn::ensure_open() {
    if (PQstatus(c_.get()) == CONNECTION_OK) return;
    PQreset(c_.get());
    if (PQstatus(c_.get()) != CONNECTION_OK)
        throw std::runtime_error("postgresql: connection lost: " + message(c_.get()));
}

Result Conn::check(pg_result* r, const std::string& sql) {
    Result res(r);
    const auto st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_COPY_IN) return res;
    std::string why = r && *PQresultErrorMessage(r) ? PQresultErrorMessage(r) : message(c_.get());
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    throw std::runtime_error("postgresql: " + why + " (in: " + sql.substr(0, 120) + ")");
}

Result Conn::exec(const std::string& sql, const Params& params) {
    ensure_open();
    const auto p = params.pointers();
    return check(PQexecParams(c_.get(), sql.c_str(), static_cast<int>(p.size()), nullptr, p.data(), nullptr, nullptr, 0),
                 sql);
}

void Conn::run(const std::string& sql) {
    ensure_open();
    check(PQexec(c_.get(), sql.c_str()), sql);
}

void Conn::copy_in(const std::string& sql, std::string_view data) {
    ensure_open();
    check(PQexec(c_.get(), sql.c_str()), sql);
    // Sent in pieces of at most 1 MiB: PQputCopyData takes an int length.
    constexpr size_t kPiece = 1 << 20;
    for (size_t off = 0; off < data.size(); off += kPiece) {
        const auto n = std::min(kPiece, data.size() - off);
        if (PQputCopyData(c_.get(), data.data() + off, static_cast<int>(n)) != 1)
            throw std::runtime_error("postgresql: COPY: " + message(c_.get()));
    }
    if (PQputCopyEnd(c_.get(), nullptr) != 1) throw std::runtime_error("postgresql: COPY end: " + message(c_.get()));
    Result last;
    while (pg_result* r = PQgetResult(c_.get())) last = check(r, sql);
}

Transaction::~Transaction() {
    if (done_) return;
    try {
        c_.run("ROLLBACK");
    } catch (...) {  // a lost connection has no transaction left to roll back
    }
}

Pool::Pool(const std::string& url, const std::string& password, int size) {
    for (int i = 0; i < size; ++i) idle_.push_back(std::make_unique<Conn>(url, password));
}

Pool::Lease Pool::get() {
    std::unique_lock lock(mutex_);
    free_.wait(lock, [this] { return !idle_.empty(); });
    auto c = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(c));
}

void Pool::give_back(std::unique_ptr<Conn> c) {
    {
        std::lock_guard lock(mutex_);
        idle_.push_back(std::move(c));
    }
    free_.notify_one();
}

}  // namespace vigil::central::pg
