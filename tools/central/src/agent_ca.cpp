#include "agent_ca.hpp"

#include <fcntl.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <stdexcept>

#include "ids.hpp"
#include "ossl.hpp"

namespace vigil::central {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kAgentUriPrefix = "urn:vigil:agent:";
constexpr int64_t kCaLifetimeS = 10ll * 365 * 86400;
constexpr int64_t kBackdateS = 300;  // tolerates agents whose clock is a little behind

void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (!ext || X509_add_ext(cert, ext, -1) != 1) {
        X509_EXTENSION_free(ext);
        throw std::runtime_error("cannot add certificate extension " + value + ": " + ossl::errors());
    }
    X509_EXTENSION_free(ext);
}

void set_random_serial(X509* cert) {
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
    bytes[0] &= 0x7f;  // positive
    bytes[0] |= 0x40;  // and always 16 bytes long
    BIGNUM* bn = BN_bin2bn(bytes, sizeof bytes, nullptr);
    bool ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
    BN_free(bn);
    if (!ok) throw std::runtime_error("cannot set certificate serial: " + ossl::errors());
}

void set_validity(X509* cert, int64_t from_s, int64_t to_s) {
    if (!ASN1_TIME_set(X509_getm_notBefore(cert), static_cast<time_t>(from_s)) ||
        !ASN1_TIME_set(X509_getm_notAfter(cert), static_cast<time_t>(to_s)))
        throw std::runtime_error("cannot set certificate validity: " + ossl::errors());
}

X509_NAME* make_name(const std::string& org, const std::string& cn) {
    X509_NAME* name = X509_NAME_new();
    auto add = [&](const char* field, const std::string& v) {
        return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                          reinterpret_cast<const unsigned char*>(v.c_str()), -1, -1, 0);
    };
    if (!name || !add("O", org) || !add("CN", cn)) {
        X509_NAME_free(name);
        throw std::runtime_error("cannot build certificate name: " + ossl::errors());
    }
    return name;
}

std::string to_pem(X509* cert) {
    ossl::Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1)
        throw std::runtime_error("cannot encode certificate: " + ossl::errors());
    return ossl::bio_text(bio.get());
}

// Writes `data` to `path` through a fresh temporary file with `mode`, then renames it.
void write_new_file(const std::string& path, const std::string& data, mode_t mode) {
    std::string tmp = path + ".tmp";
    ::unlink(tmp.c_str());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0) throw std::runtime_error("cannot create " + tmp + ": " + std::strerror(errno));
    bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()) && ::fsync(fd) == 0;
    ok = ::close(fd) == 0 && ok;
    if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
        ::unlink(tmp.c_str());
        throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
    }
}

std::string octal_mode(mode_t mode) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
    return buf;
}

std::string random_hex(size_t bytes) {
    std::string id = new_task_id();  // 16 random bytes as hex
    return id.substr(0, bytes * 2);
}

void check_key_strength(EVP_PKEY* key) {
    int id = EVP_PKEY_get_base_id(key);
    if (id == EVP_PKEY_ED25519) return;
    if (id == EVP_PKEY_RSA) {
        int bits = EVP_PKEY_get_bits(key);
        if (bits < 2048 || bits > 8192)
            throw std::invalid_argument("csr: RSA key of " + std::to_string(bits) +
                                        " bits (2048..8192 accepted; EC P-256 recommended)");
        return;
    }
    if (id == EVP_PKEY_EC) {
        char curve[64] = {0};
        size_t len = 0;
        EVP_PKEY_get_utf8_string_param(key, "group", curve, sizeof curve, &len);
        std::string c(curve, len);
        if (c == "prime256v1" || c == "P-256" || c == "secp384r1" || c == "P-384") return;
        throw std::invalid_argument("csr: EC curve " + (c.empty() ? std::string("?") : c) +
                                    " not accepted (P-256 or P-384)");
    }
    throw std::invalid_argument("csr: key type not accepted (EC P-256/P-384, Ed25519 or RSA >= 2048)");
}

}  // namespace

std::string agent_uri(std::string_view agent_id) { return std::string(kAgentUriPrefix) + std::string(agent_id); }

std::string serial_hex(const X509* cert) {
    BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
    char* hex = bn ? BN_bn2hex(bn) : nullptr;
    std::string out = hex ? hex : "";
    OPENSSL_free(hex);
    BN_free(bn);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

int64_t not_after_seconds(const X509* cert) {
    struct tm tm {};
    if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) != 1) return 0;
    return static_cast<int64_t>(timegm(&tm));
}

std::unique_ptr<AgentCa> AgentCa::load_or_create(const std::string& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw std::runtime_error("cannot create agent CA directory " + dir + ": " + ec.message());
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
    if (ec) throw std::runtime_error("cannot restrict agent CA directory " + dir + ": " + ec.message());
    std::unique_ptr<AgentCa> ca(new AgentCa);
    std::string key_path = dir + "/agent-ca.key";
    ca->cert_path_ = dir + "/agent-ca.crt";
    bool have_key = fs::exists(key_path), have_cert = fs::exists(ca->cert_path_);
    if (!have_key && !have_cert) {
        ca->create(key_path, ca->cert_path_);
    } else if (have_key != have_cert) {
        throw std::runtime_error("agent CA in " + dir + ": " + (have_key ? ca->cert_path_ : key_path) +
                                 " is missing (restore it from backup, or remove both files to create a new "
                                 "CA, which makes every enrolled agent enroll again)");
    } else {
        ca->load(key_path, ca->cert_path_);
    }
    ca->cert_pem_ = to_pem(ca->cert_);
    return ca;
}

void AgentCa::create(const std::string& key_path, const std::string& cert_path) {
    key_ = EVP_EC_gen("P-256");
    if (!key_) throw std::runtime_error("cannot generate the agent CA key: " + ossl::errors());
    cert_ = X509_new();
    if (!cert_ || X509_set_version(cert_, 2) != 1) throw std::runtime_error("X509_new: " + ossl::errors());
    set_random_serial(cert_);
    int64_t now = static_cast<int64_t>(std::time(nullptr));
    set_validity(cert_, now - kBackdateS, now + kCaLifetimeS);
    X509_NAME* name = make_name("Vigil", "Vigil agent CA " + random_hex(4));
    X509_set_subject_name(cert_, name);
    X509_set_issuer_name(cert_, name);
    X509_NAME_free(name);
    X509_set_pubkey(cert_, key_);
    add_ext(cert_, cert_, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
    add_ext(cert_, cert_, NID_key_usage, "critical,keyCertSign,cRLSign");
    add_ext(cert_, cert_, NID_subject_key_identifier, "hash");
    if (X509_sign(cert_, key_, EVP_sha256()) <= 0)
        throw std::runtime_error("cannot sign the agent CA certificate: " + ossl::errors());
    ossl::Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key_, nullptr, nullptr, 0, nullptr, nullptr) != 1)
        throw std::runtime_error("cannot encode the agent CA key: " + ossl::errors());
    write_new_file(key_path, ossl::bio_text(bio.get()), 0600);
    write_new_file(cert_path, to_pem(cert_), 0644);
}

void AgentCa::load(const std::string& key_path, const std::string& cert_path) {
    struct stat st {};
    if (::stat(key_path.c_str(), &st) != 0)
        throw std::runtime_error("cannot stat " + key_path + ": " + std::strerror(errno));
    if (st.st_mode & 077)
        throw std::runtime_error("agent CA key " + key_path + " is accessible by group or others (mode " +
                                 octal_mode(st.st_mode) + "): chmod 600 it");
    if (st.st_uid != ::geteuid() && st.st_uid != 0)
        throw std::runtime_error("agent CA key " + key_path + " belongs to another user (uid " +
                                 std::to_string(st.st_uid) + ")");
    ossl::Bio kb(BIO_new_file(key_path.c_str(), "r"));
    key_ = kb ? PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr) : nullptr;
    if (!key_) throw std::runtime_error("cannot read agent CA key " + key_path + ": " + ossl::errors());
    ossl::Bio cb(BIO_new_file(cert_path.c_str(), "r"));
    cert_ = cb ? PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr) : nullptr;
    if (!cert_) throw std::runtime_error("cannot read agent CA certificate " + cert_path + ": " + ossl::errors());
    if (X509_check_private_key(cert_, key_) != 1)
        throw std::runtime_error("agent CA key " + key_path + " does not belong to " + cert_path);
    ERR_clear_error();
}

AgentCa::~AgentCa() {
    X509_free(cert_);
    EVP_PKEY_free(key_);
}

IssuedCertificate AgentCa::issue(std::string_view csr_pem, const std::string& agent_id, int64_t lifetime_s,
                                 int64_t now_s) const {
    if (!valid_agent_id(agent_id)) throw std::invalid_argument("agent_id: invalid");
    ossl::Bio in = ossl::memory_bio(csr_pem);
    ossl::Req req(in ? PEM_read_bio_X509_REQ(in.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!req) {
        ERR_clear_error();
        throw std::invalid_argument("csr: not a PEM certificate request (-----BEGIN CERTIFICATE REQUEST-----)");
    }
    EVP_PKEY* pub = X509_REQ_get0_pubkey(req.get());
    if (!pub) throw std::invalid_argument("csr: no public key");
    check_key_strength(pub);
    if (X509_REQ_verify(req.get(), pub) != 1) {
        ERR_clear_error();
        throw std::invalid_argument("csr: its signature does not verify with its own key");
    }
    ossl::X509Ptr cert(X509_new());
    if (!cert || X509_set_version(cert.get(), 2) != 1) throw std::runtime_error("X509_new: " + ossl::errors());
    set_random_serial(cert.get());
    int64_t until = std::min(now_s + lifetime_s, not_after_seconds(cert_));
    set_validity(cert.get(), now_s - kBackdateS, until);
    X509_NAME* subject = make_name("Vigil agent", agent_id);
    X509_set_subject_name(cert.get(), subject);
    X509_NAME_free(subject);
    X509_set_issuer_name(cert.get(), X509_get_subject_name(cert_));
    X509_set_pubkey(cert.get(), pub);
    add_ext(cert.get(), cert_, NID_basic_constraints, "critical,CA:FALSE");
    add_ext(cert.get(), cert_, NID_key_usage, "critical,digitalSignature");
    add_ext(cert.get(), cert_, NID_ext_key_usage, "clientAuth");
    add_ext(cert.get(), cert_, NID_subject_alt_name, "URI:" + agent_uri(agent_id));
    add_ext(cert.get(), cert_, NID_authority_key_identifier, "keyid:always");
    {
        std::lock_guard lock(sign_mutex_);
        if (X509_sign(cert.get(), key_, EVP_sha256()) <= 0)
            throw std::runtime_error("cannot sign the agent certificate: " + ossl::errors());
    }
    return IssuedCertificate{to_pem(cert.get()), serial_hex(cert.get()), now_s - kBackdateS, until};
}

std::optional<AgentCertInfo> AgentCa::identify(X509* cert) const {
    if (!cert || X509_check_issued(cert_, cert) != X509_V_OK) return std::nullopt;
    EVP_PKEY* ca_pub = X509_get0_pubkey(cert_);
    if (!ca_pub || X509_verify(cert, ca_pub) != 1) {
        ERR_clear_error();
        return std::nullopt;
    }
    ossl::Names names(static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
    std::optional<std::string> id;
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
        const GENERAL_NAME* n = sk_GENERAL_NAME_value(names.get(), i);
        if (n->type != GEN_URI) continue;
        std::string_view uri(reinterpret_cast<const char*>(ASN1_STRING_get0_data(n->d.uniformResourceIdentifier)),
                             static_cast<size_t>(ASN1_STRING_length(n->d.uniformResourceIdentifier)));
        if (uri.substr(0, kAgentUriPrefix.size()) != kAgentUriPrefix) continue;
        if (id) return std::nullopt;  // two agent names: not an identity we issued
        id = std::string(uri.substr(kAgentUriPrefix.size()));
    }
    if (!id || !valid_agent_id(*id)) return std::nullopt;
    return AgentCertInfo{*id, serial_hex(cert), not_after_seconds(cert)};
}

}  // namespace vigil::central
