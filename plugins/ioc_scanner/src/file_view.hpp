// FileItem values of one file, produced lazily and at most once each: names
// from the path, then one lstat/statx, owner names, the digests the loaded
// IOCs need (all in a single read of the file, only below the size limit),
// and printable strings.
#pragma once

#include <sys/stat.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <vigil/common/safe_fs.hpp>

#include "compiled_ioc.hpp"
#include "item_view.hpp"

namespace vigil::ioc_scanner {

struct FileLimits {
    uint64_t hash_max_bytes = 200ull << 20;     // established product: no hash above 200 MB
    uint64_t strings_max_bytes = 200ull << 20;  // strings are read from at most this many bytes
    size_t min_string_length = 4;
    size_t max_strings = 2'000'000;
    bool operator==(const FileLimits&) const = default;
};

// Counters shared by all workers of one scan.
struct FileCounters {
    std::atomic<uint64_t> files{0}, stats{0}, hashed{0}, bytes_hashed{0}, hash_skipped_too_large{0},
        strings_read{0}, read_errors{0}, opens{0};
};

// A file found by the walker. `open_path` is how this process reaches it
// (through /proc/PID/root for other mount namespaces); `path` is the path
// terms see and evidence shows (as seen inside its mount namespace).
struct FileEntry {
    std::string open_path;
    std::string path;
    std::string mount_ns;  // empty: the scanner's own mount namespace
};

class FileView final : public ItemView {
public:
    FileView(const FileEntry& e, const FileNeeds& needs, const FileLimits& limits, FileCounters& counters,
             const std::atomic<bool>* cancel)
        : e_(e), needs_(needs), limits_(limits), c_(counters), cancel_(cancel) {}

    bool values(TermId id, std::vector<std::string_view>& out) override;
    std::string object() const override;

    const FileEntry& entry() const { return e_; }
    // Digests computed so far (empty when not computed): for evidence.
    const std::string& sha256() const { return sha256_; }
    // Identity and version of the file (one statx when not done yet).
    std::optional<vigil::common::FileStamp> stamp();

private:
    bool ensure_stat();
    // A stat-based value (size, times, owner, mode, inode), converted once per file.
    bool stat_value(TermId id, std::vector<std::string_view>& out);
    // The text of a stat-based term, nullopt when the file has none (no birth time).
    std::optional<std::string> stat_text(TermId id) const;
    bool ensure_hashes();
    bool ensure_strings();

    const FileEntry& e_;
    const FileNeeds& needs_;
    const FileLimits& limits_;
    FileCounters& c_;
    const std::atomic<bool>* cancel_;

    int stat_state_ = 0;  // 0 not yet, 1 ok, -1 failed
    struct stat st_ {};
    std::optional<int64_t> btime_;
    int hash_state_ = 0;
    std::string md5_, sha1_, sha256_;
    int strings_state_ = 0;
    std::vector<std::string> strings_;
    // Converted stat values (size, times, owner, ...), by term id from FileSizeInBytes on.
    std::array<std::string, size_t(TermId::FileStringListString) - size_t(TermId::FileSizeInBytes)>
        stat_values_;
    uint32_t stat_have_ = 0;
};

// Hex digests of a whole file (used by the view and by tests/bench).
struct Digests {
    std::string md5, sha1, sha256;
};
// `on_chunk`, when given, also sees every block read (strings from the same read).
bool hash_file(const std::string& path, bool md5, bool sha1, bool sha256, uint64_t max_bytes, Digests& out,
               uint64_t* bytes_read, const std::atomic<bool>* cancel, std::string* error,
               const std::function<void(const char*, size_t)>* on_chunk = nullptr);

// Printable ASCII runs of at least min_len characters (like strings(1)).
void extract_strings(const char* data, size_t n, size_t min_len, std::string& current,
                     std::vector<std::string>& out, size_t max_strings);

}  // namespace vigil::ioc_scanner
