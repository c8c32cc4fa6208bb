#include "cli_output.hpp"

#include <rapidjson/prettywriter.h>
#include <vigil/common/terminal_text.hpp>

#include <cstdio>
#include <ctime>
#include <iostream>
#include <stdexcept>

#include "json.hpp"
#include "time_spec.hpp"

namespace vigil::central {
namespace {

std::string endpoint(const rapidjson::Value& ev, const char* key) {
    std::string ip = str_at(ev, {key, "ip"});
    std::string port = str_at(ev, {key, "port"});
    if (ip.find(':') != std::string::npos) ip = "[" + ip + "]";
    return ip + (port.empty() ? "" : ":" + port);
}

// The writer already escapes C0 controls inside strings; DEL, C1 controls, bidi overrides and
// invalid UTF-8 bytes (which can only occur inside strings) become \u escapes too.
std::string json_terminal_safe(std::string_view json) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(json.size());
    for (size_t i = 0; i < json.size();) {
        auto c = static_cast<unsigned char>(json[i]);
        if (c < 0x80) {
            if (c == 0x7f) {
                out += "\\u007f";
            } else {
                out += static_cast<char>(c);
            }
            ++i;
            continue;
        }
        size_t next = i + 1;
        while (next < json.size() && (static_cast<unsigned char>(json[next]) & 0xc0) == 0x80) ++next;
        std::string_view unit = json.substr(i, next - i);
        std::string safe = vigil::common::terminal_safe(unit);
        if (safe == unit) {
            out.append(unit);
        } else if (safe.rfind("\\u", 0) == 0 && safe.size() == 6) {
            out += safe;  // a C1 or bidi character: \u009b is valid JSON
        } else {
            for (unsigned char byte : unit) {  // not UTF-8: each byte as \u00NN
                out += "\\u00";
                out += kHex[byte >> 4];
                out += kHex[byte & 15];
            }
        }
        i = next;
    }
    return out;
}

}  // namespace

// Parses a reply body; throws with the server's reason on HTTP errors.
rapidjson::Document expect_json(const HttpReply& reply, int expected_class) {
    rapidjson::Document doc;
    auto err = json::parse(doc, reply.body);
    if (reply.status / 100 != expected_class) {
        std::string reason = !err && doc.IsObject() ? json::string_or(doc, "error", reply.body) : reply.body;
        throw std::runtime_error(vigil::common::terminal_safe(reason) + " (HTTP " + std::to_string(reply.status) + ")");
    }
    if (err) throw std::runtime_error("server sent invalid JSON: " + *err);
    return doc;
}

void print_json(const rapidjson::Value& v) {
    rapidjson::StringBuffer b;
    rapidjson::PrettyWriter<rapidjson::StringBuffer> w(b);
    w.SetIndent(' ', 2);
    v.Accept(w);
    std::cout << json_terminal_safe(std::string_view(b.GetString(), b.GetSize())) << "\n";
}

std::string format_time(int64_t ns) {
    if (ns <= 0) return "-";
    time_t secs = static_cast<time_t>(ns / 1000000000);
    struct tm tm {};
    gmtime_r(&secs, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>((ns / 1000000) % 1000));
    return buf;
}

std::string format_age(int64_t ns) {
    if (ns <= 0) return "never";
    int64_t s = (now_ns() - ns) / 1000000000;
    if (s < 0) s = 0;
    if (s < 120) return std::to_string(s) + "s ago";
    if (s < 7200) return std::to_string(s / 60) + "m ago";
    if (s < 172800) return std::to_string(s / 3600) + "h ago";
    return std::to_string(s / 86400) + "d ago";
}

// Prints rows as aligned columns; the last column is not padded. Every cell is made
// terminal-safe here, once for all tables: agent data may hold escape sequences.
void print_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& raw_rows) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : raw_rows) {
        rows.emplace_back();
        for (const auto& cell : r) rows.back().push_back(vigil::common::terminal_safe(cell));
    }
    std::vector<size_t> width(header.size());
    for (size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
    for (const auto& r : rows)
        for (size_t i = 0; i < r.size() && i < width.size(); ++i) width[i] = std::max(width[i], r[i].size());
    auto line = [&](const std::vector<std::string>& r) {
        std::string out;
        for (size_t i = 0; i < r.size(); ++i) {
            out += r[i];
            if (i + 1 < r.size()) out += std::string(width[i] - r[i].size() + 2, ' ');
        }
        std::cout << out << "\n";
    };
    line(header);
    for (const auto& r : rows) line(r);
}

// Accessors that tolerate a reply without the expected member (RapidJSON's operator[] would not).
const rapidjson::Value& array_at(const rapidjson::Value& v, const char* key) {
    const auto* m = json::member(v, key);
    if (!m || !m->IsArray())
        throw std::runtime_error(std::string("server reply lacks the array \"") + key + "\"");
    return *m;
}
int64_t i64_at(const rapidjson::Value& v, const char* key) {
    const auto* m = json::member(v, key);
    return m && m->IsInt64() ? m->GetInt64() : 0;
}
std::string json_at(const rapidjson::Value& v, const char* key) {
    const auto* m = json::member(v, key);
    return m && !m->IsNull() ? json::to_string(*m) : "";
}

std::string str_at(const rapidjson::Value& v, std::initializer_list<const char*> path) {
    const rapidjson::Value* cur = &v;
    for (const char* key : path) {
        cur = json::member(*cur, key);
        if (!cur) return "";
    }
    if (cur->IsString()) return cur->GetString();
    if (cur->IsNumber() || cur->IsBool()) return json::to_string(*cur);
    return "";
}

std::string join_array(const rapidjson::Value* v) {
    if (!v || !v->IsArray()) return "";
    std::string out;
    for (const auto& e : v->GetArray()) {
        if (!out.empty()) out += ",";
        out += e.IsString() ? e.GetString() : json::to_string(e);
    }
    return out;
}

std::string truncate(std::string s, size_t max) {
    for (auto& c : s)
        if (c == '\n' || c == '\t') c = ' ';
    if (s.size() > max) {
        size_t cut = max - 3;
        // Never cut inside a UTF-8 sequence (its remains would show as \xNN escapes).
        while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xc0) == 0x80) --cut;
        s = s.substr(0, cut) + "...";
    }
    return s;
}

// One-line summary of an OCSF event for the table view.
std::string summarize(const std::string& type, const rapidjson::Value& ev) {
    std::string activity = str_at(ev, {"activity_name"});
    std::string s;
    if (type == "process") {
        s = activity + " pid=" + str_at(ev, {"process", "pid"}) + " " + str_at(ev, {"process", "cmd_line"});
        if (str_at(ev, {"process", "cmd_line"}).empty()) s += str_at(ev, {"process", "file", "path"});
    } else if (type == "network") {
        s = activity + " " + endpoint(ev, "src_endpoint") + " -> " + endpoint(ev, "dst_endpoint") + " " +
            str_at(ev, {"connection_info", "protocol_name"}) + " " +
            str_at(ev, {"actor", "process", "file", "path"});
    } else if (type == "file") {
        s = activity + " " + str_at(ev, {"file", "path"}) + " by " +
            str_at(ev, {"actor", "process", "file", "path"});
    } else if (type == "detection") {
        s = str_at(ev, {"finding_info", "title"}) + " [" + str_at(ev, {"severity"}) + "]";
    } else {
        s = str_at(ev, {"class_name"}) + " " + activity + " " + str_at(ev, {"message"});
    }
    return truncate(s, 140);
}

void print_task(const rapidjson::Value& t) {
    using vigil::common::terminal_safe;
    std::cout << "id:        " << terminal_safe(str_at(t, {"id"})) << "\n"
              << "agent:     " << terminal_safe(str_at(t, {"agent_id"})) << "\n"
              << "type:      " << terminal_safe(str_at(t, {"type"})) << "\n"
              << "args:      " << terminal_safe(json_at(t, "args")) << "\n"
              << "state:     " << terminal_safe(str_at(t, {"state"})) << "\n"
              << "created:   " << format_time(i64_at(t, "created_ns")) << "\n"
              << "delivered: " << format_time(i64_at(t, "delivered_ns")) << " ("
              << i64_at(t, "delivery_count") << " times)\n"
              << "completed: " << format_time(i64_at(t, "completed_ns")) << "\n";
    if (auto r = json_at(t, "result"); !r.empty()) std::cout << "result:    " << terminal_safe(r) << "\n";
    if (auto e = str_at(t, {"error"}); !e.empty()) std::cout << "error:     " << terminal_safe(e) << "\n";
    if (!str_at(t, {"file", "sha256"}).empty())
        std::cout << "file:      " << terminal_safe(str_at(t, {"file", "size"})) << " bytes, sha256 "
                  << terminal_safe(str_at(t, {"file", "sha256"})) << "\n";
}

}  // namespace vigil::central
