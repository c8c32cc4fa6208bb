#pragma once
// The storage contract tests (storage_test.cpp and friends) run once per engine: each test
// binary links one StoreEnv — storage_env_sqlite.cpp or storage_env_pg.cpp — and every test
// case asks it for a fresh, empty store.
#include <memory>
#include <string>

#include "storage.hpp"

namespace central_test {

class StoreEnv {
public:
    virtual ~StoreEnv() = default;
    // Opens the store of this test case (again: the same data, as after a restart).
    virtual std::unique_ptr<vigil::central::Storage> open() = 0;
    // The same, keeping events received within the last `retention_days` only.
    virtual std::unique_ptr<vigil::central::Storage> open_retaining(int retention_days) = 0;
    // True when the engine refuses `sql` run directly on the store's database.
    virtual bool refuses(const std::string& sql) = 0;
    virtual const char* engine() const = 0;
};

// A fresh store for one test case: a new SQLite file, or a new PostgreSQL database.
std::unique_ptr<StoreEnv> make_store_env();

}  // namespace central_test
