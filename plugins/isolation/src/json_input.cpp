#include "json_input.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>

namespace vigil::isolation {

rapidjson::Document parse_json_object(std::string_view text, std::string_view what) {
    rapidjson::Document d;
    if (text.empty()) text = "{}";
    d.Parse(text.data(), text.size());
    if (d.HasParseError())
        throw ValidationError(std::string(what) + ": invalid JSON at offset " +
                              std::to_string(d.GetErrorOffset()) + ": " +
                              rapidjson::GetParseError_En(d.GetParseError()));
    if (!d.IsObject()) throw ValidationError(std::string(what) + ": must be a JSON object");
    return d;
}

namespace {

std::string type_name(const rapidjson::Value& v) {
    if (v.IsNull()) return "null";
    if (v.IsBool()) return "boolean";
    if (v.IsNumber()) return "number";
    if (v.IsString()) return "string";
    if (v.IsArray()) return "array";
    return "object";
}

std::string string_of(const rapidjson::Value& v, const std::string& field) {
    if (!v.IsString()) throw ValidationError(field + ": must be a string, got " + type_name(v));
    return std::string(v.GetString(), v.GetStringLength());
}

PortRange port_range_of(const rapidjson::Value& v, const std::string& field) {
    if (v.IsString())
        return parse_port_range_text(std::string_view(v.GetString(), v.GetStringLength()), field);
    if (v.IsNumber()) {
        if (!v.IsInt64()) throw ValidationError(field + ": port must be an integer 1-65535");
        return parse_port_range_text(std::to_string(v.GetInt64()), field);
    }
    throw ValidationError(field + ": must be a port number or a \"first-last\" string, got " + type_name(v));
}

std::string normalize_cgroup(std::string path) {
    std::string out;
    for (size_t i = 0; i < path.size(); ++i) {
        if (path[i] == '/' && (out.empty() || out.back() == '/')) continue;
        out.push_back(path[i]);
    }
    while (!out.empty() && out.back() == '/') out.pop_back();
    return out;
}

}  // namespace

Exclusion parse_exclusion(const rapidjson::Value& v, const std::string& field) {
    if (!v.IsObject()) throw ValidationError(field + ": must be an object, got " + type_name(v));
    Exclusion e;
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
        const std::string key(it->name.GetString(), it->name.GetStringLength());
        const std::string f = field + "." + key;
        const auto& val = it->value;
        if (key == "direction") {
            const std::string d = string_of(val, f);
            if (d == "inbound")
                e.direction = Direction::inbound;
            else if (d == "outbound")
                e.direction = Direction::outbound;
            else if (d == "both")
                e.direction = Direction::both;
            else
                throw ValidationError(f + ": '" + d + "' is not inbound, outbound or both");
        } else if (key == "protocol") {
            if (val.IsString()) {
                e.protocol = parse_protocol_name(std::string_view(val.GetString(), val.GetStringLength()), f);
            } else if (val.IsNumber()) {
                if (!val.IsInt64() || val.GetInt64() < 0 || val.GetInt64() > 255)
                    throw ValidationError(f + ": protocol must be an integer 0-255");
                e.protocol = uint8_t(val.GetInt64());
            } else {
                throw ValidationError(f + ": must be a protocol number or name, got " + type_name(val));
            }
        } else if (key == "remote_address") {
            e.remote = parse_cidr(string_of(val, f), f);
        } else if (key == "remote_ports") {
            e.remote_ports = port_range_of(val, f);
        } else if (key == "local_ports") {
            e.local_ports = port_range_of(val, f);
        } else if (key == "cgroup") {
            e.cgroup = normalize_cgroup(string_of(val, f));
        } else if (key == "comment") {
            e.comment = string_of(val, f);
        } else {
            throw ValidationError(
                f +
                ": unknown field (known: direction, protocol, remote_address, remote_ports, "
                "local_ports, cgroup, comment)");
        }
    }
    check_exclusion(e, field);
    return e;
}

std::vector<Exclusion> parse_exclusion_list(const rapidjson::Value& v, const std::string& field) {
    std::vector<Exclusion> out;
    if (v.IsString()) {
        rapidjson::Document d;
        d.Parse(v.GetString(), v.GetStringLength());
        if (d.HasParseError() || !(d.IsArray() || d.IsObject()))
            throw ValidationError(field +
                                  ": must be an array of exclusion objects (the string given is not JSON)");
        return parse_exclusion_list(d, field);
    }
    if (v.IsObject()) {
        out.push_back(parse_exclusion(v, field));
        return out;
    }
    if (!v.IsArray())
        throw ValidationError(field + ": must be an array of exclusion objects, got " + type_name(v));
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
        const std::string f = field + "[" + std::to_string(i) + "]";
        // A repeated --exclusions '{...}' may arrive as an array of strings.
        if (v[i].IsString()) {
            rapidjson::Document d;
            d.Parse(v[i].GetString(), v[i].GetStringLength());
            if (d.HasParseError())
                throw ValidationError(f + ": must be an exclusion object (string is not JSON)");
            out.push_back(parse_exclusion(d, f));
        } else {
            out.push_back(parse_exclusion(v[i], f));
        }
    }
    return out;
}

std::vector<Endpoint> parse_endpoint_list(const rapidjson::Value& v, const std::string& field) {
    std::vector<Endpoint> out;
    if (v.IsString()) {
        out.push_back(parse_endpoint(std::string_view(v.GetString(), v.GetStringLength()), field));
        return out;
    }
    if (!v.IsArray())
        throw ValidationError(field + ": must be a string or an array of strings, got " + type_name(v));
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
        const std::string f = field + "[" + std::to_string(i) + "]";
        out.push_back(parse_endpoint(string_of(v[i], f), f));
    }
    return out;
}

int64_t parse_seconds(const rapidjson::Value& v, const std::string& field, int64_t lo, int64_t hi) {
    int64_t s = 0;
    if (v.IsInt64()) {
        s = v.GetInt64();
    } else if (v.IsDouble() && std::isfinite(v.GetDouble()) && v.GetDouble() == std::floor(v.GetDouble()) &&
               std::fabs(v.GetDouble()) < 9e15) {
        s = int64_t(v.GetDouble());
    } else if (v.IsString()) {
        const std::string t(v.GetString(), v.GetStringLength());
        size_t used = 0;
        try {
            s = std::stoll(t, &used);
        } catch (...) {
            used = 0;
        }
        if (used == 0 || used != t.size())
            throw ValidationError(field + ": '" + t + "' is not a whole number of seconds");
    } else {
        throw ValidationError(field + ": must be a whole number of seconds, got " + type_name(v));
    }
    if (s < lo || s > hi)
        throw ValidationError(field + ": " + std::to_string(s) + " is out of range " + std::to_string(lo) +
                              "-" + std::to_string(hi));
    return s;
}

std::string exclusion_to_json(const Exclusion& e) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    w.StartObject();
    w.Key("direction");
    w.String(std::string(to_string(e.direction)).c_str());
    if (e.protocol) {
        w.Key("protocol");
        w.Uint(*e.protocol);
    }
    if (e.remote) {
        w.Key("remote_address");
        w.String(e.remote->text().c_str());
    }
    if (e.remote_ports) {
        w.Key("remote_ports");
        w.String(e.remote_ports->text().c_str());
    }
    if (e.local_ports) {
        w.Key("local_ports");
        w.String(e.local_ports->text().c_str());
    }
    if (e.cgroup) {
        w.Key("cgroup");
        w.String(e.cgroup->c_str());
    }
    if (!e.comment.empty()) {
        w.Key("comment");
        w.String(e.comment.c_str(), rapidjson::SizeType(e.comment.size()));
    }
    w.EndObject();
    return sb.GetString();
}

}  // namespace vigil::isolation
