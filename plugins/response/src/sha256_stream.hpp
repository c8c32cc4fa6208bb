// Streaming SHA-256 (OpenSSL EVP) and constant-memory copy-while-hashing.
#pragma once

#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace vigil::response {

class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;
    void update(const void* data, size_t len);
    std::string hex_digest();  // finishes; lower-case hex

private:
    EVP_MD_CTX* ctx_;
};

// An I/O failure or a limit while streaming; the message says which.
class StreamError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct StreamResult {
    uint64_t bytes = 0;
    std::string sha256;
};

// Reads fd to its end, hashing. Throws StreamError when more than max_bytes
// arrive, on a read error, or when `cancel` becomes true.
StreamResult hash_fd(int fd, uint64_t max_bytes, const std::atomic<bool>* cancel = nullptr);

// Copies in_fd to out_fd in fixed-size chunks while hashing (constant memory).
StreamResult copy_and_hash(int in_fd, int out_fd, uint64_t max_bytes,
                           const std::atomic<bool>* cancel = nullptr);

// Hashes the file at path (opened read-only, non-blocking, regular files only).
StreamResult hash_file(const std::string& path, uint64_t max_bytes,
                       const std::atomic<bool>* cancel = nullptr);

}  // namespace vigil::response
