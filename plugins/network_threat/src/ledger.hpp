// The ban ledger: every ban the plugin holds, with when it ends and why,
// kept in the plugin's state directory (atomic, fsync'ed writes) so a
// restart restores each ban with its remaining time. The kernel enforces
// and expires; the ledger remembers what the kernel cannot (reason, origin,
// the threat) and restores the kernel's sets when they were lost.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>
#include <vigil/common/ip_address.hpp>

namespace vigil::network_threat {

struct Ban {
    common::IpPrefix prefix;
    bool attack = false;  // block_attacking_hosts: false — attack traffic dropped, host not listed
    int64_t since_ms = 0;
    int64_t until_ms = 0;
    std::string reason;  // the class ("scan.tcp.syn") or "manual"
    std::string origin;  // "policy", "vigilctl", "task:<id>", ...
    uint64_t threat_id = 0;
};

class Ledger {
public:
    explicit Ledger(std::string path) : path_(std::move(path)) {}

    struct Loaded {
        std::vector<std::string> warnings;  // entries skipped and why
        std::string mode;                   // action_on_detect when last saved ("" when no file)
    };
    // Reads the file (missing = empty). A malformed file or entry is skipped
    // with a warning; the plugin keeps running.
    Loaded load();
    // Writes the file atomically; throws std::system_error naming the path.
    void save(const std::string& mode) const;

    const Ban* find(const common::IpPrefix& p, bool attack) const;
    // Adds or replaces the ban of the same prefix and kind.
    void put(Ban b);
    bool erase(const common::IpPrefix& p, bool attack);
    // Removes and returns the bans that ended at `now_ms`.
    std::vector<Ban> take_expired(int64_t now_ms);
    std::vector<Ban> take_all();
    using Key = std::pair<common::IpPrefix, bool>;  // (prefix, attack)
    const std::map<Key, Ban>& bans() const { return bans_; }
    size_t listed() const;  // bans shown by network_threat.list (not the attack ones)
    const std::string& path() const { return path_; }

private:
    std::string path_;
    std::map<Key, Ban> bans_;
};

}  // namespace vigil::network_threat
