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

#include "console_assets.hpp"
#include "http_server.hpp"
#include "http_session.hpp"
#include "listener.hpp"
#include "log_limiter.hpp"
#include "server_startup.hpp"
#include "memory_trimmer.hpp"
#include "storage_open.hpp"
#include "task_sweeper.hpp"
#include "tls_context.hpp"

namespace vigil::central {
namespace {

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
    wait_while([&] { return ctx.busy.load() > 0; }, std::chrono::seconds(5));
    for (auto& s : ctx.sessions()) s->shutdown();
    wait_while([&] { return ctx.session_count() > 0; }, std::chrono::seconds(2));
    if (size_t n = ctx.session_count()) log_line("closing " + std::to_string(n) + " connections still open");
}

}  // namespace

int serve_asio(const CentralConfig& config, bool verbose) {
    const sigset_t signals = block_shutdown_signals();
    ServiceNotify service(common::SystemdNotifier::from_environment());  // before any thread

    ServerState state;
    SslCtxPtr tls;
    if (!load_server_state(config, state, [&](const ServerState& st) { tls = make_server_tls(config.tls, st.trust); }))
        return 1;
    auto& storage = state.storage;
    auto& files = state.files;
    auto& agent_ca = state.agent_ca;
    auto& revoked = state.revoked;

    TaskBroker broker;
    const auto task_watch = watch_tasks(config, broker);  // tasks created on other nodes (PostgreSQL)
    Api api(*storage, broker, *files, config.api, AgentTrust{agent_ca.get(), &revoked});
    std::string ui_line;
    api.serve_ui(ui_from_environment(&ui_line));
    log_line(ui_line);
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
             " workers), " + storage_description(config) + ", agent CA " + agent_ca->certificate_path() + " (" +
             std::to_string(revoked.size()) + " revoked certificates)");
    announce_ready(service, *storage, s.port);
    std::optional<TaskSweeper> sweeper(std::in_place, *storage, s.task_expiry_s);
    MemoryTrimmer trimmer;

    wait_for_shutdown(signals, service);
    drain(ctx, *listener, broker);
    keep_running.reset();
    io.stop();
    for (auto& t : io_threads) t.join();
    workers.join();
    listener.reset();
    return finish_stop(sweeper, state);
}

int serve(const CentralConfig& config, bool verbose) {
    // The thread-per-connection server stays selectable until the event-driven one has
    // replaced it everywhere (benchmarks compare the two in one run).
    const char* engine = std::getenv("VIGIL_CENTRAL_SERVER");
    if (engine && std::string(engine) == "poco") return serve_poco(config, verbose);
    return serve_asio(config, verbose);
}

}  // namespace vigil::central
