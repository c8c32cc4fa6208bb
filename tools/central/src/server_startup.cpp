#include "server_startup.hpp"

#include <csignal>
#include <exception>
#include <string>
#include <thread>

#include "log_limiter.hpp"
#include "state_files.hpp"
#include "storage_open.hpp"

namespace vigil::central {

sigset_t block_shutdown_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    return set;
}

bool load_server_state(const CentralConfig& config, ServerState& st,
                       const std::function<void(const ServerState&)>& make_tls) {
    try {
        // Everything the server keeps (database, WAL, uploaded files, the agent CA) is private.
        for (const auto& line : prepare_state(config)) log_line(line);
        st.storage = open_storage(config);
        if (config.storage.retention_days > 0 || config.storage.max_database_gb > 0)
            st.retention = std::make_unique<RetentionKeeper>(*st.storage, config.storage.retention_check_s);
        st.files = std::make_unique<FileStore>(config.files_dir);
        st.agent_ca = AgentCa::load_or_create(config.agent_ca_dir);
        st.revoked.replace(st.storage->revoked_serials());
        st.trust = ClientTrust{st.agent_ca.get(), &st.revoked, config.tls.client_ca,
                               config.tls.require_client_certificate};
        make_tls(st);
    } catch (const std::exception& e) {
        log_line(std::string("cannot start: ") + e.what());
        return false;
    }
    if (config.api.operators.empty() && st.storage->list_operators().empty())
        log_line("warning: no operators (central.yaml operators.tokens or `vigil-central operator add`); the operator "
                 "API is closed");
    return true;
}

void announce_ready(ServiceNotify& service, Storage& storage, int port) {
    service.ready("listening on port " + std::to_string(port), [&storage] {
        storage.find_agent("00000000-0000-0000-0000-000000000000");
        return true;
    });
}

void wait_while(const std::function<bool()>& busy, std::chrono::milliseconds limit) {
    constexpr std::chrono::milliseconds kStep(50);
    for (auto waited = std::chrono::milliseconds(0); waited < limit && busy(); waited += kStep)
        std::this_thread::sleep_for(kStep);
}

int finish_stop(std::optional<TaskSweeper>& sweeper, ServerState& state) {
    sweeper.reset();
    state.retention.reset();
    state.storage.reset();
    log_line("stopped");
    return 0;
}

void wait_for_shutdown(const sigset_t& signals, ServiceNotify& service) {
    int sig = 0;
    sigwait(&signals, &sig);
    log_line(std::string("received ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") + ", shutting down");
    service.stopping();
}

}  // namespace vigil::central
