#include "delete_file.hpp"

#include <rapidjson/document.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "action_error.hpp"
#include "sha256_stream.hpp"

namespace vigil::response {

namespace {
bool under(const std::string& path, const std::string& dir) {
    if (dir.empty()) return false;
    if (dir == "/") return true;
    return path == dir ||
           (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/');
}

std::string resolve_or_same(const std::string& p) {
    char buf[PATH_MAX];
    if (::realpath(p.c_str(), buf)) return buf;
    return collapse_slashes(p);
}
}  // namespace

void AgentFiles::add_file(const std::string& path) {
    if (path.empty()) return;
    files.push_back(collapse_slashes(path));
    std::string resolved = resolve_or_same(path);
    if (resolved != files.back()) files.push_back(resolved);
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) inodes.emplace_back(uint64_t(st.st_dev), uint64_t(st.st_ino));
}

void AgentFiles::add_dir(const std::string& path) {
    if (path.empty() || path.front() != '/') return;
    dirs.push_back(collapse_slashes(path));
    std::string resolved = resolve_or_same(path);
    if (resolved != dirs.back()) dirs.push_back(resolved);
}

AgentFiles AgentFiles::discover(const std::string& agent_config_json, const std::string& plugin_state_dir) {
    AgentFiles a;
    char exe[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        a.add_file(exe);
    }
    a.add_dir(plugin_state_dir);
    rapidjson::Document d;
    d.Parse(agent_config_json.data(), agent_config_json.size());
    if (!d.HasParseError() && d.IsObject()) {
        auto str = [&](const char* key) -> std::string {
            auto it = d.FindMember(key);
            return it != d.MemberEnd() && it->value.IsString() ? it->value.GetString() : std::string();
        };
        a.add_dir(str("state_dir"));
        a.add_file(str("control_socket"));
        auto it = d.FindMember("plugin_dir");
        if (it != d.MemberEnd()) {
            if (it->value.IsString())
                a.add_dir(it->value.GetString());
            else if (it->value.IsArray())
                for (const auto& v : it->value.GetArray())
                    if (v.IsString()) a.add_dir(v.GetString());
        }
    }
    return a;
}

DeleteCheck check_deletable(const DeleteRequest& req, const PathRules& rules, const AgentFiles& agent,
                            uint64_t hash_max_file_size, const std::atomic<bool>* cancel) {
    const std::string& path = req.path;
    DeleteCheck out;
    FileFacts& f = out.facts;
    f.path = path;

    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0)
        throw ActionError("cannot access " + path + ": " + errno_text(errno));
    if (S_ISLNK(st.st_mode)) {
        char target[PATH_MAX];
        ssize_t n = ::readlink(path.c_str(), target, sizeof target - 1);
        std::string t = n > 0 ? std::string(target, size_t(n)) : std::string("?");
        throw ActionError("refused: " + path + " is a symbolic link (to " + t +
                          "); name the file itself, not a link to it");
    }
    if (auto kind = non_regular_kind(st.st_mode); !kind.empty())
        throw ActionError("refused: " + path + " is " + kind + ", not a regular file");

    f.resolved_path = resolve_or_same(path);
    f.symlink_followed = f.resolved_path != collapse_slashes(path);
    for (const std::string& candidate : {collapse_slashes(path), f.resolved_path}) {
        if (auto rule = rules.match(candidate))
            throw ActionError("refused: " + candidate + " is a protected path (rule \"" + *rule + "\")");
        for (const auto& dir : agent.dirs)
            if (under(candidate, dir))
                throw ActionError("refused: " + candidate + " belongs to the agent (under " + dir + ")");
        for (const auto& file : agent.files)
            if (candidate == file) throw ActionError("refused: " + candidate + " is the agent's own file");
    }
    for (const auto& [dev, ino] : agent.inodes)
        if (uint64_t(st.st_dev) == dev && uint64_t(st.st_ino) == ino)
            throw ActionError("refused: " + path + " is a link to the agent's own executable");

    f.size = uint64_t(st.st_size);
    f.mode = st.st_mode;
    f.uid = st.st_uid;
    f.gid = st.st_gid;
    f.owner = user_name(st.st_uid);
    f.group = group_name(st.st_gid);
    f.mtime_ns = int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    f.inode = st.st_ino;
    f.device = st.st_dev;
    out.hard_links = st.st_nlink;

    if (req.sha256) {
        if (uint64_t(st.st_size) > hash_max_file_size)
            throw ActionError("refused: " + path + " is " + std::to_string(st.st_size) +
                              " bytes, too large to verify the expected SHA-256 (hash_max_file_size " +
                              std::to_string(hash_max_file_size) + ")");
        try {
            f.sha256 = hash_file(path, hash_max_file_size, cancel).sha256;
        } catch (const StreamError& e) {
            throw ActionError("cannot verify the SHA-256 of " + path + ": " + e.what());
        }
        if (f.sha256 != *req.sha256)
            throw ActionError("refused: the SHA-256 of " + path + " is " + f.sha256 + ", not the expected " +
                              *req.sha256);
    }
    return out;
}

DeleteOutcome delete_file(const DeleteRequest& req, const PathRules& rules, const AgentFiles& agent,
                          uint64_t hash_max_file_size, const std::atomic<bool>* cancel,
                          const QuarantinePut& put) {
    DeleteOutcome out;
    out.check = check_deletable(req, rules, agent, hash_max_file_size, cancel);
    try {
        out.backup_entry_json = put(req.path);
    } catch (const std::exception& e) {
        throw ActionError("backup of " + req.path + " failed, nothing deleted: " + e.what());
    }
    rapidjson::Document d;
    d.Parse(out.backup_entry_json.data(), out.backup_entry_json.size());
    if (!d.HasParseError() && d.IsObject()) {
        auto it = d.FindMember("id");
        if (it != d.MemberEnd()) {
            if (it->value.IsString())
                out.backup_id = it->value.GetString();
            else if (it->value.IsUint64())
                out.backup_id = std::to_string(it->value.GetUint64());
        }
        auto sha = d.FindMember("sha256");
        if (out.check.facts.sha256.empty() && sha != d.MemberEnd() && sha->value.IsString())
            out.check.facts.sha256 = sha->value.GetString();
    } else {
        out.backup_entry_json = "null";
    }
    // The store promised to move the file away; make sure it is gone.
    struct stat st {};
    if (::lstat(req.path.c_str(), &st) == 0 && uint64_t(st.st_ino) == out.check.facts.inode &&
        uint64_t(st.st_dev) == out.check.facts.device)
        throw ActionError("the backup store kept " + req.path + " in place (backup id " + out.backup_id +
                          "); it was not deleted");
    return out;
}

}  // namespace vigil::response
