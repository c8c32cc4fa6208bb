#include "mitm_exclusions.hpp"

#include <ctime>
#include <stdexcept>

#include "host_name.hpp"

namespace vigil::web_threat {

namespace {

int64_t now_s() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

}  // namespace

const std::vector<std::string>& builtin_mitm_exclusions() {
    static const std::vector<std::string> names{
        // OS and package updates (apt, snap, dnf, vendor repositories).
        "*.debian.org", "*.ubuntu.com", "*.canonical.com", "*.snapcraft.io", "*.launchpad.net",
        "*.launchpadcontent.net", "*.redhat.com", "*.fedoraproject.org", "*.centos.org", "*.rockylinux.org",
        "*.almalinux.org", "*.suse.com", "*.opensuse.org", "packages.microsoft.com", "dl.google.com",
        // EDR and security agents that pin their backends' certificates.
        "*.crowdstrike.com", "*.cloudsink.net", "*.sentinelone.net", "*.endpoint.security.microsoft.com",
        "*.wd.microsoft.com", "*.kaspersky.com", "*.kaspersky-labs.com", "*.elastic-cloud.com",
        "*.sophos.com", "*.trendmicro.com", "*.paloaltonetworks.com"};
    return names;
}

std::string host_of_url(std::string_view url) {
    if (const size_t scheme = url.find("://"); scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
    url = url.substr(0, url.find_first_of("/?#"));
    if (const size_t at = url.rfind('@'); at != std::string_view::npos) url.remove_prefix(at + 1);
    if (url.starts_with('[')) {
        const size_t close = url.find(']');
        return close == std::string_view::npos ? std::string() : std::string(url.substr(1, close - 1));
    }
    return std::string(url.substr(0, url.find(':')));
}

MitmExclusions::MitmExclusions(const std::vector<std::string>& names, uint32_t ttl_s) : ttl_s_(ttl_s) {
    for (const std::string& n : names) {
        const bool below = n.starts_with("*.");
        const std::string host = canonical_host(below ? std::string_view(n).substr(2) : std::string_view(n));
        std::string why;
        if (!valid_domain(host, &why)) throw std::runtime_error("mitm.excluded_domains: '" + n + "': " + why);
        (below ? below_ : exact_).insert(host);
    }
}

bool MitmExclusions::excluded(std::string_view host) const {
    if (exact_.count(std::string(host))) return true;
    for (std::string_view h = host; !h.empty(); h = parent_domain(h))
        if (below_.count(std::string(h))) return true;
    std::lock_guard<std::mutex> g(mu_);
    const auto it = runtime_.find(std::string(host));
    return it != runtime_.end() && it->second > now_s();
}

bool MitmExclusions::add(const std::string& host) {
    const int64_t now = now_s();
    std::lock_guard<std::mutex> g(mu_);
    if (auto it = runtime_.find(host); it != runtime_.end() && it->second > now) return false;
    if (runtime_.size() >= kMaxRuntime) {
        auto oldest = runtime_.begin();
        for (auto it = runtime_.begin(); it != runtime_.end(); ++it)
            if (it->second < oldest->second) oldest = it;
        runtime_.erase(oldest);
    }
    runtime_[host] = now + ttl_s_;
    return true;
}

size_t MitmExclusions::runtime_size() const {
    std::lock_guard<std::mutex> g(mu_);
    return runtime_.size();
}

}  // namespace vigil::web_threat
