// The storage contract tests on PostgreSQL: one private cluster for the test binary (started
// before any test case; without one the binary exits 77, skipped), a new database per case.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <libpq-fe.h>

#include <stdexcept>
#include <vigil/testing/privileges.hpp>

#include "pg_cluster.hpp"
#include "pg_storage.hpp"
#include "storage_env.hpp"

namespace central_test {
namespace {

PgCluster& cluster() {
    std::string why;
    PgCluster* c = PgCluster::shared(why);
    if (!c) vigil::testing::skip_executable("no private PostgreSQL cluster: " + why);
    return *c;
}

class PgEnv final : public StoreEnv {
public:
    std::unique_ptr<vigil::central::Storage> open() override {
        vigil::central::PgOptions o;
        o.url = url_;
        return std::make_unique<vigil::central::PgStorage>(o);
    }
    std::unique_ptr<vigil::central::Storage> open_retaining(int retention_days) override {
        vigil::central::PgOptions o;
        o.url = url_;
        o.retention_days = retention_days;
        return std::make_unique<vigil::central::PgStorage>(o);
    }
    bool refuses(const std::string& sql) override {
        PGconn* c = PQconnectdb(url_.c_str());
        PGresult* r = PQexec(c, sql.c_str());
        const bool refused = PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK;
        PQclear(r);
        PQfinish(c);
        return refused;
    }
    const char* engine() const override { return "postgresql"; }

private:
    std::string url_ = cluster().create_database();
};

}  // namespace

std::unique_ptr<StoreEnv> make_store_env() { return std::make_unique<PgEnv>(); }
std::string fresh_pg_database() { return cluster().create_database(); }

}  // namespace central_test

int main(int argc, char** argv) {
    central_test::cluster();  // skipped (77) here, before any test, when no cluster can start
    doctest::Context context(argc, argv);
    return context.run();
}
