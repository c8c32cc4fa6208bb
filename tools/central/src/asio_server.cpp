// serve(): the central node's event-driven HTTPS server (Boost.Asio + Beast over OpenSSL).
// A few I/O threads run every connection; a small worker pool runs the API and storage;
// a waiting long poll holds no thread. Startup problems are printed and return 1; SIGTERM
// or SIGINT stop it gracefully (exit 0).
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <thread>
#include <vector>

#include "http_server.hpp"
#include "http_session.hpp"
#include "listener.hpp"
#include "service_notify.hpp"
#include "sqlite_storage.hpp"
#include "state_files.hpp"
#include "memory_trimmer.hpp"
#include "task_sweeper.hpp"
#include "tls_context.hpp"

namespace vigil::central {
namespace {

sigset_t shutdown_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    return set;
}

// Every connection is a descriptor: take the hard limit, and keep max_connections below it.
int raise_descriptor_limit(int wanted_connections) {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    getrlimit(RLIMIT_NOFILE, &rl);
    const auto usable = rl.rlim_cur > 256 ? static_cast<long long>(rl.rlim_cur) - 128 : 128;
    if (usable < wanted_connections) {
        log_line("warning: server.max_connections " + std::to_string(wanted_connections) + " lowered to " +
                 std::to_string(usable) + " (open file limit " + std::to_string(rl.rlim_cur) + ")");
        return static_cast<int>(usable);
    }
    return wanted_connections;
}

TransportSettings transport_of(const ServerSettings& s) {
    TransportSettings t;
    t.handshake_timeout = std::chrono::seconds(s.handshake_timeout_s);
    t.header_timeout = std::chrono::seconds(s.header_timeout_s);
    t.keep_alive_timeout = std::chrono::seconds(s.keep_alive_timeout_s);
    t.body_timeout = std::chrono::seconds(s.body_timeout_s);
    t.min_rate = s.min_body_rate;
    return t;
}

int io_thread_count(const ServerSettings& s) {
    if (s.io_threads > 0) return s.io_threads;
    return static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 4u));
}

// Stops accepting, answers long polls, lets requests in progress finish (≤ 5 s) and closes
// idle connections (≤ 2 s more) before the I/O threads stop.
void drain(ServerContext& ctx, Listener& listener, TaskBroker& broker) {
    ctx.stopping = true;
    listener.stop();
    broker.shutdown();
    for (auto& s : ctx.sessions()) s->shutdown();
    for (int i = 0; i < 100 && ctx.busy.load() > 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    for (auto& s : ctx.sessions()) s->shutdown();
    for (int i = 0; i < 40 && ctx.session_count() > 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (size_t n = ctx.session_count()) log_line("closing " + std::to_string(n) + " connections still open");
}

// What the server loads before it listens; a failure is printed and ends serve().
struct State {
    std::unique_ptr<SqliteStorage> storage;
    std::unique_ptr<FileStore> files;
    std::unique_ptr<AgentCa> agent_ca;
    RevocationList revoked;
    ClientTrust trust;
    SslCtxPtr tls;
};

bool load_state(const CentralConfig& config, State& st) {
    try {
        // Everything the server keeps (database, WAL, uploaded files, the agent CA) is private.
        for (const auto& line : prepare_state(config)) log_line(line);
        st.storage = std::make_unique<SqliteStorage>(SqliteOptions{config.database, config.text_index, 10000, config.cache_mib});
        st.files = std::make_unique<FileStore>(config.files_dir);
        st.agent_ca = AgentCa::load_or_create(config.agent_ca_dir);
        st.revoked.replace(st.storage->revoked_serials());
        st.trust = ClientTrust{st.agent_ca.get(), &st.revoked, config.tls.client_ca,
                               config.tls.require_client_certificate};
        st.tls = make_server_tls(config.tls, st.trust);
    } catch (const std::exception& e) {
        log_line(std::string("cannot start: ") + e.what());
        return false;
    }
    if (config.api.operators.empty() && st.storage->list_operators().empty())
        log_line("warning: no operators (central.yaml operators.tokens or `vigil-central operator add`); the operator "
                 "API is closed");
    return true;
}

}  // namespace

int serve_asio(const CentralConfig& config, bool verbose) {
    sigset_t signals = shutdown_signals();
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread starts: only sigwait sees them
    std::signal(SIGPIPE, SIG_IGN);
    ServiceNotify service(common::SystemdNotifier::from_environment());  // before any thread

    State state;
    if (!load_state(config, state)) return 1;
    auto& storage = state.storage;
    auto& files = state.files;
    auto& agent_ca = state.agent_ca;
    auto& revoked = state.revoked;
    auto& tls = state.tls;

    TaskBroker broker;
    Api api(*storage, broker, *files, config.api, AgentTrust{agent_ca.get(), &revoked});
    MemoryBudget budget(config.server.memory_budget_bytes);
    const auto& s = config.server;
    ConnectionLimits limits({static_cast<size_t>(raise_descriptor_limit(s.max_connections)),
                             static_cast<size_t>(s.max_connections_per_address),
                             static_cast<size_t>(s.max_handshakes),
                             static_cast<size_t>(s.max_handshakes_per_address)});
    net::thread_pool workers(static_cast<size_t>(s.worker_threads));
    ServerContext ctx{api,    broker,    *agent_ca,    workers,         budget,
                      limits, tls.get(), files->dir(), transport_of(s), verbose};
    // After ctx: destroying the io_context destroys the connections still in it, which
    // unregister from ctx.
    net::io_context io;

    std::shared_ptr<Listener> listener;
    try {
        listener =
            std::make_shared<Listener>(io, ctx, tcp::endpoint(net::ip::make_address(s.address), s.port));
    } catch (const std::exception& e) {
        log_line("cannot listen on " + s.address + ":" + std::to_string(s.port) + ": " + e.what());
        return 1;
    }
    listener->start();
    // While the listener is closed at shutdown and a request is on the worker pool, the I/O
    // threads may have nothing to wait for; without this they would return and the answer
    // the worker posts back would never be written.
    auto keep_running = net::make_work_guard(io);
    std::vector<std::thread> io_threads;
    for (int i = io_thread_count(s); i > 0; --i) io_threads.emplace_back([&io] { io.run(); });
    log_line("listening on https://" + s.address + ":" + std::to_string(s.port) +
             " (TLS >= " + config.tls.min_version + ", client certificate " +
             (config.tls.require_client_certificate ? "required" : "not required") + ", " +
             std::to_string(io_threads.size()) + " I/O threads, " + std::to_string(s.worker_threads) +
             " workers), database " + config.database + ", agent CA " + agent_ca->certificate_path() + " (" +
             std::to_string(revoked.size()) + " revoked certificates)");
    // Watchdog probe: a primary-key read through the storage's reader connection and lock.
    service.ready("listening on port " + std::to_string(s.port), [&storage] {
        storage->find_agent("00000000-0000-0000-0000-000000000000");
        return true;
    });
    std::optional<TaskSweeper> sweeper(std::in_place, *storage, s.task_expiry_s);
    MemoryTrimmer trimmer;

    int sig = 0;
    sigwait(&signals, &sig);
    log_line(std::string("received ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") + ", shutting down");
    service.stopping();
    drain(ctx, *listener, broker);
    keep_running.reset();
    io.stop();
    for (auto& t : io_threads) t.join();
    workers.join();
    listener.reset();
    sweeper.reset();
    storage.reset();  // closes the database (checkpoints the WAL)
    log_line("stopped");
    return 0;
}

int serve(const CentralConfig& config, bool verbose) {
    // The thread-per-connection server stays selectable until the event-driven one has
    // replaced it everywhere (benchmarks compare the two in one run).
    const char* engine = std::getenv("VIGIL_CENTRAL_SERVER");
    if (engine && std::string(engine) == "poco") return serve_poco(config, verbose);
    return serve_asio(config, verbose);
}

}  // namespace vigil::central
