#include "mitm_leaf.hpp"

#include <openssl/x509v3.h>

#include <ctime>
#include <stdexcept>
#include <vigil/common/openssl_errors.hpp>

#include "mitm_cert.hpp"

namespace vigil::web_threat {

namespace {

constexpr int64_t kLeafS = 30 * 86400;
constexpr int64_t kRenewS = kLeafS - 86400;

int64_t now_s() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

// subjectAltName = DNS:<host>, built as a name rather than configuration
// text, so no character of the name is read as syntax.
void add_dns_name(X509* x, std::string_view host) {
    GENERAL_NAMES* names = sk_GENERAL_NAME_new_null();
    GENERAL_NAME* gn = GENERAL_NAME_new();
    ASN1_IA5STRING* ia5 = ASN1_IA5STRING_new();
    const bool ok = names && gn && ia5 && ASN1_STRING_set(ia5, host.data(), int(host.size())) == 1;
    if (ok) {
        GENERAL_NAME_set0_value(gn, GEN_DNS, ia5);
        sk_GENERAL_NAME_push(names, gn);
    } else {
        ASN1_IA5STRING_free(ia5);
        GENERAL_NAME_free(gn);
    }
    const int added = ok ? X509_add1_ext_i2d(x, NID_subject_alt_name, names, 0, X509V3_ADD_DEFAULT) : 0;
    sk_GENERAL_NAME_pop_free(names, GENERAL_NAME_free);
    if (added != 1) throw std::runtime_error("making a certificate: subjectAltName: " + common::openssl_errors());
}

}  // namespace

LeafMinter::LeafMinter(MitmCa ca, size_t capacity)
    : ca_(std::move(ca)), key_(new_p256_key()), capacity_(capacity ? capacity : 1) {}

X509Ptr LeafMinter::mint(std::string_view host) const {
    // Not after the CA: a chain that outlives its root fails anyway.
    const int64_t left = seconds_left(ca_.cert.get());
    X509Ptr x = new_certificate(key_.get(), host, -86400, left < kLeafS ? left : kLeafS);
    add_extension(x.get(), ca_.cert.get(), NID_basic_constraints, "critical,CA:FALSE");
    add_extension(x.get(), ca_.cert.get(), NID_key_usage, "critical,digitalSignature");
    add_extension(x.get(), ca_.cert.get(), NID_ext_key_usage, "serverAuth");
    add_extension(x.get(), ca_.cert.get(), NID_authority_key_identifier, "keyid");
    add_dns_name(x.get(), host);
    sign_certificate(x.get(), ca_.cert.get(), ca_.key.get());
    return x;
}

X509Ptr LeafMinter::certificate(const std::string& host) {
    const int64_t now = now_s();
    {
        std::lock_guard<std::mutex> g(mu_);
        if (auto it = cache_.find(host); it != cache_.end() && it->second.renew_at > now) {
            order_.splice(order_.begin(), order_, it->second.order);
            ++counters_.hits;
            return share(it->second.cert.get());
        }
    }
    // Signed outside the lock: the other loops keep their cache hits meanwhile.
    X509Ptr fresh = mint(host);
    std::lock_guard<std::mutex> g(mu_);
    ++counters_.minted;
    auto it = cache_.find(host);
    if (it == cache_.end()) {
        order_.push_front(host);
        it = cache_.emplace(host, Entry{nullptr, 0, order_.begin()}).first;
    } else {
        order_.splice(order_.begin(), order_, it->second.order);
    }
    it->second.cert = share(fresh.get());
    it->second.renew_at = now + kRenewS;
    while (cache_.size() > capacity_) {
        cache_.erase(order_.back());
        order_.pop_back();
        ++counters_.evicted;
    }
    return fresh;
}

LeafMinter::Counters LeafMinter::counters() const {
    std::lock_guard<std::mutex> g(mu_);
    Counters c = counters_;
    c.cached = cache_.size();
    return c;
}

}  // namespace vigil::web_threat
