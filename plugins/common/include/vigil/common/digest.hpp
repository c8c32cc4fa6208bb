#pragma once
// One streaming multi-digest: MD5, SHA-1 and/or SHA-256 of a file, an fd or a
// buffer in one pass, in constant memory, with a size limit, a cancel flag and
// an optional copy target (quarantine and staging copies hash while copying).
//
//   auto d = digest_file(path, {.algorithms = kSha256, .max_bytes = 200 << 20});
//   d.sha256  // lower-case hex
//
// Reads retry on EINTR; a short read is not an error (the loop continues until
// end of file). Errors throw DigestError, whose kind() says limit / cancelled /
// I/O so callers can keep their own wording.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace vigil::common {

enum DigestAlgorithm : unsigned { kMd5 = 1u, kSha1 = 2u, kSha256 = 4u, kAllDigests = 7u };
using DigestMask = unsigned;

// Lower-case hex of each requested digest (empty when not requested).
struct Digests {
    uint64_t bytes = 0;  // bytes read (and copied)
    std::string md5, sha1, sha256;
};

class DigestError : public std::runtime_error {
public:
    enum class Kind { io, copy, too_large, cancelled, not_regular };
    DigestError(Kind kind, const std::string& message, int err = 0)
        : std::runtime_error(message), kind_(kind), err_(err) {}
    Kind kind() const { return kind_; }
    int sys_errno() const { return err_; }  // 0 unless an I/O error

private:
    Kind kind_;
    int err_;
};

struct DigestOptions {
    DigestMask algorithms = kSha256;
    uint64_t max_bytes = std::numeric_limits<uint64_t>::max();
    const std::atomic<bool>* cancel = nullptr;  // checked before every chunk
    // Copy target: every chunk is written here in full (EINTR and short writes
    // handled) after it was hashed. -1 = none.
    int copy_fd = -1;
    // Called with every chunk (after copy_fd), e.g. to feed a scanner.
    std::function<void(const char*, size_t)> on_chunk;
    // Set: read with pread from this offset (the fd's position is untouched);
    // unset: read() from the current position.
    std::optional<uint64_t> offset;
    size_t chunk_size = 128 * 1024;
};

// Incremental form, for data that does not come from one fd.
class MultiDigest {
public:
    explicit MultiDigest(DigestMask algorithms);
    ~MultiDigest();
    MultiDigest(const MultiDigest&) = delete;
    MultiDigest& operator=(const MultiDigest&) = delete;
    void update(const void* data, size_t size);
    // Ends the digests; the object cannot be updated afterwards.
    Digests finish();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Reads fd to its end (or max_bytes + 1 bytes, which is too large).
Digests digest_fd(int fd, const DigestOptions& options);

// Opens path read-only (O_NONBLOCK, O_NOCTTY; O_NOFOLLOW when nofollow; no
// atime update when the caller may), refuses anything but a regular file
// (FIFOs and devices would block or never end) and a file whose size is
// already over the limit, then digests it.
Digests digest_file(const std::string& path, const DigestOptions& options, bool nofollow = false);

Digests digest_bytes(std::string_view data, DigestMask algorithms);
inline std::string sha256_hex(std::string_view data) { return digest_bytes(data, kSha256).sha256; }

}  // namespace vigil::common
