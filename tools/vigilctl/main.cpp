// vigilctl — local command-line client of vigild.
#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <signal.h>

#include <cstdio>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "command_line.hpp"
#include "control_client.hpp"

using vigil::ctl::ControlClient;
using vigil::ctl::Invocation;

namespace {

std::string pretty(const rapidjson::Value& v) {
    rapidjson::StringBuffer sb;
    rapidjson::PrettyWriter<rapidjson::StringBuffer> w(sb);
    w.SetIndent(' ', 2);
    v.Accept(w);
    return sb.GetString();
}

std::string compact(const rapidjson::Value& v) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    v.Accept(w);
    return sb.GetString();
}

std::string str(const rapidjson::Value& o, const char* k) {
    if (!o.IsObject() || !o.HasMember(k)) return "";
    const auto& v = o[k];
    if (v.IsString()) return v.GetString();
    return compact(v);
}

std::string pad(std::string s, size_t n) {
    if (s.size() > n) s = s.substr(0, n - 1) + "~";
    return s + std::string(n - s.size() + 1, ' ');
}

std::string duration(long long s) {
    char buf[64];
    if (s >= 86400) std::snprintf(buf, sizeof buf, "%lldd%02lldh%02lldm", s / 86400, s % 86400 / 3600, s % 3600 / 60);
    else if (s >= 3600) std::snprintf(buf, sizeof buf, "%lldh%02lldm%02llds", s / 3600, s % 3600 / 60, s % 60);
    else std::snprintf(buf, sizeof buf, "%lldm%02llds", s / 60, s % 60);
    return buf;
}

void print_status(const rapidjson::Value& r) {
    std::cout << "vigild " << str(r, "version") << " (ABI " << str(r, "abi") << "), pid " << str(r, "pid") << ", up "
              << duration(r["uptime_s"].GetInt64()) << "\n";
    std::cout << "agent " << str(r, "agent_id") << " on " << str(r, "hostname") << ", config " << str(r, "config")
              << "\n";
    const auto& b = r["bus"];
    std::cout << "bus: published " << str(b, "published") << ", dropped " << str(b, "dropped") << ", commands "
              << str(b, "commands") << " (timeouts " << str(b, "command_timeouts") << ")\n";
    if (!str(r, "last_reload_error").empty()) std::cout << "last reload refused: " << str(r, "last_reload_error") << "\n";
    std::cout << "\n" << pad("PLUGIN", 16) << pad("STATE", 9) << pad("VERSION", 9) << "DETAILS\n";
    for (const auto& p : r["plugins"].GetArray()) {
        std::string details = str(p, "error");
        std::cout << pad(str(p, "name"), 16) << pad(str(p, "state"), 9) << pad(str(p, "version"), 9) << details << "\n";
        if (!p.HasMember("status") || !p["status"].IsObject()) continue;
        for (const auto& m : p["status"].GetObject()) {
            if (std::string_view(m.name.GetString()) == "metrics") continue;  // `vigilctl metrics` shows those
            std::cout << "    " << m.name.GetString() << ": "
                      << (m.value.IsString() ? std::string(m.value.GetString()) : compact(m.value)) << "\n";
        }
    }
    if (r.HasMember("watchdog") && r["watchdog"].IsObject() && r["watchdog"].HasMember("healthy") &&
        !r["watchdog"]["healthy"].GetBool())
        std::cout << "\nwatchdog: stalled: " << str(r["watchdog"], "problems") << "\n";
}

void print_plugins(const rapidjson::Value& r) {
    std::cout << pad("PLUGIN", 16) << pad("VERSION", 9) << pad("ABI", 5) << pad("STATE", 9) << pad("IN", 10)
              << pad("OUT", 10) << pad("DROPPED", 9) << "LAST ERROR\n";
    for (const auto& p : r.GetArray())
        std::cout << pad(str(p, "name"), 16) << pad(str(p, "version"), 9) << pad(str(p, "abi"), 5)
                  << pad(str(p, "state"), 9) << pad(str(p, "messages_in"), 10) << pad(str(p, "messages_out"), 10)
                  << pad(str(p, "messages_dropped"), 9) << str(p, "error") << "\n";
}

// The control-socket request for an invocation (strings JSON-escaped).
std::string request_json(const Invocation& inv) {
    auto quoted = [](const std::string& text) {
        rapidjson::StringBuffer sb;
        rapidjson::Writer<rapidjson::StringBuffer> w(sb);
        w.String(text.c_str(), rapidjson::SizeType(text.size()));
        return std::string(sb.GetString(), sb.GetSize());
    };
    if (inv.kind == "status" || inv.kind == "plugins" || inv.kind == "metrics") return "{\"cmd\":\"" + inv.kind + "\"}";
    if (inv.kind == "events") {
        std::string req = "{\"cmd\":\"events\",\"types\":[";
        for (size_t i = 0; i < inv.event_types.size(); ++i) req += (i ? "," : "") + quoted(inv.event_types[i]);
        return req + "]}";
    }
    if (inv.kind == "config_check") return "{\"cmd\":\"config_check\",\"path\":" + quoted(inv.config_path) + "}";
    const unsigned timeout_ms = inv.timeout_s > 0 ? unsigned(inv.timeout_s * 1000) : 60000;
    return "{\"cmd\":\"call\",\"name\":" + quoted(inv.command) + ",\"args\":" + inv.args_json +
           ",\"timeout_ms\":" + std::to_string(timeout_ms) + "}";
}

}  // namespace

int main(int argc, char** argv) {
    signal(SIGPIPE, SIG_IGN);
    Invocation inv = vigil::ctl::parse_command_line(std::vector<std::string>(argv + 1, argv + argc));
    if (inv.help) {
        std::cout << vigil::ctl::usage_text();
        return 0;
    }
    for (const auto& w : inv.warnings) std::cerr << "vigilctl: warning: " << w << "\n";
    if (!inv.error.empty()) {
        std::cerr << "vigilctl: " << inv.error << "\n\n" << vigil::ctl::usage_text();
        return 2;
    }
    const std::string req = request_json(inv);
    ControlClient client(inv.socket, inv.socket_from_env);
    std::string err, line;
    if (!client.send(req, err)) {
        std::cerr << "vigilctl: " << err << "\n";
        return 1;
    }
    if (!client.read_line(line)) {
        std::cerr << "vigilctl: vigild closed the connection without a reply\n";
        return 1;
    }
    rapidjson::Document d;
    d.Parse(line.c_str());
    if (d.HasParseError() || !d.IsObject()) {
        std::cerr << "vigilctl: unreadable reply: " << line << "\n";
        return 1;
    }
    if (!d["ok"].GetBool()) {
        if (inv.json) std::cout << line << "\n";
        std::cerr << "vigilctl: " << str(d, "error") << "\n";
        return 1;
    }
    if (inv.kind == "events") {
        while (client.read_line(line)) {
            std::cout << line << "\n";
            std::cout.flush();
        }
        return 0;
    }
    const rapidjson::Value& r = d["result"];
    if (inv.json) {
        std::cout << (inv.kind == "call" ? compact(d) : compact(r)) << "\n";
        return inv.kind == "config_check" && !r["valid"].GetBool() ? 1 : 0;
    }
    if (inv.kind == "metrics") std::cout << (r.IsString() ? r.GetString() : "");
    else if (inv.kind == "status") print_status(r);
    else if (inv.kind == "plugins") print_plugins(r);
    else if (inv.kind == "config_check") {
        if (r["valid"].GetBool()) {
            std::cout << inv.config_path << ": OK\n";
        } else {
            for (const auto& e : r["errors"].GetArray()) std::cerr << e.GetString() << "\n";
            return 1;
        }
    } else if (inv.kind == "call") {
        // The bus reply: {"ok":..,"status":..,"result":..,"error":..}. A
        // text result (a PEM certificate) is printed as it is, for files.
        if (r.IsString())
            std::cout << r.GetString();
        else
            std::cout << pretty(r) << "\n";
    }
    return 0;
}
