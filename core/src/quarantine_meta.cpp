#include "quarantine_meta.hpp"

#include "json_util.hpp"
#include "message.hpp"

namespace vigil::core {

namespace {
uint64_t ns_of(const struct timespec& t) { return uint64_t(t.tv_sec) * 1000000000ull + uint64_t(t.tv_nsec); }
}  // namespace

std::string quarantine_meta_json(const std::string& id, const std::string& path, const struct stat& st,
                                 uint64_t size, const EntryHashes& h, const std::string& source, bool removed,
                                 const std::string& caller_meta_json) {
    rapidjson::Document caller;
    if (auto d = parse_json(caller_meta_json.empty() ? "{}" : caller_meta_json); d && d->IsObject())
        caller = std::move(*d);
    else
        caller.SetObject();
    rapidjson::Document meta;
    meta.SetObject();
    auto& a = meta.GetAllocator();
    auto s = [&](const std::string& v) { return rapidjson::Value(v.c_str(), rapidjson::SizeType(v.size()), a); };
    meta.AddMember("id", s(id), a);
    meta.AddMember("original_path", s(path), a);
    meta.AddMember("size", rapidjson::Value().SetUint64(size), a);
    meta.AddMember("uid", unsigned(st.st_uid), a);
    meta.AddMember("gid", unsigned(st.st_gid), a);
    meta.AddMember("mode", unsigned(st.st_mode & 07777), a);
    meta.AddMember("mtime_ns", rapidjson::Value().SetUint64(ns_of(st.st_mtim)), a);
    meta.AddMember("atime_ns", rapidjson::Value().SetUint64(ns_of(st.st_atim)), a);
    meta.AddMember("md5", s(h.md5), a);
    meta.AddMember("sha1", s(h.sha1), a);
    meta.AddMember("sha256", s(h.sha256), a);
    meta.AddMember("quarantined_ns", rapidjson::Value().SetUint64(realtime_ns()), a);
    meta.AddMember("source", s(source), a);
    meta.AddMember("original_removed", removed, a);
    rapidjson::Value c(caller, a);
    meta.AddMember("meta", c, a);
    return to_json(meta);
}

std::optional<QuarantineMeta> parse_quarantine_meta(std::string_view text, std::string* why) {
    auto bad = [&](const std::string& w) -> std::optional<QuarantineMeta> {
        if (why) *why = w;
        return std::nullopt;
    };
    std::string perr;
    auto doc = parse_json(text, &perr);
    if (!doc) return bad("not JSON (" + perr + ")");
    if (!doc->IsObject()) return bad("not a JSON object");
    auto uint_field = [&](const char* key, uint64_t max, uint64_t& out) {
        auto it = doc->FindMember(key);
        if (it == doc->MemberEnd() || !it->value.IsUint64() || it->value.GetUint64() > max) return false;
        out = it->value.GetUint64();
        return true;
    };
    QuarantineMeta m;
    m.id = json_string(*doc, "id");
    m.original_path = json_string(*doc, "original_path");
    if (m.original_path.empty() || m.original_path.front() != '/') return bad("original_path is not an absolute path");
    if (m.original_path.find('\0') != std::string::npos) return bad("original_path contains a NUL byte");
    uint64_t uid = 0, gid = 0, mode = 0;
    // uid/gid (uint32_t)-1 means "unchanged" to fchown: never a valid owner here.
    if (!uint_field("uid", 0xfffffffeull, uid)) return bad("uid is missing or out of range");
    if (!uint_field("gid", 0xfffffffeull, gid)) return bad("gid is missing or out of range");
    if (!uint_field("mode", 07777, mode)) return bad("mode is missing or out of range");
    if (!uint_field("size", UINT64_MAX, m.size)) return bad("size is missing");
    // Optional: an entry without times is restored with the current time.
    uint_field("mtime_ns", UINT64_MAX, m.mtime_ns);
    uint_field("atime_ns", UINT64_MAX, m.atime_ns);
    m.uid = uint32_t(uid);
    m.gid = uint32_t(gid);
    m.mode = uint32_t(mode);
    return m;
}

}  // namespace vigil::core
