// QuarantineStore::restore: writes an entry back without ever following a
// symbolic link or writing through a directory that someone other than root
// or the file's owner controls, and never into a protected path unless forced
// back to the entry's own original path.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "json_util.hpp"
#include "quarantine_io.hpp"
#include "quarantine_meta.hpp"
#include "quarantine_store.hpp"

namespace vigil::core {

namespace {

using common::SafeFsError;
using common::UniqueFd;

[[noreturn]] void refuse(const std::string& why, int err = EPERM) { throw SafeFsError(why, err); }

// The target must not be protected (by name, or an existing file by inode).
void check_target(const common::PathRules& rules, const std::string& dest, const QuarantineMeta& meta,
                  const RestoreRequest& req, const struct stat* existing) {
    auto rule = rules.match(dest);
    if (!rule && existing) rule = rules.protects_inode(*existing);
    if (!rule) return;
    if (req.force && dest == meta.original_path) return;  // a false positive goes back where it was found
    refuse("restore: " + dest + " is a protected path (rule \"" + *rule + "\")" +
           (dest == meta.original_path ? "; pass force to restore it to its original path" : ""));
}

// Writes the entry's data into a new temporary in `dir`, with owner, mode and times.
void write_temp(int dir, const std::string& tmp, const std::string& data_path, const QuarantineMeta& meta) {
    UniqueFd src(::open(data_path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!src.valid()) refuse(qio::err_text("restore: open quarantined data"), errno);
    UniqueFd dst(::openat(dir, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!dst.valid()) refuse(qio::err_text("restore: create " + tmp), errno);
    try {
        qio::copy_fd(src.get(), dst.get(), nullptr);
    } catch (const std::exception& e) {
        refuse(std::string("restore: copy: ") + e.what(), EIO);
    }
    if (::fchown(dst.get(), uid_t(meta.uid), gid_t(meta.gid)) != 0 || ::fchmod(dst.get(), mode_t(meta.mode)) != 0)
        refuse(qio::err_text("restore: set owner/mode"), errno);
    timespec times[2];
    times[0].tv_sec = time_t(meta.atime_ns / 1000000000ull);
    times[0].tv_nsec = long(meta.atime_ns % 1000000000ull);
    times[1].tv_sec = time_t(meta.mtime_ns / 1000000000ull);
    times[1].tv_nsec = long(meta.mtime_ns % 1000000000ull);
    if (meta.mtime_ns) ::futimens(dst.get(), times);
    ::fsync(dst.get());
}

// Puts the data in place at dir/name; returns nothing, throws with the reason.
void restore_into(int dir, const std::string& name, const std::string& dest, const std::string& id,
                  const std::string& data_path, const QuarantineMeta& meta, bool overwrite) {
    const std::string tmp = ".vigil-restore." + id;
    ::unlinkat(dir, tmp.c_str(), 0);  // a leftover of an interrupted restore
    try {
        write_temp(dir, tmp, data_path, meta);
    } catch (...) {
        ::unlinkat(dir, tmp.c_str(), 0);
        throw;
    }
    // RENAME_NOREPLACE: no window between "does it exist" and the rename.
    if (::renameat2(dir, tmp.c_str(), dir, name.c_str(), overwrite ? 0 : RENAME_NOREPLACE) != 0) {
        const int err = errno;
        ::unlinkat(dir, tmp.c_str(), 0);
        if (err == EEXIST) refuse("restore: " + dest + " exists (pass overwrite to replace it)", EEXIST);
        errno = err;
        refuse(qio::err_text("restore: rename into " + dest), err);
    }
    UniqueFd sync(::openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (sync.valid()) ::fsync(sync.get());
}

}  // namespace

bool QuarantineStore::restore(const RestoreRequest& req, std::string& out) {
    if (!valid_id(req.id)) {
        out = "invalid quarantine id '" + req.id + "'";
        return false;
    }
    std::lock_guard<std::mutex> g(mu_);
    const std::string edir = dir_ + "/" + req.id;
    std::string text, why;
    if (!qio::read_small(edir + "/meta.json", 1 << 20, text)) {
        out = "no quarantine entry '" + req.id + "'";
        return false;
    }
    auto meta = parse_quarantine_meta(text, &why);
    if (!meta) {
        out = "quarantine entry '" + req.id + "' has unreadable metadata: " + why;
        return false;
    }
    try {
        auto parts = common::split_path(req.target.empty() ? meta->original_path : req.target, &why);
        if (!parts) refuse("restore target: " + why, EINVAL);
        const std::string dest = parts->path();
        common::DirOwners owners{uid_t(meta->uid)};
        UniqueFd dir = common::open_dir_nofollow(parts->parent, &owners);
        struct stat existing {};
        const bool exists = ::fstatat(dir.get(), parts->name.c_str(), &existing, AT_SYMLINK_NOFOLLOW) == 0;
        check_target(protected_, dest, *meta, req, exists ? &existing : nullptr);
        if (exists && !req.overwrite) refuse("restore: " + dest + " exists (pass overwrite to replace it)", EEXIST);
        if (exists && S_ISDIR(existing.st_mode)) refuse("restore: " + dest + " is a directory", EISDIR);
        restore_into(dir.get(), parts->name, dest, req.id, edir + "/data", *meta, req.overwrite);
        if (!req.keep) qio::remove_tree(edir);
        rapidjson::Document r;
        r.SetObject();
        auto& a = r.GetAllocator();
        r.AddMember("id", rapidjson::Value(req.id.c_str(), a), a);
        r.AddMember("restored_to", rapidjson::Value(dest.c_str(), a), a);
        r.AddMember("entry_kept", req.keep, a);
        auto entry = parse_json(text);
        rapidjson::Value m(*entry, a);
        r.AddMember("entry", m, a);
        out = to_json(r);
        return true;
    } catch (const SafeFsError& e) {
        const std::string what = e.what();
        out = what.rfind("restore", 0) == 0 ? what : "restore: " + what;
        return false;
    }
}

}  // namespace vigil::core
