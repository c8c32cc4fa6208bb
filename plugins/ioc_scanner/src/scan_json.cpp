#include "scan_json.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace ioc {

namespace {

using rapidjson::Value;
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

std::vector<std::string> strings_of(const Value& v, const char* name) {
    std::vector<std::string> out;
    if (v.IsString()) {
        out.emplace_back(v.GetString(), v.GetStringLength());
        return out;
    }
    if (!v.IsArray())
        throw std::invalid_argument(std::string("\"") + name + "\" must be a string or an array of strings");
    for (const auto& e : v.GetArray()) {
        if (!e.IsString())
            throw std::invalid_argument(std::string("\"") + name + "\" must contain only strings");
        out.emplace_back(e.GetString(), e.GetStringLength());
    }
    return out;
}

void require_absolute(const std::vector<std::string>& v, const char* what) {
    for (const auto& p : v)
        if (p.empty() || p[0] != '/')
            throw std::invalid_argument(
                std::string(what) + " \"" + p +
                "\" is not an absolute path (the daemon does not share the caller's directory)");
}

void str(Writer& w, std::string_view s) { w.String(s.data(), rapidjson::SizeType(s.size())); }
void key(Writer& w, const char* k) { w.Key(k); }

}  // namespace

ScanRequest parse_scan_args(std::string_view json, bool& wait) {
    ScanRequest req;
    wait = true;
    rapidjson::Document d;
    if (json.empty()) json = "{}";
    d.Parse(json.data(), json.size());
    if (d.HasParseError())
        throw std::invalid_argument(std::string("arguments are not valid JSON: ") +
                                    rapidjson::GetParseError_En(d.GetParseError()) + " at offset " +
                                    std::to_string(d.GetErrorOffset()));
    if (!d.IsObject()) throw std::invalid_argument("arguments must be a JSON object");
    for (auto& m : d.GetObject()) {
        const std::string k(m.name.GetString(), m.name.GetStringLength());
        const Value& v = m.value;
        if (k == "ioc_files" || k == "args") {
            auto f = strings_of(v, k.c_str());
            req.ioc_files.insert(req.ioc_files.end(), f.begin(), f.end());
        } else if (k == "ioc_xml") {
            req.ioc_xml = strings_of(v, "ioc_xml");
        } else if (k == "paths" || k == "path") {
            auto p = strings_of(v, k.c_str());
            req.paths.insert(req.paths.end(), p.begin(), p.end());
        } else if (k == "exclusions" || k == "exclude") {
            auto e = strings_of(v, k.c_str());
            req.exclusions.insert(req.exclusions.end(), e.begin(), e.end());
        } else if (k == "path_hint_regex") {
            if (!v.IsString()) throw std::invalid_argument("\"path_hint_regex\" must be a string");
            req.path_hint_regex = v.GetString();
        } else if (k == "scan_other_mount_namespaces") {
            if (!v.IsBool())
                throw std::invalid_argument("\"scan_other_mount_namespaces\" must be true or false");
            req.other_mount_namespaces = v.GetBool();
            req.other_mount_namespaces_set = true;
        } else if (k == "wait") {
            if (!v.IsBool()) throw std::invalid_argument("\"wait\" must be true or false");
            wait = v.GetBool();
        } else if (k == "actions" || k == "action") {
            for (const auto& a : strings_of(v, k.c_str())) {
                if (a == "report")
                    continue;
                else if (a == "quarantine")
                    req.quarantine = true;
                else if (a == "terminate")
                    req.terminate = true;
                else if (a == "isolate")
                    req.isolate = true;
                else
                    throw std::invalid_argument("unknown action \"" + a +
                                                "\" (expected report, quarantine, terminate or isolate)");
            }
        } else if (k == "documents") {
            if (!v.IsObject()) throw std::invalid_argument("\"documents\" must be an object of booleans");
            for (auto& dm : v.GetObject()) {
                const std::string dk = dm.name.GetString();
                if (!dm.value.IsBool())
                    throw std::invalid_argument("documents." + dk + " must be true or false");
                const bool on = dm.value.GetBool();
                DocumentSwitches& s = req.documents;
                if (dk == "files")
                    s.files = on;
                else if (dk == "processes")
                    s.processes = on;
                else if (dk == "ports")
                    s.ports = on;
                else if (dk == "arp")
                    s.arp = on;
                else if (dk == "dns")
                    s.dns = on;
                else if (dk == "users")
                    s.users = on;
                else if (dk == "system")
                    s.system = on;
                else if (dk == "services")
                    s.services = on;
                else
                    throw std::invalid_argument(
                        "unknown document switch \"" + dk +
                        "\" (expected files, processes, ports, arp, dns, users, system, services)");
            }
        } else if (k == "origin") {
            if (v.IsString()) req.origin = v.GetString();
        } else {
            throw std::invalid_argument("unknown argument \"" + k + "\"");
        }
    }
    require_absolute(req.ioc_files, "IOC file");
    require_absolute(req.paths, "scan path");
    if (req.ioc_files.empty() && req.ioc_xml.empty())
        throw std::invalid_argument(
            "no IOC given: pass \"ioc_files\" (or positional \"args\") or \"ioc_xml\"");
    return req;
}

static void write_evidence(Writer& w, const ScanReport& r, const IndicatorMatch& m) {
    const CompiledIoc& c = r.iocs[m.ioc];
    w.StartArray();
    for (const auto& e : m.evidence) {
        w.StartObject();
        key(w, "document");
        w.String(document_name(e.document));
        key(w, "object");
        str(w, e.object);
        if (e.document == Document::File) {
            key(w, "path");
            str(w, e.path);
            if (!e.mount_ns.empty()) {
                key(w, "mount_ns");
                str(w, e.mount_ns);
                key(w, "host_path");
                str(w, e.open_path);
            }
            if (!e.sha256.empty()) {
                key(w, "sha256");
                str(w, e.sha256);
            }
        }
        if (e.pid > 0) {
            key(w, "pid");
            w.Int(e.pid);
            key(w, "exe");
            str(w, e.exe);
        }
        key(w, "conditions");
        w.StartArray();
        for (const auto& h : e.hits) {
            const Leaf& l = c.leaves[size_t(h.leaf)];
            w.StartObject();
            key(w, "id");
            str(w, l.item_id);
            key(w, "term");
            str(w, l.search);
            key(w, "condition");
            str(w, l.condition_text);
            key(w, "negate");
            w.Bool(l.negate);
            key(w, "content");
            str(w, l.content);
            if (h.other_item) {
                key(w, "matched_by");
                str(w, h.object);
            } else {
                key(w, "value");
                str(w, h.value.size() > 512 ? h.value.substr(0, 512) + "..." : h.value);
            }
            w.EndObject();
        }
        w.EndArray();
        w.EndObject();
    }
    w.EndArray();
}

std::string evidence_json(const ScanReport& r, const IndicatorMatch& m) {
    rapidjson::StringBuffer sb;
    Writer w(sb);
    write_evidence(w, r, m);
    return sb.GetString();
}

std::string report_json(const ScanReport& r) {
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    key(w, "scan_id");
    w.Uint64(r.scan_id);
    key(w, "status");
    str(w, r.status);
    if (!r.error.empty()) {
        key(w, "error");
        str(w, r.error);
    }
    key(w, "duration_ms");
    w.Uint64(uint64_t(r.duration_s * 1000));
    key(w, "iocs");
    w.StartArray();
    for (const auto& c : r.iocs) {
        w.StartObject();
        key(w, "id");
        str(w, c.id);
        key(w, "short_description");
        str(w, c.short_description);
        key(w, "version");
        str(w, c.version);
        key(w, "source");
        str(w, c.source);
        key(w, "indicator_items");
        w.Uint64(c.leaves.size());
        w.EndObject();
    }
    w.EndArray();
    key(w, "ioc_errors");
    w.StartArray();
    for (const auto& e : r.load_errors) {
        w.StartObject();
        key(w, "file");
        str(w, e.source);
        key(w, "line");
        w.Int(e.line);
        key(w, "error");
        str(w, e.reason);
        w.EndObject();
    }
    w.EndArray();
    key(w, "warnings");
    w.StartArray();
    for (const auto& c : r.iocs)
        for (const auto& wn : c.warnings) {
            w.StartObject();
            key(w, "ioc_id");
            str(w, c.id);
            key(w, "term");
            str(w, wn.term);
            key(w, "items");
            w.Int(wn.items);
            key(w, "message");
            str(w, wn.reason);
            w.EndObject();
        }
    for (const auto& s : r.warnings) {
        w.StartObject();
        key(w, "message");
        str(w, s);
        w.EndObject();
    }
    w.EndArray();
    key(w, "counts");
    w.StartObject();
    uint64_t evidence = 0;
    for (const auto& m : r.matches) evidence += m.total;
    const std::pair<const char*, uint64_t> counts[] = {
        {"iocs_loaded", r.iocs.size()},
        {"ioc_errors", r.load_errors.size()},
        {"matched_indicators", r.matches.size()},
        {"evidence_items", evidence},
        {"files_scanned", r.files_scanned},
        {"files_hashed", r.files_hashed},
        {"bytes_hashed", r.bytes_hashed},
        {"hash_skipped_too_large", r.hash_skipped_too_large},
        {"read_errors", r.read_errors},
        {"directories", r.directories},
        {"excluded", r.excluded},
        {"path_hint_skipped", r.hint_skipped},
        {"walk_errors", r.walk_errors},
        {"mount_namespaces", r.mount_namespaces},
        {"processes", r.items[int(Document::Process)]},
        {"ports", r.items[int(Document::Port)]},
        {"arp_entries", r.items[int(Document::Arp)]},
        {"routes", r.items[int(Document::Route)]},
        {"dns_entries", r.items[int(Document::Dns)]},
        {"users", r.items[int(Document::User)]},
        {"system_info", r.items[int(Document::SystemInfo)]},
        {"services", r.items[int(Document::Service)]},
        {"actions", r.actions.size()},
    };
    for (const auto& [k, v] : counts) {
        key(w, k);
        w.Uint64(v);
    }
    w.EndObject();
    key(w, "matches");
    w.StartArray();
    for (const auto& m : r.matches) {
        const CompiledIoc& c = r.iocs[m.ioc];
        w.StartObject();
        key(w, "ioc_id");
        str(w, c.id);
        key(w, "short_description");
        str(w, c.short_description);
        key(w, "source");
        str(w, c.source);
        key(w, "threat_id");
        w.Uint64(m.threat_id);
        key(w, "evidence_total");
        w.Uint64(m.total);
        key(w, "evidence");
        write_evidence(w, r, m);
        w.EndObject();
    }
    w.EndArray();
    key(w, "actions");
    w.StartArray();
    for (const auto& a : r.actions) {
        w.StartObject();
        key(w, "action");
        str(w, a.action);
        key(w, "object");
        str(w, a.object);
        key(w, "ok");
        w.Bool(a.ok);
        if (!a.error.empty()) {
            key(w, "error");
            str(w, a.error);
        }
        key(w, "ioc_id");
        str(w, a.ioc_id);
        key(w, "threat_id");
        w.Uint64(a.threat_id);
        key(w, "details");
        rapidjson::Document dd;
        dd.Parse(a.details_json.data(), a.details_json.size());
        // A NUL byte ends RapidJSON's input early, so it would pass the parse but not RawValue.
        if (!dd.HasParseError() && dd.IsObject() && a.details_json.find('\0') == std::string::npos)
            w.RawValue(a.details_json.data(), a.details_json.size(), rapidjson::kObjectType);
        else
            str(w, a.details_json);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return sb.GetString();
}

std::string progress_json(uint64_t scan_id, const Progress& p) {
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    key(w, "scan_id");
    w.Uint64(scan_id);
    key(w, "phase");
    str(w, p.phase);
    key(w, "files_scanned");
    w.Uint64(p.files_scanned);
    key(w, "files_matched");
    w.Uint64(p.files_matched);
    key(w, "bytes_hashed");
    w.Uint64(p.bytes_hashed);
    key(w, "directories");
    w.Uint64(p.directories);
    key(w, "matched_indicators");
    w.Uint64(p.matches);
    key(w, "elapsed_ms");
    w.Uint64(uint64_t(p.elapsed_s * 1000));
    w.EndObject();
    return sb.GetString();
}

}  // namespace ioc
