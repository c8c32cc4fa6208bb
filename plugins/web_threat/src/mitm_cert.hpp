// What the CA and the leaf certificates share: a version 3 certificate with
// a random serial, a validity window and extensions, signed with SHA-256.
#pragma once

#include <cstdint>
#include <string_view>

#include "mitm_ossl.hpp"

namespace vigil::web_threat {

// A new certificate for `key`, valid from `from_s` to `to_s` (seconds from
// now, negative in the past), with subject CN=`common_name` (left out when
// empty or longer than 64 characters, the most a CN may hold).
X509Ptr new_certificate(EVP_PKEY* key, std::string_view common_name, int64_t from_s, int64_t to_s);

// Adds an extension from its OpenSSL configuration text ("critical,CA:TRUE");
// `issuer` is the signing certificate (the certificate itself for a root),
// used for authorityKeyIdentifier.
void add_extension(X509* x, X509* issuer, int nid, const char* value);

// Sets the issuer name and signs with SHA-256.
void sign_certificate(X509* x, X509* issuer, EVP_PKEY* issuer_key);

}  // namespace vigil::web_threat
