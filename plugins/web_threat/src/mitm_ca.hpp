// The local certificate authority of the encrypted connections scan: an
// ECDSA P-256 root made on first enable into the plugin's state directory
// (root-owned, 0600) or given by the operator (mitm.ca_cert_file /
// mitm.ca_key_file). The plugin (root) loads it and hands it to the worker
// through the worker's configuration socket, so the key never lies in a file
// the worker user can read; `vigilctl web_threat ca` prints the certificate
// to install in the trust stores.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "mitm_ossl.hpp"

namespace vigil::web_threat {

struct MitmCa {
    X509Ptr cert;
    PKeyPtr key;
};

// The same in PEM, as stored and as sent to the worker.
struct CaPem {
    std::string cert, key;
};

// A new self-signed CA (basicConstraints CA:TRUE pathlen 0, keyCertSign),
// valid from an hour ago for `days`; `label` goes into its common name.
MitmCa generate_ca(std::string_view label, int days);
CaPem to_pem(const MitmCa& ca);

// Parses and checks a CA: one certificate and its matching private key, a
// CA certificate, valid now. Throws std::runtime_error naming `where` and
// what is wrong.
MitmCa ca_from_pem(const CaPem& pem, const std::string& where);

// Where the CA comes from: the operator's two files, or (both empty) the
// state directory, where one is made when there is none, or when the kept
// one has expired or expires within 30 days. `made` tells which happened.
struct CaSource {
    std::string cert_file, key_file;
    std::string state_dir;
    std::string label = "Vigil web_threat";
};
CaPem load_or_create_ca(const CaSource& src, bool& made);

// "SHA256:ab:cd:..", for logs and status (what an operator compares with the
// trust store).
std::string ca_fingerprint(X509* cert);

// Seconds until the certificate expires (negative: expired).
int64_t seconds_left(X509* cert);

}  // namespace vigil::web_threat
