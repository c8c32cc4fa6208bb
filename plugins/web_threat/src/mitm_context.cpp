#include "mitm_context.hpp"

#include <stdexcept>
#include <vigil/common/openssl_errors.hpp>

#include "host_name.hpp"

namespace vigil::web_threat {

namespace {

constexpr unsigned char kAlpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

int asked_index() {
    static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
}

// HTTP/1.1 when the client offers it, else no ALPN at all: the worker reads
// HTTP/1.1 only, and a client that insists on h2 fails and is excluded.
int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned inlen,
                void*) {
    unsigned char* selected = nullptr;
    if (SSL_select_next_proto(&selected, outlen, kAlpn, sizeof kAlpn, in, inlen) != OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK;
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}

int client_certificate(SSL* ssl, X509**, EVP_PKEY**) {
    SSL_set_ex_data(ssl, asked_index(), reinterpret_cast<void*>(1));
    return 0;  // none: the handshake goes on without one, or the site ends it
}

SslCtxPtr new_ctx(const SSL_METHOD* method) {
    SslCtxPtr ctx(SSL_CTX_new(method));
    if (!ctx || SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION) != 1)
        throw std::runtime_error("TLS context: " + common::openssl_errors());
    // Idle connections give their buffers back.
    SSL_CTX_set_mode(ctx.get(), SSL_MODE_RELEASE_BUFFERS);
    return ctx;
}

SslCtxPtr site_context(const std::string& extra_roots) {
    SslCtxPtr ctx = new_ctx(TLS_client_method());
    if (SSL_CTX_set_default_verify_paths(ctx.get()) != 1)
        throw std::runtime_error("the system trust store: " + common::openssl_errors());
    if (!extra_roots.empty() && SSL_CTX_load_verify_file(ctx.get(), extra_roots.c_str()) != 1)
        throw std::runtime_error("mitm.upstream_ca_file " + extra_roots + ": " + common::openssl_errors());
    // Checked after the handshake (SSL_get_verify_result): the setting
    // decides what an untrusted site gets, not OpenSSL's handshake abort.
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
    SSL_CTX_set_client_cert_cb(ctx.get(), client_certificate);
    if (SSL_CTX_set_alpn_protos(ctx.get(), kAlpn, sizeof kAlpn) != 0)
        throw std::runtime_error("TLS ALPN: " + common::openssl_errors());
    return ctx;
}

}  // namespace

MitmContext::MitmContext(MitmCa ca, const MitmSettings& s, const std::vector<std::string>& exclusions)
    : leaves_(std::move(ca), s.cert_cache_size),
      exclusions_(exclusions, s.exclusion_ttl_s),
      client_ctx_(new_ctx(TLS_server_method())),
      site_ctx_(site_context(s.upstream_ca_file)),
      allow_untrusted_(s.allow_untrusted),
      exclude_on_error_(s.exclude_on_error),
      https_block_page_(s.https_block_page) {
    SSL_CTX_set_alpn_select_cb(client_ctx_.get(), select_alpn, nullptr);
    (void)asked_index();
}

bool MitmContext::scans(const std::string& host) const {
    // A certificate needs a name: no SNI or an address is passed through.
    return !host.empty() && !ipv4_of_host(host) && host.find(':') == std::string::npos &&
           !exclusions_.excluded(host);
}

bool MitmContext::client_certificate_asked(SSL* ssl) { return SSL_get_ex_data(ssl, asked_index()) != nullptr; }

}  // namespace vigil::web_threat
