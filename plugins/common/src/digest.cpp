#include "vigil/common/digest.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "vigil/common/errno_text.hpp"
#include "vigil/common/hex.hpp"

namespace vigil::common {

namespace {

struct CtxFree {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_MD_CTX, CtxFree>;

Ctx new_ctx(const EVP_MD* md) {
    Ctx c(EVP_MD_CTX_new());
    if (!c || EVP_DigestInit_ex(c.get(), md, nullptr) != 1) throw std::runtime_error("cannot initialise a digest");
    return c;
}

std::string final_hex(Ctx& c) {
    if (!c) return {};
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (EVP_DigestFinal_ex(c.get(), md, &len) != 1) throw std::runtime_error("digest failed");
    c.reset();
    return to_hex(md, len);
}

void write_all(int fd, const char* p, size_t n) {
    while (n > 0) {
        ssize_t w = ::write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            const int e = errno;
            throw DigestError(DigestError::Kind::copy, "write failed: " + errno_text(e), e);
        }
        p += w;
        n -= size_t(w);
    }
}

// One bounded read: pread at `pos` when reading by offset, else read().
ssize_t read_chunk(int fd, char* buf, size_t n, const DigestOptions& o, uint64_t pos) {
    for (;;) {
        ssize_t r = o.offset ? ::pread(fd, buf, n, off_t(*o.offset + pos)) : ::read(fd, buf, n);
        if (r >= 0 || errno != EINTR) return r;
    }
}

std::string too_large(uint64_t max) {
    return "file is larger than the limit of " + std::to_string(max) + " bytes";
}

}  // namespace

struct MultiDigest::Impl {
    Ctx md5, sha1, sha256;
    uint64_t bytes = 0;
};

MultiDigest::MultiDigest(DigestMask algorithms) : impl_(std::make_unique<Impl>()) {
    if (algorithms & kMd5) impl_->md5 = new_ctx(EVP_md5());
    if (algorithms & kSha1) impl_->sha1 = new_ctx(EVP_sha1());
    if (algorithms & kSha256) impl_->sha256 = new_ctx(EVP_sha256());
}

MultiDigest::~MultiDigest() = default;

void MultiDigest::update(const void* data, size_t size) {
    for (Ctx* c : {&impl_->md5, &impl_->sha1, &impl_->sha256})
        if (*c) EVP_DigestUpdate(c->get(), data, size);
    impl_->bytes += size;
}

Digests MultiDigest::finish() {
    Digests d;
    d.bytes = impl_->bytes;
    d.md5 = final_hex(impl_->md5);
    d.sha1 = final_hex(impl_->sha1);
    d.sha256 = final_hex(impl_->sha256);
    return d;
}

Digests digest_fd(int fd, const DigestOptions& o) {
    std::vector<char> buf(o.chunk_size > 0 ? o.chunk_size : 128 * 1024);
    MultiDigest md(o.algorithms);
    uint64_t total = 0;
    for (;;) {
        if (o.cancel && o.cancel->load(std::memory_order_relaxed))
            throw DigestError(DigestError::Kind::cancelled, "cancelled");
        ssize_t n = read_chunk(fd, buf.data(), buf.size(), o, total);
        if (n < 0) {
            const int e = errno;
            throw DigestError(DigestError::Kind::io, "read failed: " + errno_text(e), e);
        }
        if (n == 0) break;
        total += uint64_t(n);
        if (total > o.max_bytes) throw DigestError(DigestError::Kind::too_large, too_large(o.max_bytes));
        md.update(buf.data(), size_t(n));
        if (o.copy_fd >= 0) write_all(o.copy_fd, buf.data(), size_t(n));
        if (o.on_chunk) o.on_chunk(buf.data(), size_t(n));
    }
    return md.finish();
}

Digests digest_file(const std::string& path, const DigestOptions& o, bool nofollow) {
    const int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | (nofollow ? O_NOFOLLOW : 0);
    // O_NOATIME keeps a sweep from rewriting access times; only the owner or
    // root may ask for it, so fall back without it.
    int fd = ::open(path.c_str(), flags | O_NOATIME);
    if (fd < 0 && errno == EPERM) fd = ::open(path.c_str(), flags);
    if (fd < 0) {
        const int e = errno;
        throw DigestError(DigestError::Kind::io, "cannot open " + path + ": " + errno_text(e), e);
    }
    struct FdClose {
        int fd;
        ~FdClose() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        throw DigestError(DigestError::Kind::not_regular, path + " is not a regular file");
    if (uint64_t(st.st_size) > o.max_bytes) throw DigestError(DigestError::Kind::too_large, too_large(o.max_bytes));
    // Regular files never block; plain reads from here on.
    const int status_flags = ::fcntl(fd, F_GETFL);
    if (status_flags >= 0) ::fcntl(fd, F_SETFL, status_flags & ~O_NONBLOCK);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    return digest_fd(fd, o);
}

Digests digest_bytes(std::string_view data, DigestMask algorithms) {
    MultiDigest md(algorithms);
    md.update(data.data(), data.size());
    return md.finish();
}

}  // namespace vigil::common
