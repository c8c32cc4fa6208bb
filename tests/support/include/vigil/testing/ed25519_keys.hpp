#pragma once
// Ed25519 key pairs for signing tests, written the way `openssl genpkey -algorithm ed25519`
// and `openssl pkey -pubout` write them. Header-only: a test using it links OpenSSL::Crypto.

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdio>
#include <stdexcept>
#include <string>

#include "vigil/testing/temp_dir.hpp"

namespace vigil::testing {

// A fresh key pair in DIR/NAME.key (private, PEM) and DIR/NAME.pub (public, PEM).
struct Ed25519KeyFiles {
    std::string priv, pub;

    Ed25519KeyFiles(const TempDir& dir, const std::string& name)
        : priv((dir / (name + ".key")).string()), pub((dir / (name + ".pub")).string()) {
        EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
        if (!key) throw std::runtime_error("Ed25519 key generation failed");
        const bool ok = write(priv, [key](FILE* f) {
            return PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
        }) && write(pub, [key](FILE* f) { return PEM_write_PUBKEY(f, key); });
        EVP_PKEY_free(key);
        if (!ok) throw std::runtime_error("cannot write the Ed25519 key pair " + priv);
    }

private:
    template <class Write>
    static bool write(const std::string& path, Write write_pem) {
        FILE* f = std::fopen(path.c_str(), "w");
        if (!f) return false;
        const bool ok = write_pem(f) == 1;
        return std::fclose(f) == 0 && ok;
    }
};

}  // namespace vigil::testing
