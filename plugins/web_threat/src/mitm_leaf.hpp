// The worker's site certificates for the encrypted connections scan: one
// ECDSA P-256 key for every site (a signature, ~24 us, instead of a key
// generation per site), a certificate per server name signed by the CA
// (SAN = that name, serverAuth, valid 30 days), kept in a bounded LRU cache
// shared by the event loops.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "mitm_ca.hpp"

namespace vigil::web_threat {

class LeafMinter {
public:
    // `capacity`: certificates kept (the least recently used goes first).
    LeafMinter(MitmCa ca, size_t capacity);

    // The certificate for `host` (a canonical DNS name), minted on the first
    // use and again when the kept one is within a day of its end. Throws
    // std::runtime_error when OpenSSL fails.
    X509Ptr certificate(const std::string& host);
    EVP_PKEY* key() const { return key_.get(); }
    X509* ca() const { return ca_.cert.get(); }

    struct Counters {
        uint64_t minted = 0, hits = 0, evicted = 0;
        size_t cached = 0;
    };
    Counters counters() const;

    // Mints one without the cache (tests, benchmarks).
    X509Ptr mint(std::string_view host) const;

private:
    struct Entry {
        X509Ptr cert;
        int64_t renew_at = 0;  // monotonic seconds
        std::list<std::string>::iterator order;
    };

    MitmCa ca_;
    PKeyPtr key_;
    size_t capacity_;
    mutable std::mutex mu_;
    std::list<std::string> order_;  // most recently used first
    std::unordered_map<std::string, Entry> cache_;
    Counters counters_;
};

}  // namespace vigil::web_threat
