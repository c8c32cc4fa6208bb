#include "task_protocol.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <vigil/common/json_parse.hpp>

#include <cctype>
#include <stdexcept>

namespace vigil::kataedr {
namespace {

constexpr size_t kMaxIdLength = 128;
constexpr size_t kMaxTypeLength = 128;

std::string to_json(const rapidjson::Value& v) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    v.Accept(w);
    return std::string(sb.GetString(), sb.GetSize());
}

bool id_char_ok(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':';
}

bool command_name_ok(std::string_view s) {
    size_t dot = s.find('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 1 == s.size()) return false;
    if (s.find('.', dot + 1) != std::string_view::npos) return false;
    for (char c : s)
        if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
              c == '_' || c == '.'))
            return false;
    return true;
}

std::string escape(std::string_view s) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    w.String(s.data(), rapidjson::SizeType(s.size()));
    return std::string(sb.GetString(), sb.GetSize());
}

// The "signature" member of a task; nullopt (and `bad` set) when it is malformed.
std::optional<TaskSignature> parse_signature(const rapidjson::Value& v, bool& bad) {
    bad = true;
    if (!v.IsObject()) return std::nullopt;
    TaskSignature sig;
    for (auto [key, target] : {std::pair{"alg", &sig.alg}, std::pair{"key_id", &sig.key_id},
                               std::pair{"args", &sig.args_json}, std::pair{"value", &sig.value}}) {
        auto it = v.FindMember(key);
        if (it == v.MemberEnd() || !it->value.IsString() || it->value.GetStringLength() > (1u << 20)) return std::nullopt;
        target->assign(it->value.GetString(), it->value.GetStringLength());
    }
    auto exp = v.FindMember("expires_ns");
    if (exp == v.MemberEnd() || !exp->value.IsInt64()) return std::nullopt;
    sig.expires_ns = exp->value.GetInt64();
    bad = false;
    return sig;
}

}  // namespace

TaskPoll parse_task_poll(std::string_view body) {
    rapidjson::Document doc;
    // Iterative, depth-limited: the answer can be megabytes, and "[[[[..." would overflow
    // the stack of the recursive parser.
    if (auto err = vigil::common::parse_json_bounded(doc, body); !err.empty())
        throw std::invalid_argument("task poll answer is not valid JSON: " + err);
    if (!doc.IsObject()) throw std::invalid_argument("task poll answer is not a JSON object");
    auto tasks = doc.FindMember("tasks");
    if (tasks == doc.MemberEnd() || !tasks->value.IsArray())
        throw std::invalid_argument("task poll answer has no \"tasks\" array");
    TaskPoll out;
    for (auto& t : tasks->value.GetArray()) {
        if (!t.IsObject()) {
            ++out.unanswerable;
            continue;
        }
        auto id = t.FindMember("id");
        if (id == t.MemberEnd() || !id->value.IsString() || id->value.GetStringLength() == 0 ||
            id->value.GetStringLength() > kMaxIdLength) {
            ++out.unanswerable;
            continue;
        }
        std::string task_id(id->value.GetString(), id->value.GetStringLength());
        bool id_ok = true;
        for (char c : task_id) id_ok = id_ok && id_char_ok(c);
        if (!id_ok) {
            // Still answerable (the id is percent-encoded in the URL), but refused.
            out.rejected.push_back({task_id, "invalid task id (allowed: letters, digits, - _ . :)"});
            continue;
        }
        auto reject = [&](std::string reason) { out.rejected.push_back({task_id, std::move(reason)}); };
        auto type = t.FindMember("type");
        if (type == t.MemberEnd() || !type->value.IsString() || type->value.GetStringLength() == 0) {
            reject("invalid task: \"type\" must be a non-empty string");
            continue;
        }
        if (type->value.GetStringLength() > kMaxTypeLength) {
            reject("invalid task: \"type\" is longer than 128 characters");
            continue;
        }
        Task task;
        task.id = task_id;
        task.type.assign(type->value.GetString(), type->value.GetStringLength());
        auto args = t.FindMember("args");
        if (args != t.MemberEnd() && !args->value.IsNull()) {
            if (!args->value.IsObject()) {
                reject("invalid arguments: \"args\" must be a JSON object");
                continue;
            }
            task.args_json = to_json(args->value);
        }
        auto timeout = t.FindMember("timeout_s");
        if (timeout != t.MemberEnd() && !timeout->value.IsNull()) {
            if (!timeout->value.IsUint() || timeout->value.GetUint() > 86400) {
                reject("invalid task: \"timeout_s\" must be an integer from 0 to 86400");
                continue;
            }
            task.timeout_s = timeout->value.GetUint();
        }
        auto created = t.FindMember("created_ns");
        if (created != t.MemberEnd() && created->value.IsUint64())
            task.created_ns = created->value.GetUint64();
        if (auto sig = t.FindMember("signature"); sig != t.MemberEnd() && !sig->value.IsNull()) {
            bool bad = false;
            task.signature = parse_signature(sig->value, bad);
            if (bad) {
                reject("invalid task: \"signature\" must be {alg, key_id, expires_ns, args, value}");
                continue;
            }
        }
        out.tasks.push_back(std::move(task));
    }
    return out;
}

TaskRoute route_task(std::string_view type) {
    static const struct {
        const char* type;
        const char* command;
    } table[] = {
        {"get_file", "response.get_file"},
        {"delete_file", "response.delete_file"},
        {"run_process", "response.run_process"},
        {"terminate_process", "response.terminate_process"},
        {"ioc_scan", "ioc_scanner.scan"},
        {"isolate", "isolation.on"},
        {"release", "isolation.off"},
        {"scan_file", "file_threat.scan"},
        {"set_prevention_list", "file_threat.set_prevention_list"},
        {"quarantine_restore", "agent.quarantine_restore"},
    };
    TaskRoute r;
    if (type == "ping") {
        r.kind = TaskRoute::Kind::ping;
        return r;
    }
    for (const auto& e : table) {
        if (type == e.type) {
            r.kind = TaskRoute::Kind::command;
            r.command = e.command;
            return r;
        }
    }
    if (command_name_ok(type)) {
        r.kind = TaskRoute::Kind::command;
        r.command = std::string(type);
    }
    return r;
}

std::string task_result_ok(std::string_view result_json) {
    std::string result = "null";
    if (!result_json.empty()) {
        rapidjson::Document d;
        d.Parse(result_json.data(), result_json.size());
        result = d.HasParseError() ? "{\"output\":" + escape(result_json) + "}" : std::string(result_json);
    }
    return "{\"status\":\"ok\",\"result\":" + result + ",\"error\":null}";
}

std::string task_result_error(std::string_view reason, std::string_view result_json) {
    std::string result = "null";
    if (!result_json.empty()) {
        rapidjson::Document d;
        d.Parse(result_json.data(), result_json.size());
        if (!d.HasParseError()) result = std::string(result_json);
    }
    return "{\"status\":\"error\",\"result\":" + result + ",\"error\":" + escape(reason) + "}";
}

std::string url_path_segment(std::string_view s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(char(c));
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    return out;
}

}  // namespace vigil::kataedr
