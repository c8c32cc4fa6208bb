#include "vigil/common/task_signature.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <stdexcept>

#include "vigil/common/digest.hpp"

namespace vigil::common {
namespace {

struct PkeyFree {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::string raw_public(EVP_PKEY* key) {
    unsigned char raw[32];
    size_t len = sizeof raw;
    if (EVP_PKEY_get_base_id(key) != EVP_PKEY_ED25519 || EVP_PKEY_get_raw_public_key(key, raw, &len) != 1 ||
        len != 32)
        return {};
    return std::string(reinterpret_cast<char*>(raw), len);
}

std::string key_id_of(const std::string& raw) { return digest_bytes(raw, kSha256).sha256.substr(0, 16); }

}  // namespace

std::string task_signing_bytes(const SignedTaskFields& f) {
    return "vigil-task-signature-v1\nid=" + f.task_id + "\nagent_id=" + f.agent_id + "\ntype=" + f.type +
           "\ncreated_ns=" + std::to_string(f.created_ns) + "\nexpires_ns=" + std::to_string(f.expires_ns) +
           "\nargs=" + f.args_json;
}

Ed25519PublicKey load_ed25519_public_key(const std::string& path) {
    BIO* bio = BIO_new_file(path.c_str(), "r");
    if (!bio) throw std::runtime_error(path + ": cannot read");
    Pkey key(PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr));
    BIO_free(bio);
    std::string raw = key ? raw_public(key.get()) : std::string();
    if (raw.empty())
        throw std::runtime_error(path + ": not an Ed25519 public key in PEM (make one with `openssl genpkey "
                                        "-algorithm ed25519 -out k.pem; openssl pkey -in k.pem -pubout`)");
    return Ed25519PublicKey{raw, key_id_of(raw)};
}

std::string ed25519_sign(const std::string& private_key_pem, std::string_view message, std::string& key_id) {
    BIO* bio = BIO_new_mem_buf(private_key_pem.data(), static_cast<int>(private_key_pem.size()));
    Pkey key(bio ? PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr) : nullptr);
    BIO_free(bio);
    std::string raw = key ? raw_public(key.get()) : std::string();
    if (raw.empty()) throw std::runtime_error("the signing key is not an Ed25519 private key in PEM");
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    unsigned char sig[64];
    size_t len = sizeof sig;
    bool ok = ctx && EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, key.get()) == 1 &&
              EVP_DigestSign(ctx, sig, &len, reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok || len != 64) throw std::runtime_error("Ed25519 signing failed");
    key_id = key_id_of(raw);
    return base64_encode(std::string_view(reinterpret_cast<char*>(sig), len));
}

bool ed25519_verify(const Ed25519PublicKey& key, std::string_view message, std::string_view signature_base64) {
    auto sig = base64_decode(signature_base64);
    if (!sig || sig->size() != 64) return false;
    Pkey pub(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                         reinterpret_cast<const unsigned char*>(key.raw.data()), key.raw.size()));
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    bool ok = pub && ctx && EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, pub.get()) == 1 &&
              EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig->data()), sig->size(),
                               reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

std::string base64_encode(std::string_view data) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    size_t i = 0;
    for (; i + 2 < data.size(); i += 3) {
        uint32_t v = (uint32_t(uint8_t(data[i])) << 16) | (uint32_t(uint8_t(data[i + 1])) << 8) | uint8_t(data[i + 2]);
        for (int k = 18; k >= 0; k -= 6) out += kAlphabet[(v >> k) & 63];
    }
    if (size_t rest = data.size() - i) {
        uint32_t v = uint32_t(uint8_t(data[i])) << 16;
        if (rest == 2) v |= uint32_t(uint8_t(data[i + 1])) << 8;
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+') return 62;
        if (c == '/') return 63;
        return -1;
    };
    if (text.size() % 4 != 0) return std::nullopt;
    std::string out;
    for (size_t i = 0; i < text.size(); i += 4) {
        int a = value(text[i]), b = value(text[i + 1]);
        bool last = i + 4 == text.size();
        int c = last && text[i + 2] == '=' ? -2 : value(text[i + 2]);
        int d = last && text[i + 3] == '=' ? -2 : value(text[i + 3]);
        if (a < 0 || b < 0 || c == -1 || d == -1 || (c == -2 && d != -2)) return std::nullopt;
        uint32_t v = (uint32_t(a) << 18) | (uint32_t(b) << 12) | (uint32_t(c < 0 ? 0 : c) << 6) | uint32_t(d < 0 ? 0 : d);
        out += char(v >> 16);
        if (c >= 0) out += char((v >> 8) & 0xff);
        if (d >= 0) out += char(v & 0xff);
    }
    return out;
}

}  // namespace vigil::common
