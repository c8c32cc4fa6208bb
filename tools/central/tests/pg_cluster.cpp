#include "pg_cluster.hpp"

#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <thread>
#include <vector>

namespace central_test {
namespace {

namespace fs = std::filesystem;

constexpr const char* kUser = "vigil_test";  // the cluster's superuser (trust: only the socket reaches it)
constexpr const char* kPort = "5432";        // names the socket file; there is no TCP listener

// The newest /usr/lib/postgresql/<major>/bin holding initdb and postgres (VIGIL_PG_BINDIR overrides).
std::string find_bindir() {
    if (const char* dir = std::getenv("VIGIL_PG_BINDIR"); dir && *dir)
        return ::access((std::string(dir) + "/initdb").c_str(), X_OK) == 0 ? dir : "";
    std::string best;
    int best_major = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
        const std::string bin = e.path().string() + "/bin";
        const int major = std::atoi(e.path().filename().c_str());
        if (major > best_major && ::access((bin + "/initdb").c_str(), X_OK) == 0 &&
            ::access((bin + "/postgres").c_str(), X_OK) == 0) {
            best = bin;
            best_major = major;
        }
    }
    return best;
}

std::string tail_of(const std::string& path) {
    std::ifstream in(path);
    std::string s{std::istreambuf_iterator<char>(in), {}};
    return s.size() > 1500 ? s.substr(s.size() - 1500) : s;
}

// fork + (drop to uid/gid) + exec argv with stdout/stderr to `log`. Everything the child needs
// is prepared before fork: between fork and exec only async-signal-safe calls run.
pid_t spawn(const std::vector<std::string>& argv, const std::string& log, bool switch_user, uid_t uid, gid_t gid,
            bool die_with_parent) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid > 0) return pid;
    if (switch_user && (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0)) ::_exit(126);
    // Set after the user switch, which clears it: the server ends when this test process ends.
    if (die_with_parent && (::prctl(PR_SET_PDEATHSIG, SIGQUIT) != 0 || ::getppid() != parent)) ::_exit(125);
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || null < 0 || ::dup2(null, 0) < 0 || ::dup2(fd, 1) < 0 || ::dup2(fd, 2) < 0) ::_exit(124);
    ::execv(args[0], args.data());
    ::_exit(127);
}

bool wait_exit(pid_t pid, std::chrono::milliseconds limit, int& status) {
    const auto until = std::chrono::steady_clock::now() + limit;
    for (;;) {
        const pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid || r < 0) return true;
        if (std::chrono::steady_clock::now() >= until) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

// Removes what a test binary killed before its cleanup (SIGKILL, abort) left in /tmp: its
// server ended with it (PR_SET_PDEATHSIG), the directory stayed. A directory is stale when the
// postmaster.pid it names is not running, or, without one (initdb never finished), when it is
// older than 10 minutes; a live cluster of a test running beside this one is left alone.
void remove_stale_clusters() {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/tmp", ec)) {
        const std::string name = e.path().filename().string();
        if (name.rfind("vigil_pg.", 0) != 0 || !e.is_directory(ec)) continue;
        std::ifstream pidfile(e.path() / "data" / "postmaster.pid");
        long pid = 0;
        bool stale = false;
        if (pidfile >> pid) {
            stale = pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
        } else {
            const auto age = fs::file_time_type::clock::now() - fs::last_write_time(e.path(), ec);
            stale = !ec && age > std::chrono::minutes(10);
        }
        if (stale) fs::remove_all(e.path(), ec);
    }
}

}  // namespace

PgCluster* PgCluster::shared(std::string& why) {
    static std::unique_ptr<PgCluster> cluster;
    static std::string failure;
    static bool tried = false;
    if (!tried) {
        tried = true;
        std::unique_ptr<PgCluster> c(new PgCluster());
        try {
            c->start();
            cluster = std::move(c);
        } catch (const std::exception& e) {
            failure = e.what();
        }
    }
    why = failure;
    return cluster.get();
}

void PgCluster::start() {
    remove_stale_clusters();
    bindir_ = find_bindir();
    if (bindir_.empty())
        throw std::runtime_error("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin; tools/setup installs them)");
    if (::geteuid() == 0) {  // initdb refuses root: the cluster belongs to the postgres user
        const char* name = std::getenv("VIGIL_PG_USER") ? std::getenv("VIGIL_PG_USER") : "postgres";
        const passwd* pw = ::getpwnam(name);
        if (!pw) throw std::runtime_error(std::string("running as root and there is no user ") + name + " to run PostgreSQL");
        uid_ = pw->pw_uid;
        gid_ = pw->pw_gid;
        switch_user_ = true;
    }
    std::string tmpl = "/tmp/vigil_pg.XXXXXX";
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    if (switch_user_ && ::chown(dir_.c_str(), uid_, gid_) != 0) throw std::runtime_error("cannot chown " + dir_);
    int status = 0;
    const pid_t init = spawn({bindir_ + "/initdb", "-D", dir_ + "/data", "-A", "trust", "-U", kUser, "--no-sync",
                              "-E", "UTF8", "--locale=C"},
                             dir_ + "/initdb.log", switch_user_, uid_, gid_, false);
    wait_exit(init, std::chrono::minutes(2), status);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw std::runtime_error("initdb failed: " + tail_of(dir_ + "/initdb.log"));
    server_ = spawn({bindir_ + "/postgres", "-D", dir_ + "/data", "-k", dir_, "-p", kPort, "-c", "listen_addresses=",
                     "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"},
                    dir_ + "/postgres.log", switch_user_, uid_, gid_, true);
    const std::string probe = conninfo("postgres");
    for (int i = 0; i < 1500; ++i) {  // up to 30 s on a loaded machine
        if (PQping(probe.c_str()) == PQPING_OK) return;
        if (::waitpid(server_, &status, WNOHANG) == server_) {
            server_ = 0;
            throw std::runtime_error("postgres exited: " + tail_of(dir_ + "/postgres.log"));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    throw std::runtime_error("postgres did not accept connections within 30 s: " + tail_of(dir_ + "/postgres.log"));
}

void PgCluster::stop() {
    if (server_ > 0) {
        int status = 0;
        ::kill(server_, SIGINT);  // fast shutdown: ends the sessions, no checkpoint wait
        if (!wait_exit(server_, std::chrono::seconds(20), status)) {
            ::kill(server_, SIGQUIT);  // immediate shutdown
            if (!wait_exit(server_, std::chrono::seconds(10), status)) {
                ::kill(server_, SIGKILL);
                wait_exit(server_, std::chrono::seconds(10), status);
            }
        }
        server_ = 0;
    }
    if (!dir_.empty()) {
        std::error_code ec;
        fs::remove_all(dir_, ec);
        dir_.clear();
    }
}

PgCluster::~PgCluster() { stop(); }

std::string PgCluster::conninfo(const std::string& database) const {
    return "host=" + dir_ + " port=" + kPort + " user=" + kUser + " dbname=" + database;
}

std::string PgCluster::create_database() {
    const std::string name = "pg_test_" + std::to_string(++databases_);
    PGconn* c = PQconnectdb(conninfo("postgres").c_str());
    PGresult* r = PQexec(c, ("CREATE DATABASE " + name).c_str());
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    std::string err = PQerrorMessage(c);
    PQclear(r);
    PQfinish(c);
    if (!ok) throw std::runtime_error("CREATE DATABASE " + name + ": " + err);
    return conninfo(name);
}

}  // namespace central_test
