// The metadata of one quarantine entry (<store>/<id>/meta.json): written by
// put, read back by restore. The reader treats the file as untrusted input
// (a damaged or planted entry): every field it uses is type- and range-checked.
#pragma once
#include <sys/stat.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::core {

struct QuarantineMeta {
    std::string id;
    std::string original_path;
    uint64_t size = 0;
    uint32_t uid = 0, gid = 0;
    uint32_t mode = 0;  // permission bits only (<= 07777)
    uint64_t mtime_ns = 0, atime_ns = 0;
};

struct EntryHashes {
    std::string md5, sha1, sha256;
};

// The meta.json text of a new entry. `caller_meta_json` must be a JSON object.
std::string quarantine_meta_json(const std::string& id, const std::string& path, const struct stat& st,
                                 uint64_t size, const EntryHashes& h, const std::string& source, bool removed,
                                 const std::string& caller_meta_json);

// Reads the fields restore needs; nullopt and *why on anything malformed.
std::optional<QuarantineMeta> parse_quarantine_meta(std::string_view text, std::string* why);

}  // namespace vigil::core
