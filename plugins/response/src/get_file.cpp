#include "get_file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <vector>

#include "action_error.hpp"
#include "path_rules.hpp"
#include <vigil/common/digest.hpp>
#include <vigil/common/user_names.hpp>

namespace vigil::response {

namespace {
constexpr const char* kStagePrefix = "get_file-";

std::atomic<uint64_t> g_stage_seq{0};

int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void ensure_dir(const std::string& dir) {
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        throw ActionError("cannot create staging directory " + dir + ": " + errno_text(errno));
}

uint64_t staged_bytes(const std::string& dir) {
    uint64_t total = 0;
    DIR* d = ::opendir(dir.c_str());
    if (!d) return 0;
    while (dirent* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (name.rfind(kStagePrefix, 0) != 0) continue;
        struct stat st {};
        if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
            total += uint64_t(st.st_size);
    }
    ::closedir(d);
    return total;
}

struct Fd {
    int fd = -1;
    explicit Fd(int f) : fd(f) {}
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
};
}  // namespace

std::string non_regular_kind(uint32_t m) {
    if (S_ISREG(m)) return {};
    if (S_ISDIR(m)) return "a directory";
    if (S_ISCHR(m)) return "a character device";
    if (S_ISBLK(m)) return "a block device";
    if (S_ISFIFO(m)) return "a FIFO";
    if (S_ISSOCK(m)) return "a socket";
    if (S_ISLNK(m)) return "a symbolic link";
    return "not a regular file";
}

void set_stat_facts(FileFacts& f, const struct stat& st) {
    f.mode = st.st_mode;
    f.uid = st.st_uid;
    f.gid = st.st_gid;
    f.owner = vigil::common::user_name(st.st_uid).value_or("");
    f.group = vigil::common::group_name(st.st_gid).value_or("");
    f.mtime_ns = int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    f.inode = st.st_ino;
    f.device = st.st_dev;
}

StagedFile get_file(const std::string& path, const GetFileLimits& limits, const std::atomic<bool>* cancel) {
    StagedFile out;
    FileFacts& f = out.facts;
    f.path = path;

    struct stat lst {};
    if (::lstat(path.c_str(), &lst) != 0)
        throw ActionError("cannot access " + path + ": " + errno_text(errno));
    const bool final_is_link = S_ISLNK(lst.st_mode);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        if (final_is_link) throw ActionError(path + " is a dangling symbolic link: " + errno_text(errno));
        throw ActionError("cannot access " + path + ": " + errno_text(errno));
    }
    if (auto kind = non_regular_kind(st.st_mode); !kind.empty())
        throw ActionError("refused: " + path + " is " + kind + ", not a regular file");
    if (uint64_t(st.st_size) > limits.max_file_size)
        throw ActionError("refused: " + path + " is " + std::to_string(st.st_size) +
                          " bytes, larger than max_file_size (" + std::to_string(limits.max_file_size) + ")");

    char resolved[PATH_MAX];
    if (::realpath(path.c_str(), resolved) == nullptr)
        throw ActionError("cannot resolve " + path + ": " + errno_text(errno));
    f.resolved_path = resolved;
    f.symlink_followed = final_is_link || f.resolved_path != collapse_slashes(path);

    // O_NOFOLLOW unless we already know (and report) that the last component
    // is a link; O_NONBLOCK so a file swapped for a FIFO cannot hang us.
    int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (final_is_link ? 0 : O_NOFOLLOW);
    Fd in(::open(path.c_str(), flags));
    if (in.fd < 0) {
        if (errno == ELOOP) throw ActionError(path + " changed into a symbolic link while being opened");
        throw ActionError("cannot open " + path + ": " + errno_text(errno));
    }
    struct stat fst {};
    if (::fstat(in.fd, &fst) != 0) throw ActionError("cannot stat " + path + ": " + errno_text(errno));
    if (fst.st_dev != st.st_dev || fst.st_ino != st.st_ino || !S_ISREG(fst.st_mode))
        throw ActionError(path + " was replaced while being opened; try again");
    ::fcntl(in.fd, F_SETFL, O_RDONLY);

    ensure_dir(limits.staging_dir);
    const uint64_t used = staged_bytes(limits.staging_dir);
    if (used + uint64_t(fst.st_size) > limits.staging_max_bytes)
        throw ActionError("refused: the staging area holds " + std::to_string(used) + " bytes; adding " +
                          std::to_string(fst.st_size) + " would pass staging_max_bytes (" +
                          std::to_string(limits.staging_max_bytes) + ")");

    out.staged_path = limits.staging_dir + "/" + kStagePrefix + std::to_string(now_ns()) + "-" +
                      std::to_string(++g_stage_seq) + ".bin";
    Fd staged(::open(out.staged_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (staged.fd < 0)
        throw ActionError("cannot create staging file " + out.staged_path + ": " + errno_text(errno));
    try {
        common::DigestOptions o;
        o.max_bytes = limits.max_file_size;
        o.cancel = cancel;
        o.copy_fd = staged.fd;
        common::Digests r = common::digest_fd(in.fd, o);
        f.size = r.bytes;
        f.sha256 = r.sha256;
    } catch (const common::DigestError& e) {
        ::unlink(out.staged_path.c_str());
        throw ActionError("get_file " + path + ": " + e.what());
    }
    set_stat_facts(f, fst);
    return out;
}

size_t cleanup_staging(const std::string& dir, uint32_t ttl_s) {
    size_t removed = 0;
    DIR* d = ::opendir(dir.c_str());
    if (!d) return 0;
    const int64_t cutoff = now_ns() - int64_t(ttl_s) * 1000000000;
    while (dirent* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (name.rfind(kStagePrefix, 0) != 0) continue;
        struct stat st {};
        if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) continue;
        int64_t mtime = int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
        if (mtime <= cutoff && ::unlinkat(::dirfd(d), e->d_name, 0) == 0) ++removed;
    }
    ::closedir(d);
    return removed;
}

}  // namespace vigil::response
