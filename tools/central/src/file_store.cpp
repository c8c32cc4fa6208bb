#include "file_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "api_error.hpp"
#include "ids.hpp"
#include "sha256.hpp"

namespace vigil::central {
namespace fs = std::filesystem;

FileStore::FileStore(std::string dir) : dir_(std::move(dir)) {
    fs::create_directories(dir_);
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::replace);
    std::error_code ec;
    uint64_t total = 0;
    for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->path().extension() == ".bin" && it->is_regular_file(ec)) total += it->file_size(ec);
    }
    bytes_ = total;
}

TaskFile FileStore::receive(const std::string& task_id, std::istream& in, const std::string& expected_sha256,
                            std::optional<uint64_t> expected_size, uint64_t max_bytes) {
    if (!valid_task_id(task_id)) throw ApiError(400, "invalid task id");
    // Every upload gets its own name: an upload that is then refused (the task became final)
    // never replaces evidence an earlier upload left.
    std::string unique = new_task_id().substr(0, 12);
    std::string final_path = dir_ + "/" + task_id + "." + unique + ".bin";
    std::string part_path = dir_ + "/" + task_id + "." + unique + ".part";
    int fd = ::open(part_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot create " + part_path + ": " + std::strerror(errno));
    bool keep = false;
    struct Cleanup {
        int& fd;
        const std::string& path;
        bool& keep;
        ~Cleanup() {
            if (fd >= 0) ::close(fd);
            if (!keep) ::unlink(path.c_str());
        }
    } cleanup{fd, part_path, keep};

    Sha256 hash;
    std::vector<char> buf(256 * 1024);
    uint64_t total = 0;
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        auto n = static_cast<size_t>(in.gcount());
        if (n == 0) break;
        total += n;
        if (total > max_bytes)
            throw ApiError(413, "file exceeds the limit of " + std::to_string(max_bytes) + " bytes");
        hash.update(buf.data(), n);
        for (size_t off = 0; off < n;) {
            ssize_t w = ::write(fd, buf.data() + off, n - off);
            if (w < 0 && errno == EINTR) continue;
            if (w < 0) throw std::runtime_error("write " + part_path + ": " + std::strerror(errno));
            off += static_cast<size_t>(w);
        }
    }
    if (expected_size && total != *expected_size) {
        throw ApiError(422, "size mismatch: received " + std::to_string(total) + " bytes, announced " +
                                std::to_string(*expected_size));
    }
    std::string digest = hash.hex_digest();
    std::string expected = expected_sha256;
    std::transform(expected.begin(), expected.end(), expected.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    if (digest != expected)
        throw ApiError(422, "sha256 mismatch: received " + digest + ", announced " + expected);
    if (::fsync(fd) != 0) throw std::runtime_error("fsync " + part_path + ": " + std::strerror(errno));
    ::close(fd);
    fd = -1;
    struct stat replaced {};
    const bool replacing = ::stat(final_path.c_str(), &replaced) == 0;
    if (::rename(part_path.c_str(), final_path.c_str()) != 0)
        throw std::runtime_error("rename to " + final_path + ": " + std::strerror(errno));
    keep = true;
    if (replacing) bytes_.fetch_sub(std::min<uint64_t>(uint64_t(replaced.st_size), bytes_.load()));
    bytes_.fetch_add(total);
    return TaskFile{final_path, total, digest};
}

}  // namespace vigil::central
