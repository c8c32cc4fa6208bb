// The plugin's side of the interception: checks and resolves what the worker
// needs (its executable, user, DNS upstreams), holds the static nftables
// table (and, in fail_mode closed, the redirect table) and the worker
// supervisor, turns the worker's reports into records, and describes it all
// in the status.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vigil/common/nft.hpp>
#include <vigil/host.hpp>

#include "list_set.hpp"
#include "dns_notes.hpp"
#include "mitm_notes.hpp"
#include "settings.hpp"
#include "web_events.hpp"
#include "worker_supervisor.hpp"

namespace vigil::web_threat {

struct WorkerUser {
    uid_t uid = 0;
    gid_t gid = 0;
};
// A user name or a numeric uid (gid = uid then); nullopt for root or unknown.
std::optional<WorkerUser> resolve_worker_user(const std::string& user, std::string& why);
// settings.worker_path, or ../libexec/vigil-web-worker next to this plugin.
std::string default_worker_path();

class Interception {
public:
    Interception(const Host& host, const Settings& settings);
    ~Interception();

    // Sets up the tables and starts the worker; problems go to the status and
    // the log (the lists still answer web_threat.check).
    void start();
    void stop();
    // New lists: the listed addresses and networks of enabled categories
    // (and the trusted ones) go into the static table's sets in one
    // transaction (kept for the table's next creation when it is not there
    // yet), and a snapshot of `blocked` to the running worker, which swaps
    // it in without starting again (a worker that is starting loads the
    // lists itself).
    void set_lists(const ListSet& blocked, const ListSet& trusted);
    // The CA of the encrypted connections scan, for the worker (before start()).
    // `exclusions`: names never decrypted besides the settings' and the built-in ones.
    void set_mitm_ca(std::string cert_pem, std::string key_pem, std::vector<std::string> exclusions) {
        mitm_ca_cert_ = std::move(cert_pem);
        mitm_ca_key_ = std::move(key_pem);
        mitm_exclusions_ = std::move(exclusions);
    }
    // The "interception" status object.
    std::string status_json() const;
    // Called when the status changed: the worker's state at once, counters
    // at most once a second.
    void on_change(std::function<void()> fn) { changed_ = std::move(fn); }

private:
    void fail(const std::string& why);
    void changed(bool now);
    bool set_up_tables();
    bool set_up_closed_redirect();
    void send_snapshot(const ListSet& blocked);
    std::string static_table_text() const;
    // Packets counted by a named counter of the static table (0 when absent).
    uint64_t nft_counter(const char* name) const;

    const Host& host_;
    const Settings& settings_;
    std::unique_ptr<common::nft::Runner> nft_;
    std::unique_ptr<WorkerSupervisor> worker_;
    WebCounters counters_;
    std::atomic<uint64_t> next_threat_id_;
    std::vector<std::string> dns_upstreams_;
    std::string mitm_ca_cert_, mitm_ca_key_;
    std::vector<std::string> mitm_exclusions_;
    MitmNotes mitm_notes_;
    DnsNotes dns_notes_;
    WorkerUser user_;
    mutable std::mutex mu_;
    std::string error_;
    std::string worker_path_;
    std::vector<common::IpPrefix> blocked_ips_, trusted_ips_;  // under mu_
    std::function<void()> changed_;
    int64_t lookup_window_ns_ = 0;  // the supervisor thread's process lookups
    int lookups_ = 0;
    std::atomic<int64_t> last_change_ns_{0};
    std::atomic<uint64_t> lists_generation_{0};  // snapshots sent to the worker
};

}  // namespace vigil::web_threat
