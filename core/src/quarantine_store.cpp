#include "quarantine_store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <random>
#include <vector>

#include <vigil/common/atomic_file.hpp>

#include "json_util.hpp"
#include "quarantine_io.hpp"
#include "quarantine_meta.hpp"

namespace vigil::core {

namespace {

std::string new_id() {
    std::random_device rd;
    char buf[64];
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char ts[20];
    std::strftime(ts, sizeof ts, "%Y%m%d%H%M%S", &tm);
    std::snprintf(buf, sizeof buf, "q%s-%08x", ts, rd());
    return buf;
}

// Removes a half-written entry unless it was committed.
struct EntryGuard {
    std::string dir;
    bool committed = false;
    ~EntryGuard() {
        if (!committed && !dir.empty()) qio::remove_tree(dir);
    }
};

bool check_caller_meta(const std::string& caller_meta, std::string& out) {
    if (caller_meta.empty()) return true;
    std::string perr;
    auto d = parse_json(caller_meta, &perr);
    if (d && d->IsObject()) return true;
    out = "quarantine: metadata must be a JSON object" + (perr.empty() ? "" : " (" + perr + ")");
    return false;
}

void write_meta(const std::string& edir, const std::string& text) {
    try {
        common::write_file_atomic(edir + "/meta.json", text, {.mode = 0600, .durability = common::Durability::full});
    } catch (const std::system_error& e) {
        throw common::SafeFsError(std::string("quarantine: write metadata: ") + e.what(), e.code().value());
    }
}

}  // namespace

QuarantineStore::QuarantineStore(std::string dir, common::PathRules protected_paths)
    : dir_(std::move(dir)), protected_(std::move(protected_paths)) {}

bool QuarantineStore::valid_id(const std::string& id) const {
    if (id.empty() || id.size() > 63) return false;
    for (char c : id)
        if (!isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    return true;
}

bool QuarantineStore::put(const std::string& path, const std::string& caller_meta, const std::string& source,
                          bool keep_original, std::string& out) {
    if (!check_caller_meta(caller_meta, out)) return false;
    try {
        return put_at(common::resolve_file(path), caller_meta, source, keep_original, out);
    } catch (const common::SafeFsError& e) {
        out = std::string("quarantine: ") + e.what();
        return false;
    }
}

bool QuarantineStore::put_at(const common::FileRef& ref, const std::string& caller_meta, const std::string& source,
                             bool keep_original, std::string& out) {
    if (!check_caller_meta(caller_meta, out)) return false;
    try {
        common::UniqueFd in = common::open_verified(ref);
        struct stat st {};
        if (::fstat(in.get(), &st) != 0) throw common::SafeFsError(qio::err_text("quarantine: stat " + ref.path), errno);
        std::lock_guard<std::mutex> g(mu_);
        ::mkdir(dir_.c_str(), 0700);
        const std::string id = new_id();
        EntryGuard entry{dir_ + "/" + id};
        if (::mkdir(entry.dir.c_str(), 0700) != 0)
            throw common::SafeFsError(qio::err_text("quarantine: mkdir " + entry.dir), errno);
        const std::string data = entry.dir + "/data";
        common::UniqueFd ofd(::open(data.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0400));
        if (!ofd.valid()) throw common::SafeFsError(qio::err_text("quarantine: create " + data), errno);
        EntryHashes hashes;
        uint64_t total = 0;
        try {
            total = qio::copy_fd(in.get(), ofd.get(), &hashes);
        } catch (const std::exception& e) {
            throw common::SafeFsError("quarantine: copy of " + ref.path + ": " + e.what(), EIO);
        }
        if (::fsync(ofd.get()) != 0) throw common::SafeFsError(qio::err_text("quarantine: fsync " + data), errno);
        // The copy must be the object that was judged, in one version.
        struct stat after {};
        if (::fstat(in.get(), &after) != 0 ||
            !common::FileStamp::of(after).same_version(common::FileStamp::of(st)) || total != uint64_t(st.st_size))
            throw common::SafeFsError(ref.path + " changed while it was copied; original left in place", ESTALE);
        const std::string meta =
            quarantine_meta_json(id, ref.path, st, total, hashes, source, !keep_original, caller_meta);
        write_meta(entry.dir, meta);
        if (!keep_original) common::unlink_verified(ref);
        entry.committed = true;
        out = meta;
        return true;
    } catch (const common::SafeFsError& e) {
        const std::string what = e.what();
        out = what.rfind("quarantine:", 0) == 0 ? what : "quarantine: " + what;
        return false;
    }
}

std::string QuarantineStore::list_json() {
    std::lock_guard<std::mutex> g(mu_);
    rapidjson::Document arr;
    arr.SetArray();
    std::vector<std::string> ids;
    if (DIR* d = ::opendir(dir_.c_str())) {
        while (auto* e = ::readdir(d))
            if (e->d_name[0] != '.') ids.emplace_back(e->d_name);
        ::closedir(d);
    }
    std::sort(ids.begin(), ids.end());
    for (const auto& id : ids) {
        std::string text;
        if (!qio::read_small(dir_ + "/" + id + "/meta.json", 1 << 20, text)) continue;
        auto doc = parse_json(text);
        if (!doc || !doc->IsObject()) continue;
        rapidjson::Value v(*doc, arr.GetAllocator());
        arr.PushBack(v, arr.GetAllocator());
    }
    return to_json(arr);
}

bool QuarantineStore::remove(const std::string& id, std::string& out) {
    if (!valid_id(id)) {
        out = "invalid quarantine id '" + id + "'";
        return false;
    }
    std::lock_guard<std::mutex> g(mu_);
    std::string edir = dir_ + "/" + id;
    struct stat st {};
    if (::lstat(edir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        out = "no quarantine entry '" + id + "'";
        return false;
    }
    if (!qio::remove_tree(edir)) {
        out = qio::err_text("delete " + edir);
        return false;
    }
    out = "{\"id\":\"" + id + "\",\"deleted\":true}";
    return true;
}

}  // namespace vigil::core
