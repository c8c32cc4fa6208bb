#include "command_args.hpp"

#include <algorithm>
#include <cstdlib>

#include "json_args.hpp"
#include "json_util.hpp"
#include "proc_table.hpp"

namespace vigil::response {

namespace {

void no_more_positionals(const ArgReader& r, size_t allowed) {
    if (r.positional_count() > allowed)
        throw ArgError("unexpected extra argument " + describe_json(*r.positional(allowed)));
}

// A value from either the named field or a positional slot, never both.
std::optional<std::string> named_or_positional(ArgReader& r, const char* key, size_t slot) {
    auto named = r.string(key);
    const rapidjson::Value* pos = r.positional(slot);
    if (named && pos)
        throw ArgError(std::string("field \"") + key + "\" is given twice (named and positional)");
    if (pos)
        return expect_string(
            *pos, std::string("positional argument ") + std::to_string(slot + 1) + " (" + key + ")");
    return named;
}

std::string scalar_text(const rapidjson::Value& v, const std::string& what) {
    if (v.IsString()) return expect_string(v, what);
    if (v.IsNumber()) return to_json(v);
    throw ArgError(what + " must be a string, got " + describe_json(v));
}

bool valid_env_name(std::string_view k) {
    if (k.empty() || (k[0] >= '0' && k[0] <= '9')) return false;
    return std::all_of(k.begin(), k.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

void add_env(RunSpec& s, std::string key, std::string value) {
    if (!valid_env_name(key))
        throw ArgError("field \"env\": \"" + sanitize_utf8(key) + "\" is not a valid variable name");
    if (value.find('\0') != std::string::npos)
        throw ArgError("field \"env\": the value of " + key + " contains a NUL byte");
    auto it = std::find_if(s.env.begin(), s.env.end(), [&](const auto& e) { return e.first == key; });
    if (it != s.env.end())
        it->second = std::move(value);
    else
        s.env.emplace_back(std::move(key), std::move(value));
}

void parse_env_entry(RunSpec& s, const rapidjson::Value& v) {
    std::string kv = expect_string(v, "an entry of field \"env\"", 64 * 1024);
    size_t eq = kv.find('=');
    if (eq == std::string::npos)
        throw ArgError("field \"env\": entry \"" + sanitize_utf8(kv) + "\" must look like NAME=value");
    add_env(s, kv.substr(0, eq), kv.substr(eq + 1));
}

}  // namespace

GetFileArgs parse_get_file_args(std::string_view json) {
    ArgReader r(json);
    r.accept_positionals();
    GetFileArgs a;
    auto path = named_or_positional(r, "path", 0);
    no_more_positionals(r, 1);
    r.finish();
    if (!path) throw ArgError("missing field \"path\" (the absolute path of the file to fetch)");
    expect_absolute_path(*path, "field \"path\"");
    a.path = *path;
    return a;
}

DeleteFileArgs parse_delete_file_args(std::string_view json) {
    ArgReader r(json);
    r.accept_positionals();
    DeleteFileArgs a;
    auto path = named_or_positional(r, "path", 0);
    auto sha = named_or_positional(r, "sha256", 1);
    if (auto reason = r.string("reason", 1024)) a.reason = *reason;
    no_more_positionals(r, 2);
    r.finish();
    if (!path) throw ArgError("missing field \"path\" (the absolute path of the file to delete)");
    expect_absolute_path(*path, "field \"path\"");
    a.path = *path;
    if (sha) a.sha256 = expect_sha256(*sha, "field \"sha256\"");
    return a;
}

namespace {

// {"executable": X, "args": [...]} or the generic form {"args": [X, ...]};
// returns the bytes taken by the executable and arguments.
size_t read_command(ArgReader& r, RunSpec& s) {
    auto exe = r.string("executable");
    const rapidjson::Value* args = r.raw("args");
    std::vector<const rapidjson::Value*> words;
    if (args) {
        if (args->IsArray()) {
            if (args->Size() > kMaxRunArgs + 1)
                throw ArgError("field \"args\" has " + std::to_string(args->Size()) + " entries, at most " +
                               std::to_string(kMaxRunArgs));
            for (const auto& v : args->GetArray()) words.push_back(&v);
        } else if (args->IsString() || args->IsNumber()) {
            words.push_back(args);
        } else {
            throw ArgError("field \"args\" must be an array of strings, got " + describe_json(*args));
        }
    }
    size_t first_arg = 0;
    if (!exe) {
        if (words.empty())
            throw ArgError("missing field \"executable\" (absolute path or a name looked up in PATH)");
        exe = expect_string(*words[0], "positional argument 1 (executable)");
        first_arg = 1;
    }
    if (exe->empty()) throw ArgError("field \"executable\" is empty");
    if (exe->find('/') != std::string::npos) expect_absolute_path(*exe, "field \"executable\"");
    s.executable = *exe;
    size_t total = exe->size();
    for (size_t i = first_arg; i < words.size(); ++i) {
        s.args.push_back(scalar_text(*words[i], "entry " + std::to_string(i) + " of field \"args\""));
        total += s.args.back().size() + 1;
    }
    if (s.args.size() > kMaxRunArgs)
        throw ArgError("too many arguments (" + std::to_string(s.args.size()) + ", at most " +
                       std::to_string(kMaxRunArgs) + ")");
    return total;
}

// "env" as {"NAME":"value"} or a list of "NAME=value"; returns its bytes.
size_t read_env(ArgReader& r, RunSpec& s) {
    const auto* env = r.raw("env");
    if (!env) return 0;
    if (env->IsObject()) {
        for (auto it = env->MemberBegin(); it != env->MemberEnd(); ++it) {
            std::string key(it->name.GetString(), it->name.GetStringLength());
            add_env(s, key, expect_string(it->value, "field \"env\": the value of " + sanitize_utf8(key), 64 * 1024));
        }
    } else if (env->IsArray()) {
        for (const auto& v : env->GetArray()) parse_env_entry(s, v);
    } else if (env->IsString()) {
        parse_env_entry(s, *env);
    } else {
        throw ArgError("field \"env\" must be an object {\"NAME\":\"value\"} or a list of \"NAME=value\", got " +
                       describe_json(*env));
    }
    if (s.env.size() > kMaxRunEnv)
        throw ArgError("field \"env\" has " + std::to_string(s.env.size()) + " variables, at most " +
                       std::to_string(kMaxRunEnv));
    size_t total = 0;
    for (const auto& [k, v] : s.env) total += k.size() + v.size() + 2;
    return total;
}

void read_user(ArgReader& r, RunSpec& s) {
    const auto* user = r.raw("user");
    if (!user) return;
    if (user->IsUint64()) {
        if (user->GetUint64() > 0xFFFFFFFEull)
            throw ArgError("field \"user\": uid " + describe_json(*user) + " is out of range");
        s.user = std::to_string(user->GetUint64());
        return;
    }
    std::string u = expect_string(*user, "field \"user\"", 256);
    if (u.empty()) throw ArgError("field \"user\" is empty");
    s.user = u;
}

}  // namespace

RunSpec parse_run_process_args(std::string_view json, const ResponseConfig& cfg) {
    ArgReader r(json);
    RunSpec s;
    s.max_output_bytes = cfg.max_output_bytes;
    s.timeout_s = cfg.run_default_timeout_s;
    size_t total = read_command(r, s);
    if (auto cwd = r.string("cwd")) {
        expect_absolute_path(*cwd, "field \"cwd\"");
        s.cwd = *cwd;
    }
    total += read_env(r, s);
    if (total > kMaxRunTotalBytes)
        throw ArgError("arguments and environment are too large (" + std::to_string(total) + " bytes, at most " +
                       std::to_string(kMaxRunTotalBytes) + ")");
    if (auto t = r.seconds("timeout_s", cfg.run_max_timeout_s)) {
        if (*t <= 0) throw ArgError("field \"timeout_s\" must be greater than 0");
        s.timeout_s = *t;
    }
    read_user(r, s);
    r.finish();
    return s;
}

TerminateSpec parse_terminate_args(std::string_view json, const ResponseConfig& cfg) {
    ArgReader r(json);
    r.accept_positionals();
    TerminateSpec s;
    s.grace_s = cfg.terminate_grace_s;
    s.start_time_tolerance_ms = cfg.start_time_tolerance_ms;
    s.hash_max_file_size = cfg.hash_max_file_size;
    const uint64_t max_pid = uint64_t(pid_max());

    auto check_pid = [&](uint64_t v, const std::string& what) {
        if (v == 0 || v > max_pid)
            throw ArgError(what + " " + std::to_string(v) + " is not a valid pid (1.." +
                           std::to_string(max_pid) + ")");
        return pid_t(v);
    };
    if (auto pid = r.uinteger("pid", UINT64_MAX)) s.pid = check_pid(*pid, "field \"pid\"");
    if (auto exe = r.string("exe")) {
        expect_absolute_path(*exe, "field \"exe\"");
        s.exe = *exe;
    }
    if (auto sha = r.string("sha256")) s.sha256 = expect_sha256(*sha, "field \"sha256\"");
    // Generic form: one positional word, a pid, an executable path or a SHA-256.
    if (const auto* pos = r.positional(0)) {
        no_more_positionals(r, 1);
        if (pos->IsUint64()) {
            if (s.pid) throw ArgError("the pid is given twice (named and positional)");
            s.pid = check_pid(pos->GetUint64(), "positional argument");
        } else if (pos->IsString()) {
            std::string w = expect_string(*pos, "positional argument");
            const bool digits = !w.empty() && w.size() <= 10 &&
                                std::all_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; });
            if (digits) {  // vigilctl passes positional words as strings
                if (s.pid) throw ArgError("the pid is given twice (named and positional)");
                s.pid = check_pid(std::strtoull(w.c_str(), nullptr, 10), "positional argument");
            } else if (!w.empty() && w.front() == '/') {
                if (s.exe) throw ArgError("field \"exe\" is given twice (named and positional)");
                expect_absolute_path(w, "positional argument (exe)");
                s.exe = w;
            } else if (w.size() == 64) {
                if (s.sha256) throw ArgError("field \"sha256\" is given twice (named and positional)");
                s.sha256 = expect_sha256(w, "positional argument (sha256)");
            } else {
                throw ArgError("positional argument \"" + sanitize_utf8(w) +
                               "\" is neither a pid, an absolute executable path nor a SHA-256");
            }
        } else {
            throw ArgError("positional argument " + describe_json(*pos) +
                           " is neither a pid, an absolute executable path nor a SHA-256");
        }
    }
    if (auto st = r.uinteger("start_time_ns", UINT64_MAX)) {
        if (!s.pid) throw ArgError("field \"start_time_ns\" needs a \"pid\"");
        s.start_time_ns = *st;
    }
    if (auto tree = r.boolean("tree")) s.tree = *tree;
    if (auto force = r.boolean("force")) s.force = *force;
    if (auto g = r.seconds("grace_s", 300)) s.grace_s = *g;
    r.finish();
    if (!s.pid && !s.exe && !s.sha256)
        throw ArgError(
            "missing target: give \"pid\" (with optional \"start_time_ns\"/\"exe\" guards), \"exe\" or "
            "\"sha256\"");
    return s;
}

}  // namespace vigil::response
