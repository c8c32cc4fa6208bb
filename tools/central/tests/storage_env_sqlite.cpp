// The storage contract tests on SQLite: a new database file per test case.
#include <sqlite3.h>

#include "sqlite_storage.hpp"
#include "storage_env.hpp"
#include "test_support.hpp"

namespace central_test {
namespace {

class SqliteEnv final : public StoreEnv {
public:
    std::unique_ptr<vigil::central::Storage> open() override {
        return std::make_unique<vigil::central::SqliteStorage>(vigil::central::SqliteOptions{dir_.path + "/c.db"});
    }
    std::unique_ptr<vigil::central::Storage> open_retaining(int retention_days) override {
        vigil::central::SqliteOptions o{dir_.path + "/c.db"};
        o.retention_days = retention_days;
        return std::make_unique<vigil::central::SqliteStorage>(o);
    }
    bool refuses(const std::string& sql) override {
        sqlite3* db = nullptr;
        if (sqlite3_open((dir_.path + "/c.db").c_str(), &db) != SQLITE_OK) {
            sqlite3_close(db);
            throw std::runtime_error("cannot open the test database");
        }
        const bool refused = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK;
        sqlite3_close(db);
        return refused;
    }
    const char* engine() const override { return "sqlite"; }

private:
    TempDir dir_;
};

}  // namespace

std::unique_ptr<StoreEnv> make_store_env() { return std::make_unique<SqliteEnv>(); }

}  // namespace central_test
