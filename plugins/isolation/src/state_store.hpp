// The isolation promise on disk: what was asked, until when. Reconciled at
// start so a restart or reboot keeps (or ends) the isolation as promised.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "endpoint.hpp"
#include "exclusion.hpp"

namespace vigil::isolation {

struct IsolationState {
    std::string table;
    int64_t started_ms = 0;  // wall clock, ms since the epoch
    int64_t expires_ms = 0;
    std::string reason;
    std::string origin;
    std::vector<Exclusion> exclusions;    // from the command (config ones are re-read)
    std::vector<Endpoint> central_nodes;  // from the command
    // Last known addresses per endpoint text: used when a name no longer
    // resolves (DNS is usually cut by the isolation itself).
    std::map<std::string, std::vector<std::string>> resolved;
    // The DNS resolvers configured when the isolation began (allow_dns):
    // port 53 stays open to these only. nullopt = not taken yet (older file).
    std::optional<std::vector<std::string>> dns_resolvers;
};

std::string state_to_json(const IsolationState& s);
IsolationState state_from_json(std::string_view json);  // throws ValidationError

class StateStore {
public:
    explicit StateStore(std::string path) : path_(std::move(path)) {}
    // Atomic replace (temp file, rename). With durable the data and the
    // directory are fsync'ed before returning; without, call make_durable()
    // later (the file already survives a crash of the process, only not a
    // power loss). Throws std::runtime_error with errno text on failure.
    void save(const IsolationState& s, bool durable = true) const;
    void make_durable() const;
    // nullopt when there is no saved isolation; throws when the file is unreadable or corrupt.
    std::optional<IsolationState> load() const;
    void clear() const;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

}  // namespace vigil::isolation
