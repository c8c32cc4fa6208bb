#include "task_journal.hpp"

#include <dirent.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vigil/common/atomic_file.hpp>
#include <vigil/common/small_file.hpp>


namespace vigil::kataedr {
namespace {

constexpr const char* kSuffix = ".task.json";

std::vector<std::string> list_entries(const std::string& dir) {
    std::vector<std::string> out;
    DIR* d = ::opendir(dir.c_str());
    if (!d) return out;
    while (dirent* de = ::readdir(d)) {
        std::string name = de->d_name;
        if (name.size() > std::strlen(kSuffix) &&
            name.compare(name.size() - std::strlen(kSuffix), std::string::npos, kSuffix) == 0)
            out.push_back(dir + "/" + name);
    }
    ::closedir(d);
    return out;
}

}  // namespace

TaskJournal::TaskJournal(std::string dir, size_t max_entries)
    : dir_(std::move(dir)), max_entries_(max_entries) {
    if (::mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST)
        throw std::runtime_error("cannot create task journal directory " + dir_ + ": " +
                                 std::strerror(errno));
}

std::string TaskJournal::path_of(const std::string& id) const {
    // Hex keeps any id (even a hostile one) a safe file name.
    static const char* hex = "0123456789abcdef";
    std::string name;
    for (unsigned char c : id) {
        name.push_back(hex[c >> 4]);
        name.push_back(hex[c & 15]);
    }
    return dir_ + "/" + name + kSuffix;
}

std::optional<JournalEntry> TaskJournal::load(const std::string& path) const {
    auto text = vigil::common::read_small_file(path, {.max_bytes = 16u << 20});
    if (!text) return std::nullopt;
    rapidjson::Document d;
    d.Parse(text->data(), text->size());
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("id") || !d["id"].IsString() ||
        !d.HasMember("result") || !d["result"].IsString())
        return std::nullopt;
    JournalEntry e;
    e.id = d["id"].GetString();
    e.result_body = d["result"].GetString();
    e.posted = d.HasMember("posted") && d["posted"].IsBool() && d["posted"].GetBool();
    if (d.HasMember("upload_file") && d["upload_file"].IsString())
        e.upload_file = d["upload_file"].GetString();
    e.upload_delete =
        d.HasMember("upload_delete") && d["upload_delete"].IsBool() && d["upload_delete"].GetBool();
    if (d.HasMember("time_ns") && d["time_ns"].IsUint64()) e.time_ns = d["time_ns"].GetUint64();
    return e;
}

std::optional<JournalEntry> TaskJournal::find(const std::string& id) const {
    std::lock_guard<std::mutex> g(mu_);
    try {
        return load(path_of(id));
    } catch (...) {
        return std::nullopt;
    }
}

void TaskJournal::record(const JournalEntry& e) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    w.StartObject();
    w.Key("id");
    w.String(e.id.data(), rapidjson::SizeType(e.id.size()));
    w.Key("result");
    w.String(e.result_body.data(), rapidjson::SizeType(e.result_body.size()));
    w.Key("posted");
    w.Bool(e.posted);
    w.Key("upload_file");
    w.String(e.upload_file.data(), rapidjson::SizeType(e.upload_file.size()));
    w.Key("upload_delete");
    w.Bool(e.upload_delete);
    w.Key("time_ns");
    w.Uint64(e.time_ns);
    w.EndObject();
    std::lock_guard<std::mutex> g(mu_);
    vigil::common::write_file_atomic(path_of(e.id), std::string_view(sb.GetString(), sb.GetSize()));
    prune_locked();
}

void TaskJournal::mark_posted(const std::string& id) {
    auto e = find(id);
    if (!e || e->posted) return;
    e->posted = true;
    record(*e);
}

std::vector<JournalEntry> TaskJournal::unposted() const {
    std::lock_guard<std::mutex> g(mu_);
    std::vector<JournalEntry> out;
    for (const auto& p : list_entries(dir_)) {
        try {
            if (auto e = load(p); e && !e->posted) out.push_back(*e);
        } catch (...) {
        }
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.time_ns < b.time_ns; });
    return out;
}

size_t TaskJournal::size() const {
    std::lock_guard<std::mutex> g(mu_);
    return list_entries(dir_).size();
}

void TaskJournal::prune_locked() {
    auto files = list_entries(dir_);
    if (files.size() <= max_entries_) return;
    // Oldest by modification time go first; a task that old is long expired on the server.
    std::vector<std::pair<int64_t, std::string>> by_age;
    for (auto& f : files) {
        struct stat st {};
        if (::stat(f.c_str(), &st) == 0)
            by_age.emplace_back(int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec, f);
    }
    std::sort(by_age.begin(), by_age.end());
    for (size_t i = 0; i + max_entries_ < by_age.size(); ++i) ::unlink(by_age[i].second.c_str());
}

}  // namespace vigil::kataedr
