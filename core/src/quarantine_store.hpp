// The agent's quarantine / backup store: files put away by detections and by
// delete-with-backup, each with the metadata needed to restore it exactly.
// Layout: <dir>/<id>/data (the bytes, mode 0400) and <dir>/<id>/meta.json.
//
// Every file action goes through vigil/common/safe_fs.hpp: the original is
// read and unlinked through a directory opened without following symbolic
// links and only while it is the object the caller judged; a restore writes
// only through directories owned by root or the file's owner and never into a
// protected path.
#pragma once
#include <mutex>
#include <string>

#include <vigil/common/protected_paths.hpp>
#include <vigil/common/safe_fs.hpp>

namespace vigil::core {

struct RestoreRequest {
    std::string id;
    std::string target;      // empty: the entry's original path
    bool overwrite = false;  // replace an existing file
    bool keep = false;       // keep the entry after restoring
    bool force = false;      // allow a protected original path (never another protected path)
};

class QuarantineStore {
public:
    explicit QuarantineStore(std::string dir, common::PathRules protected_paths = {});

    // Copies the regular file at `path` (resolved without following links)
    // into the store, hashing it on the way; removes the original unless
    // keep_original. Returns true and the entry JSON, or false and the reason.
    bool put(const std::string& path, const std::string& caller_meta_json, const std::string& source,
             bool keep_original, std::string& out);
    // The same for a reference the caller resolved (and judged) itself.
    bool put_at(const common::FileRef& ref, const std::string& caller_meta_json, const std::string& source,
                bool keep_original, std::string& out);
    // JSON array of entries (metadata only), oldest first.
    std::string list_json();
    // Writes the file back to its original path (or req.target), byte-identical
    // with owner, mode and mtime; refuses to overwrite unless req.overwrite.
    // The entry is removed afterwards unless req.keep.
    bool restore(const RestoreRequest& req, std::string& out);
    bool remove(const std::string& id, std::string& out);
    const std::string& dir() const { return dir_; }

private:
    bool valid_id(const std::string& id) const;
    std::string dir_;
    common::PathRules protected_;
    std::mutex mu_;
};

}  // namespace vigil::core
