#include "sha256_stream.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace vigil::response {

namespace {
constexpr size_t kChunk = 128 * 1024;

std::string errno_text(int e) { return std::strerror(e); }

template <class Sink>
StreamResult stream(int in_fd, uint64_t max_bytes, const std::atomic<bool>* cancel, Sink&& sink) {
    std::vector<unsigned char> buf(kChunk);
    Sha256 h;
    StreamResult r;
    for (;;) {
        if (cancel && cancel->load()) throw StreamError("cancelled");
        ssize_t n = ::read(in_fd, buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            throw StreamError("read failed: " + errno_text(errno));
        }
        if (n == 0) break;
        r.bytes += uint64_t(n);
        if (r.bytes > max_bytes)
            throw StreamError("file is larger than the limit of " + std::to_string(max_bytes) + " bytes");
        h.update(buf.data(), size_t(n));
        sink(buf.data(), size_t(n));
    }
    r.sha256 = h.hex_digest();
    return r;
}
}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) {
        EVP_MD_CTX_free(ctx_);
        throw std::runtime_error("cannot initialise SHA-256");
    }
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

void Sha256::update(const void* data, size_t len) { EVP_DigestUpdate(ctx_, data, len); }

std::string Sha256::hex_digest() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_, md, &len);
    static const char* hex = "0123456789abcdef";
    std::string out;
    out.reserve(len * 2);
    for (unsigned i = 0; i < len; ++i) {
        out.push_back(hex[md[i] >> 4]);
        out.push_back(hex[md[i] & 15]);
    }
    return out;
}

StreamResult hash_fd(int fd, uint64_t max_bytes, const std::atomic<bool>* cancel) {
    return stream(fd, max_bytes, cancel, [](const unsigned char*, size_t) {});
}

StreamResult copy_and_hash(int in_fd, int out_fd, uint64_t max_bytes, const std::atomic<bool>* cancel) {
    return stream(in_fd, max_bytes, cancel, [out_fd](const unsigned char* p, size_t n) {
        while (n > 0) {
            ssize_t w = ::write(out_fd, p, n);
            if (w < 0) {
                if (errno == EINTR) continue;
                throw StreamError("write to the staging file failed: " + errno_text(errno));
            }
            p += w;
            n -= size_t(w);
        }
    });
}

StreamResult hash_file(const std::string& path, uint64_t max_bytes, const std::atomic<bool>* cancel) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) throw StreamError("cannot open " + path + ": " + errno_text(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        throw StreamError(path + " is not a regular file");
    }
    // Regular files never block; clear O_NONBLOCK for plain reads.
    ::fcntl(fd, F_SETFL, O_RDONLY);
    try {
        StreamResult r = hash_fd(fd, max_bytes, cancel);
        ::close(fd);
        return r;
    } catch (...) {
        ::close(fd);
        throw;
    }
}

}  // namespace vigil::response
