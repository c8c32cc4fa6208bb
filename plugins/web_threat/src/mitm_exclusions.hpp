// Sites the encrypted connections scan never decrypts: the built-in list
// (OS update and EDR/agent endpoints, which pin their certificates), the
// kataedr central nodes and the agent's proxy, mitm.excluded_domains, and the
// sites added at run time by scan_error_action: add_to_exclusions (a client
// refused the Vigil certificate, the site asked for a client certificate),
// each for exclusion_ttl_s. Shared by the worker's event loops.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace vigil::web_threat {

// Update servers and EDR backends (each "*.name": the name and below).
const std::vector<std::string>& builtin_mitm_exclusions();

// The host of "https://host[:port][/...]" or "host:port" (brackets of an
// IPv6 address removed), or "" when there is none.
std::string host_of_url(std::string_view url);

class MitmExclusions {
public:
    // `names`: "host" (that name only) or "*.host" (the name and every name
    // below it). Throws std::runtime_error naming an entry that is no DNS name.
    MitmExclusions(const std::vector<std::string>& names, uint32_t ttl_s);

    // Whether a canonical host is excluded (now).
    bool excluded(std::string_view host) const;
    // Excludes `host` for the TTL; false when it already was. At most
    // kMaxRuntime names: the oldest expiry makes room.
    bool add(const std::string& host);
    size_t runtime_size() const;

    static constexpr size_t kMaxRuntime = 10000;

private:
    std::unordered_set<std::string> exact_, below_;
    uint32_t ttl_s_;
    mutable std::mutex mu_;
    std::unordered_map<std::string, int64_t> runtime_;  // host -> monotonic expiry (s)
};

}  // namespace vigil::web_threat
