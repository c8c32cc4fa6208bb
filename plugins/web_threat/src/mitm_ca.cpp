#include "mitm_ca.hpp"

#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cerrno>
#include <ctime>
#include <stdexcept>
#include <vigil/common/atomic_file.hpp>
#include <vigil/common/openssl_errors.hpp>
#include <vigil/common/secret_file.hpp>
#include <vigil/common/small_file.hpp>

#include "mitm_cert.hpp"

namespace vigil::web_threat {

namespace {

constexpr int kCaDays = 730;
constexpr int64_t kRenewBeforeS = 30 * 86400;

const char* kCertName = "/mitm_ca.crt";
const char* kKeyName = "/mitm_ca.key";

std::string read_text(const std::string& path, const char* what) {
    try {
        const auto text = common::read_small_file(path, {.max_bytes = 1u << 20, .truncate = false, .nofollow = false});
        if (!text) throw std::runtime_error("no such file");
        return *text;
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string(what) + " " + path + ": " + e.what());
    }
}

CaPem read_files(const std::string& cert_file, const std::string& key_file) {
    CaPem pem;
    pem.cert = read_text(cert_file, "mitm.ca_cert_file");
    try {
        // The key must be readable by its owner (root) alone.
        pem.key = common::read_secret_text(key_file);
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string("mitm.ca_key_file: ") + e.what());
    }
    return pem;
}

bool exists(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0 || errno != ENOENT;
}

}  // namespace

MitmCa generate_ca(std::string_view label, int days) {
    MitmCa ca;
    ca.key = new_p256_key();
    ca.cert = new_certificate(ca.key.get(), std::string(label) + " CA", -3600, int64_t(days) * 86400);
    X509* x = ca.cert.get();
    X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "O", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("Vigil"), -1, -1, 0);
    add_extension(x, x, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
    add_extension(x, x, NID_key_usage, "critical,keyCertSign,cRLSign");
    add_extension(x, x, NID_subject_key_identifier, "hash");
    add_extension(x, x, NID_authority_key_identifier, "keyid:always");
    sign_certificate(x, x, ca.key.get());
    return ca;
}

CaPem to_pem(const MitmCa& ca) { return CaPem{pem_of(ca.cert.get()), pem_of_private_key(ca.key.get())}; }

MitmCa ca_from_pem(const CaPem& pem, const std::string& where) {
    MitmCa ca;
    ca.cert = certificate_from_pem(pem.cert);
    if (!ca.cert) throw std::runtime_error(where + ": the certificate is not a PEM certificate: " + common::openssl_errors());
    ca.key = private_key_from_pem(pem.key);
    if (!ca.key)
        throw std::runtime_error(where + ": the key is not an unencrypted PEM private key: " + common::openssl_errors());
    if (X509_check_private_key(ca.cert.get(), ca.key.get()) != 1) {
        ERR_clear_error();
        throw std::runtime_error(where + ": the private key does not belong to the certificate");
    }
    if (X509_check_ca(ca.cert.get()) < 1)
        throw std::runtime_error(where + ": the certificate is not a CA certificate (basicConstraints CA:TRUE, keyCertSign)");
    if (X509_cmp_current_time(X509_get0_notBefore(ca.cert.get())) > 0)
        throw std::runtime_error(where + ": the certificate is not valid yet");
    if (seconds_left(ca.cert.get()) <= 0) throw std::runtime_error(where + ": the certificate has expired");
    return ca;
}

CaPem load_or_create_ca(const CaSource& src, bool& made) {
    made = false;
    if (!src.cert_file.empty() || !src.key_file.empty()) {
        if (src.cert_file.empty() || src.key_file.empty())
            throw std::runtime_error("mitm.ca_cert_file and mitm.ca_key_file: give both or neither");
        CaPem pem = read_files(src.cert_file, src.key_file);
        (void)ca_from_pem(pem, "mitm.ca_cert_file " + src.cert_file);
        return pem;
    }
    const std::string cert_path = src.state_dir + kCertName, key_path = src.state_dir + kKeyName;
    if (exists(cert_path) || exists(key_path)) {
        CaPem pem{read_text(cert_path, "the kept CA"), read_text(key_path, "the kept CA key")};
        const MitmCa ca = ca_from_pem(pem, "the kept CA " + cert_path);
        if (seconds_left(ca.cert.get()) > kRenewBeforeS) return pem;
    }
    const CaPem pem = to_pem(generate_ca(src.label, kCaDays));
    // The key first: a certificate without its key would be refused at the next start.
    common::write_file_atomic(key_path, pem.key, {.mode = 0600});
    common::write_file_atomic(cert_path, pem.cert, {.mode = 0600});
    made = true;
    return pem;
}

std::string ca_fingerprint(X509* cert) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (X509_digest(cert, EVP_sha256(), md, &n) != 1) return "";
    static const char* hex = "0123456789ABCDEF";
    std::string out = "SHA256:";
    for (unsigned i = 0; i < n; ++i) {
        if (i) out += ':';
        out += hex[md[i] >> 4];
        out += hex[md[i] & 15];
    }
    return out;
}

int64_t seconds_left(X509* cert) {
    int days = 0, secs = 0;
    if (ASN1_TIME_diff(&days, &secs, nullptr, X509_get0_notAfter(cert)) != 1) return -1;
    return int64_t(days) * 86400 + secs;
}

}  // namespace vigil::web_threat
