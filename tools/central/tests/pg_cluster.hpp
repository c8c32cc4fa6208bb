#pragma once
// A private PostgreSQL cluster for tests: initdb in a temporary directory (as the `postgres`
// user when the tests run as root, since initdb refuses root), the server listening only on a
// Unix socket in that directory (listen_addresses='', no TCP), fsync off. The server is a
// direct child of the test process with PR_SET_PDEATHSIG, so it ends with the test binary
// however that ends; a normal exit also stops it (fast shutdown) and removes the directory.
// One cluster per test binary (shared()), a fresh database per test case (create_database()).
#include <sys/types.h>

#include <memory>
#include <string>

namespace central_test {

class PgCluster {
public:
    // The cluster of this test binary, started on the first call; nullptr when it cannot
    // start, with the reason in `why` (no server binaries, no postgres user, initdb failed).
    static PgCluster* shared(std::string& why);

    ~PgCluster();
    PgCluster(const PgCluster&) = delete;
    PgCluster& operator=(const PgCluster&) = delete;

    // A new empty database (pg_test_<n>); returns the libpq connection string for it.
    std::string create_database();
    std::string conninfo(const std::string& database) const;
    const std::string& directory() const { return dir_; }
    pid_t server_pid() const { return server_; }  // the postmaster (benchmarks measure its CPU)

private:
    PgCluster() = default;
    void start();  // throws std::runtime_error saying why
    void stop();
    std::string bindir_;
    std::string dir_;  // socket directory; the data directory is dir_/data
    uid_t uid_ = 0;
    gid_t gid_ = 0;
    bool switch_user_ = false;
    pid_t server_ = 0;
    int databases_ = 0;
};

}  // namespace central_test
