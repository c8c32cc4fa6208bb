// The agent's quarantine / backup store: files put away by detections and by
// delete-with-backup, each with the metadata needed to restore it exactly.
// Layout: <dir>/<id>/data (the bytes, mode 0400) and <dir>/<id>/meta.json.
#pragma once
#include <mutex>
#include <string>

namespace vigil::core {

class QuarantineStore {
public:
    explicit QuarantineStore(std::string dir);

    // Copies the regular file at `path` into the store, hashing it on the way;
    // removes the original unless keep_original. Returns true and the entry
    // JSON, or false and the reason.
    bool put(const std::string& path, const std::string& caller_meta_json, const std::string& source,
             bool keep_original, std::string& out);
    // JSON array of entries (metadata only), oldest first.
    std::string list_json();
    // Writes the file back to its original path (or `target` when given),
    // byte-identical with owner, mode and mtime; refuses to overwrite unless
    // `overwrite`. The entry is removed afterwards unless `keep`.
    bool restore(const std::string& id, const std::string& target, bool overwrite, bool keep, std::string& out);
    bool remove(const std::string& id, std::string& out);
    const std::string& dir() const { return dir_; }

private:
    bool valid_id(const std::string& id) const;
    std::string dir_;
    std::mutex mu_;
};

}  // namespace vigil::core
