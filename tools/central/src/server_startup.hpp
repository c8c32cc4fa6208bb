#pragma once
// What both HTTPS servers (asio_server.cpp, and the Poco one in http_server.cpp) do around
// serving: the shutdown signals, the state loaded before listening, the readiness report with
// its watchdog probe, and the wait for SIGTERM/SIGINT.
#include <signal.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "agent_ca.hpp"
#include "client_trust.hpp"
#include "config.hpp"
#include "file_store.hpp"
#include "retention_keeper.hpp"
#include "revocation.hpp"
#include "service_notify.hpp"
#include "storage.hpp"
#include "task_sweeper.hpp"

namespace vigil::central {

// What the server loads before it listens.
struct ServerState {
    std::unique_ptr<Storage> storage;
    std::unique_ptr<FileStore> files;
    std::unique_ptr<AgentCa> agent_ca;
    RevocationList revoked;
    ClientTrust trust;
    std::unique_ptr<RetentionKeeper> retention;  // after storage: stopped before it closes
};

// Blocks SIGTERM and SIGINT (call it before any thread starts, so only sigwait sees them)
// and ignores SIGPIPE; returns the set wait_for_shutdown waits on.
sigset_t block_shutdown_signals();

// The private state directory, the database, the file store, the agent CA and its
// revocations, then `make_tls` (the server's TLS context from state.trust); when one of them
// throws, prints why and returns false. Warns when no operator can log in.
bool load_server_state(const CentralConfig& config, ServerState& state,
                       const std::function<void(const ServerState&)>& make_tls);

// READY=1 with the port; the watchdog probe is a primary-key read through the storage.
void announce_ready(ServiceNotify& service, Storage& storage, int port);

// Shutdown: polls `busy` every 50 ms until it is false or `limit` has passed.
void wait_while(const std::function<bool()>& busy, std::chrono::milliseconds limit);

// The end of a graceful stop, once no connection is left: stops the task sweeper, closes
// the database (checkpoints the WAL) and says so; returns the exit code (0).
int finish_stop(std::optional<TaskSweeper>& sweeper, ServerState& state);

// Waits for SIGTERM or SIGINT, logs which, and sends STOPPING=1.
void wait_for_shutdown(const sigset_t& signals, ServiceNotify& service);

}  // namespace vigil::central
