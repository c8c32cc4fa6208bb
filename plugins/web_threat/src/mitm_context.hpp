// Everything the worker's scanned connections share: the site certificates
// (LeafMinter), the exclusions, the two TLS contexts (towards the client:
// TLS 1.2+, ALPN http/1.1 only; towards the site: the system trust store
// plus mitm.upstream_ca_file, SNI and name checked, ALPN http/1.1) and the
// actions of the settings. Made as root before the worker drops its
// privileges (the trust files are read then).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mitm_exclusions.hpp"
#include "mitm_leaf.hpp"
#include "settings.hpp"

namespace vigil::web_threat {

class MitmContext {
public:
    // `ca`: the plugin's CA; `exclusions`: the built-in ones, the kataedr
    // servers and mitm.excluded_domains. Throws std::runtime_error naming
    // what failed (a trust file, OpenSSL).
    MitmContext(MitmCa ca, const MitmSettings& s, const std::vector<std::string>& exclusions);

    LeafMinter& leaves() { return leaves_; }
    MitmExclusions& exclusions() { return exclusions_; }
    SSL_CTX* towards_client() const { return client_ctx_.get(); }
    SSL_CTX* towards_site() const { return site_ctx_.get(); }
    bool allow_untrusted() const { return allow_untrusted_; }
    bool exclude_on_error() const { return exclude_on_error_; }
    bool https_block_page() const { return https_block_page_; }

    // Whether a connection to `host` (its SNI, canonical) is decrypted.
    bool scans(const std::string& host) const;

    // Set on a site TLS object by the client-certificate callback: the site
    // asked for a client certificate (the worker has none to give).
    static bool client_certificate_asked(SSL* ssl);

private:
    LeafMinter leaves_;
    MitmExclusions exclusions_;
    SslCtxPtr client_ctx_, site_ctx_;
    bool allow_untrusted_, exclude_on_error_, https_block_page_;
};

}  // namespace vigil::web_threat
