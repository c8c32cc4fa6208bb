// get_file: copies a regular file into the plugin's staging directory while
// hashing it (constant memory), for the kataedr connector to upload.
#pragma once

#include <sys/stat.h>

#include <atomic>
#include <cstdint>
#include <string>

namespace vigil::response {

struct GetFileLimits {
    uint64_t max_file_size = 100ull * 1024 * 1024;
    uint64_t staging_max_bytes = 1024ull * 1024 * 1024;
    std::string staging_dir;  // created when missing (mode 0700)
};

struct FileFacts {
    std::string path;               // as asked
    std::string resolved_path;      // every symbolic link resolved
    bool symlink_followed = false;  // some component of path was a symbolic link
    uint64_t size = 0;
    std::string sha256;
    uint32_t mode = 0;  // st_mode
    uint32_t uid = 0, gid = 0;
    std::string owner, group;  // names, empty when unknown
    int64_t mtime_ns = 0;
    uint64_t inode = 0, device = 0;
};

struct StagedFile {
    FileFacts facts;
    std::string staged_path;
};

// Throws ActionError for refused paths (not regular, too big, missing, ...).
StagedFile get_file(const std::string& path, const GetFileLimits& limits, const std::atomic<bool>* cancel);

// Removes staged copies older than ttl_s; returns how many were removed.
size_t cleanup_staging(const std::string& staging_dir, uint32_t ttl_s);

// Why a file of this type cannot be fetched or deleted ("a directory", ...),
// or empty for a regular file.
std::string non_regular_kind(uint32_t st_mode);

// Mode, owner (ids and names), mtime, inode and device of `st` into `f`.
void set_stat_facts(FileFacts& f, const struct stat& st);

}  // namespace vigil::response
