#include "quarantine_store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <vector>

#include "json_util.hpp"
#include "message.hpp"

namespace vigil::core {

namespace {

std::string err_text(const std::string& what) { return what + ": " + std::strerror(errno); }

struct FdCloser {
    int fd;
    ~FdCloser() {
        if (fd >= 0) ::close(fd);
    }
};

std::string hex(const unsigned char* d, unsigned n) {
    static const char* h = "0123456789abcdef";
    std::string s;
    for (unsigned i = 0; i < n; ++i) {
        s.push_back(h[d[i] >> 4]);
        s.push_back(h[d[i] & 15]);
    }
    return s;
}

bool write_all(int fd, const char* p, size_t n) {
    while (n) {
        ssize_t w = ::write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        p += w;
        n -= size_t(w);
    }
    return true;
}

bool remove_tree(const std::string& dir) {
    DIR* d = ::opendir(dir.c_str());
    if (!d) return errno == ENOENT;
    while (auto* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n == "." || n == "..") continue;
        ::unlink((dir + "/" + n).c_str());
    }
    ::closedir(d);
    return ::rmdir(dir.c_str()) == 0;
}

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

}  // namespace

QuarantineStore::QuarantineStore(std::string dir) : dir_(std::move(dir)) {}

bool QuarantineStore::valid_id(const std::string& id) const {
    if (id.empty() || id.size() > 63) return false;
    for (char c : id)
        if (!isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    return true;
}

bool QuarantineStore::put(const std::string& path, const std::string& caller_meta, const std::string& source,
                          bool keep_original, std::string& out) {
    if (path.empty() || path[0] != '/') {
        out = "quarantine: path must be absolute: '" + path + "'";
        return false;
    }
    rapidjson::Document meta_in;
    if (!caller_meta.empty()) {
        std::string perr;
        auto d = parse_json(caller_meta, &perr);
        if (!d || !d->IsObject()) {
            out = "quarantine: metadata must be a JSON object" + (perr.empty() ? "" : " (" + perr + ")");
            return false;
        }
        meta_in = std::move(*d);
    } else {
        meta_in.SetObject();
    }
    int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        out = errno == ELOOP ? "quarantine: refusing to follow a symbolic link: " + path : err_text("quarantine: open " + path);
        return false;
    }
    FdCloser in{fd};
    struct stat st{};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        out = "quarantine: not a regular file: " + path;
        return false;
    }
    std::lock_guard<std::mutex> g(mu_);
    ::mkdir(dir_.c_str(), 0700);
    std::string id = new_id();
    std::string edir = dir_ + "/" + id;
    if (::mkdir(edir.c_str(), 0700) != 0) {
        out = err_text("quarantine: mkdir " + edir);
        return false;
    }
    std::string data = edir + "/data";
    int ofd = ::open(data.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0400);
    if (ofd < 0) {
        out = err_text("quarantine: create " + data);
        remove_tree(edir);
        return false;
    }
    FdCloser outfd{ofd};
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md5(EVP_MD_CTX_new(), EVP_MD_CTX_free),
        sha1(EVP_MD_CTX_new(), EVP_MD_CTX_free), sha256(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    EVP_DigestInit_ex(md5.get(), EVP_md5(), nullptr);
    EVP_DigestInit_ex(sha1.get(), EVP_sha1(), nullptr);
    EVP_DigestInit_ex(sha256.get(), EVP_sha256(), nullptr);
    std::vector<char> buf(1 << 16);
    uint64_t total = 0;
    for (;;) {
        ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            out = err_text("quarantine: read " + path);
            remove_tree(edir);
            return false;
        }
        if (n == 0) break;
        EVP_DigestUpdate(md5.get(), buf.data(), size_t(n));
        EVP_DigestUpdate(sha1.get(), buf.data(), size_t(n));
        EVP_DigestUpdate(sha256.get(), buf.data(), size_t(n));
        if (!write_all(ofd, buf.data(), size_t(n))) {
            out = err_text("quarantine: write " + data);
            remove_tree(edir);
            return false;
        }
        total += uint64_t(n);
    }
    if (::fsync(ofd) != 0) {
        out = err_text("quarantine: fsync " + data);
        remove_tree(edir);
        return false;
    }
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned dn = 0;
    EVP_DigestFinal_ex(md5.get(), d, &dn);
    std::string h_md5 = hex(d, dn);
    EVP_DigestFinal_ex(sha1.get(), d, &dn);
    std::string h_sha1 = hex(d, dn);
    EVP_DigestFinal_ex(sha256.get(), d, &dn);
    std::string h_sha256 = hex(d, dn);

    rapidjson::Document meta;
    meta.SetObject();
    auto& a = meta.GetAllocator();
    auto s = [&](const std::string& v) { return rapidjson::Value(v.c_str(), rapidjson::SizeType(v.size()), a); };
    meta.AddMember("id", s(id), a);
    meta.AddMember("original_path", s(path), a);
    meta.AddMember("size", rapidjson::Value().SetUint64(total), a);
    meta.AddMember("uid", unsigned(st.st_uid), a);
    meta.AddMember("gid", unsigned(st.st_gid), a);
    meta.AddMember("mode", unsigned(st.st_mode & 07777), a);
    meta.AddMember("mtime_ns", rapidjson::Value().SetUint64(uint64_t(st.st_mtim.tv_sec) * 1000000000ull + uint64_t(st.st_mtim.tv_nsec)), a);
    meta.AddMember("atime_ns", rapidjson::Value().SetUint64(uint64_t(st.st_atim.tv_sec) * 1000000000ull + uint64_t(st.st_atim.tv_nsec)), a);
    meta.AddMember("md5", s(h_md5), a);
    meta.AddMember("sha1", s(h_sha1), a);
    meta.AddMember("sha256", s(h_sha256), a);
    meta.AddMember("quarantined_ns", rapidjson::Value().SetUint64(realtime_ns()), a);
    meta.AddMember("source", s(source), a);
    meta.AddMember("original_removed", !keep_original, a);
    rapidjson::Value caller(meta_in, a);
    meta.AddMember("meta", caller, a);
    std::string meta_text = to_json(meta);
    {
        std::string tmp = edir + "/meta.json.tmp";
        std::ofstream m(tmp, std::ios::trunc);
        m << meta_text;
        m.close();
        if (!m || ::rename(tmp.c_str(), (edir + "/meta.json").c_str()) != 0) {
            out = err_text("quarantine: write metadata");
            remove_tree(edir);
            return false;
        }
    }
    if (!keep_original) {
        // Only unlink the file we copied: the path may have been replaced meanwhile.
        struct stat now{};
        if (::lstat(path.c_str(), &now) != 0 || now.st_ino != st.st_ino || now.st_dev != st.st_dev) {
            out = "quarantine: " + path + " changed while it was copied; original left in place";
            remove_tree(edir);
            return false;
        }
        if (::unlink(path.c_str()) != 0) {
            out = err_text("quarantine: remove original " + path);
            remove_tree(edir);
            return false;
        }
    }
    out = meta_text;
    return true;
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
        std::ifstream in(dir_ + "/" + id + "/meta.json");
        std::stringstream ss;
        ss << in.rdbuf();
        auto doc = parse_json(ss.str());
        if (!doc || !doc->IsObject()) continue;
        rapidjson::Value v(*doc, arr.GetAllocator());
        arr.PushBack(v, arr.GetAllocator());
    }
    return to_json(arr);
}

bool QuarantineStore::restore(const std::string& id, const std::string& target, bool overwrite, bool keep,
                              std::string& out) {
    if (!valid_id(id)) {
        out = "invalid quarantine id '" + id + "'";
        return false;
    }
    std::lock_guard<std::mutex> g(mu_);
    std::string edir = dir_ + "/" + id;
    std::ifstream in(edir + "/meta.json");
    if (!in) {
        out = "no quarantine entry '" + id + "'";
        return false;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    auto meta = parse_json(ss.str());
    if (!meta || !meta->IsObject()) {
        out = "quarantine entry '" + id + "' has unreadable metadata";
        return false;
    }
    std::string dest = target.empty() ? json_string(*meta, "original_path") : target;
    if (dest.empty() || dest[0] != '/') {
        out = "restore target must be an absolute path";
        return false;
    }
    int src = ::open((edir + "/data").c_str(), O_RDONLY | O_CLOEXEC);
    if (src < 0) {
        out = err_text("restore: open quarantined data");
        return false;
    }
    FdCloser sc{src};
    std::string tmp = dest + ".vigil-restore." + id;
    int dst = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (dst < 0) {
        out = err_text("restore: create " + tmp);
        return false;
    }
    FdCloser dc{dst};
    std::vector<char> buf(1 << 16);
    for (;;) {
        ssize_t n = ::read(src, buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 || (n > 0 && !write_all(dst, buf.data(), size_t(n)))) {
            out = err_text("restore: copy");
            ::unlink(tmp.c_str());
            return false;
        }
        if (n == 0) break;
    }
    auto u = [&](const char* k) { return (*meta).HasMember(k) && (*meta)[k].IsUint64() ? (*meta)[k].GetUint64() : 0; };
    if (::fchown(dst, uid_t(u("uid")), gid_t(u("gid"))) != 0 || ::fchmod(dst, mode_t(u("mode"))) != 0) {
        out = err_text("restore: set owner/mode");
        ::unlink(tmp.c_str());
        return false;
    }
    timespec times[2];
    times[0].tv_sec = time_t(u("atime_ns") / 1000000000ull);
    times[0].tv_nsec = long(u("atime_ns") % 1000000000ull);
    times[1].tv_sec = time_t(u("mtime_ns") / 1000000000ull);
    times[1].tv_nsec = long(u("mtime_ns") % 1000000000ull);
    ::futimens(dst, times);
    ::fsync(dst);
    struct stat existing{};
    if (!overwrite && ::lstat(dest.c_str(), &existing) == 0) {
        ::unlink(tmp.c_str());
        out = "restore: " + dest + " exists (pass overwrite to replace it)";
        return false;
    }
    if (::rename(tmp.c_str(), dest.c_str()) != 0) {
        out = err_text("restore: rename into " + dest);
        ::unlink(tmp.c_str());
        return false;
    }
    if (!keep) remove_tree(edir);
    rapidjson::Document r;
    r.SetObject();
    auto& a = r.GetAllocator();
    r.AddMember("id", rapidjson::Value(id.c_str(), a), a);
    r.AddMember("restored_to", rapidjson::Value(dest.c_str(), a), a);
    r.AddMember("entry_kept", keep, a);
    rapidjson::Value m(*meta, a);
    r.AddMember("entry", m, a);
    out = to_json(r);
    return true;
}

bool QuarantineStore::remove(const std::string& id, std::string& out) {
    if (!valid_id(id)) {
        out = "invalid quarantine id '" + id + "'";
        return false;
    }
    std::lock_guard<std::mutex> g(mu_);
    std::string edir = dir_ + "/" + id;
    struct stat st{};
    if (::stat(edir.c_str(), &st) != 0) {
        out = "no quarantine entry '" + id + "'";
        return false;
    }
    if (!remove_tree(edir)) {
        out = err_text("delete " + edir);
        return false;
    }
    out = "{\"id\":\"" + id + "\",\"deleted\":true}";
    return true;
}

}  // namespace vigil::core
