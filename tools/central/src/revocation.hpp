#pragma once
// The serials of revoked agent certificates, checked at every TLS handshake and on every
// request. Loaded from storage at start; `agents revoke` adds to it while the server runs.
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_set>
#include <vector>

namespace vigil::central {

class RevocationList {
public:
    void replace(const std::vector<std::string>& serials) {
        std::unique_lock lock(mu_);
        serials_ = {serials.begin(), serials.end()};
    }
    void add(const std::string& serial) {
        std::unique_lock lock(mu_);
        serials_.insert(serial);
    }
    bool revoked(const std::string& serial) const {
        std::shared_lock lock(mu_);
        return serials_.count(serial) > 0;
    }
    size_t size() const {
        std::shared_lock lock(mu_);
        return serials_.size();
    }

private:
    mutable std::shared_mutex mu_;
    std::unordered_set<std::string> serials_;
};

}  // namespace vigil::central
