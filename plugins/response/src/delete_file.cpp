#include "delete_file.hpp"

#include <fcntl.h>
#include <rapidjson/document.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>

#include "action_error.hpp"
#include <vigil/common/digest.hpp>

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

namespace {

// Resolves the path without following a link in any component. The lstat
// first only words the common refusals; resolve_file is what counts.
common::FileRef resolve_target(const std::string& path, const PathRules& rules) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) throw ActionError("cannot access " + path + ": " + errno_text(errno));
    if (S_ISLNK(st.st_mode)) {
        char target[PATH_MAX];
        ssize_t n = ::readlink(path.c_str(), target, sizeof target - 1);
        std::string t = n > 0 ? std::string(target, size_t(n)) : std::string("?");
        throw ActionError("refused: " + path + " is a symbolic link (to " + t +
                          "); name the file itself, not a link to it");
    }
    if (auto kind = non_regular_kind(st.st_mode); !kind.empty())
        throw ActionError("refused: " + path + " is " + kind + ", not a regular file");
    try {
        return common::resolve_file(path);
    } catch (const common::SafeFsError& e) {
        if (e.sys_errno() != ELOOP) throw ActionError("refused: " + path + ": " + e.what());
        const std::string real = resolve_or_same(path);
        if (auto rule = rules.match(real))
            throw ActionError("refused: " + real + " is a protected path (rule \"" + *rule + "\")");
        throw ActionError("refused: a directory in " + path + " is a symbolic link (" + e.what() +
                          "); name the real path " + real);
    }
}

void check_allowed(const common::FileRef& ref, const struct stat& st, const PathRules& rules,
                   const AgentFiles& agent) {
    const std::string& path = ref.path;  // resolved: its text is the object's location
    if (auto rule = rules.match(path))
        throw ActionError("refused: " + path + " is a protected path (rule \"" + *rule + "\")");
    if (auto rule = rules.protects_inode(st))
        throw ActionError("refused: " + path + " is a hard link to the protected path " + *rule);
    for (const auto& dir : agent.dirs)
        if (under(path, dir)) throw ActionError("refused: " + path + " belongs to the agent (under " + dir + ")");
    for (const auto& file : agent.files)
        if (path == file) throw ActionError("refused: " + path + " is the agent's own file");
    for (const auto& [dev, ino] : agent.inodes)
        if (uint64_t(st.st_dev) == dev && uint64_t(st.st_ino) == ino)
            throw ActionError("refused: " + path + " is a link to the agent's own executable");
}

// The SHA-256 of the checked object, read through the held directory.
std::string verified_sha256(const common::FileRef& ref, uint64_t size, uint64_t max, const std::atomic<bool>* cancel) {
    if (size > max)
        throw ActionError("refused: " + ref.path + " is " + std::to_string(size) +
                          " bytes, too large to verify the expected SHA-256 (hash_max_file_size " +
                          std::to_string(max) + ")");
    try {
        common::UniqueFd fd = common::open_verified(ref);
        common::DigestOptions o;
        o.max_bytes = max;
        o.cancel = cancel;
        std::string h = common::digest_fd(fd.get(), o).sha256;
        common::check_fd(fd.get(), ref, "while it was hashed");
        return h;
    } catch (const common::DigestError& e) {
        throw ActionError("cannot verify the SHA-256 of " + ref.path + ": " + e.what());
    } catch (const common::SafeFsError& e) {
        throw ActionError("cannot verify the SHA-256 of " + ref.path + ": " + e.what());
    }
}

}  // namespace

DeleteCheck check_deletable(const DeleteRequest& req, const PathRules& rules, const AgentFiles& agent,
                            uint64_t hash_max_file_size, const std::atomic<bool>* cancel) {
    DeleteCheck out;
    out.ref = resolve_target(req.path, rules);
    struct stat st {};
    try {
        st = common::verify_ref(out.ref);
    } catch (const common::SafeFsError& e) {
        throw ActionError(std::string("refused: ") + e.what());
    }
    check_allowed(out.ref, st, rules, agent);
    FileFacts& f = out.facts;
    f.path = req.path;
    f.resolved_path = out.ref.path;
    f.symlink_followed = false;  // a link anywhere on the way was refused
    f.size = uint64_t(st.st_size);
    set_stat_facts(f, st);
    out.hard_links = st.st_nlink;
    if (req.sha256) {
        f.sha256 = verified_sha256(out.ref, f.size, hash_max_file_size, cancel);
        if (f.sha256 != *req.sha256)
            throw ActionError("refused: the SHA-256 of " + req.path + " is " + f.sha256 + ", not the expected " +
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
        out.backup_entry_json = put(out.check.ref);
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
    const auto& ref = out.check.ref;
    if (::fstatat(ref.dir.get(), ref.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        uint64_t(st.st_ino) == out.check.facts.inode && uint64_t(st.st_dev) == out.check.facts.device)
        throw ActionError("the backup store kept " + req.path + " in place (backup id " + out.backup_id +
                          "); it was not deleted");
    return out;
}

}  // namespace vigil::response
