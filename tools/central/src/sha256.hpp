#pragma once
// Incremental SHA-256 (OpenSSL EVP) for streamed uploads.
#include <memory>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace vigil::central {

class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void update(const void* data, size_t size);
    std::string hex_digest();  // finishes the hash

    static std::string of(std::string_view data);

private:
    evp_md_ctx_st* ctx_;
};

}  // namespace vigil::central
