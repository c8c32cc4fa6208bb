#include "scan_json.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <iterator>
#include <utility>
#include <vigil/common/json_members.hpp>

namespace vigil::ioc_scanner {

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

void set_action(const std::string& a, ScanRequest& req) {
    static constexpr std::pair<const char*, bool ScanRequest::*> kActions[] = {
        {"quarantine", &ScanRequest::quarantine},
        {"terminate", &ScanRequest::terminate},
        {"isolate", &ScanRequest::isolate}};
    if (a == "report") return;
    for (const auto& [name, flag] : kActions)
        if (a == name) {
            req.*flag = true;
            return;
        }
    throw std::invalid_argument("unknown action \"" + a +
                                "\" (expected report, quarantine, terminate or isolate)");
}

void set_documents(const Value& v, DocumentSwitches& s) {
    static constexpr std::pair<const char*, bool DocumentSwitches::*> kSwitches[] = {
        {"files", &DocumentSwitches::files},   {"processes", &DocumentSwitches::processes},
        {"ports", &DocumentSwitches::ports},   {"arp", &DocumentSwitches::arp},
        {"dns", &DocumentSwitches::dns},       {"users", &DocumentSwitches::users},
        {"system", &DocumentSwitches::system}, {"services", &DocumentSwitches::services}};
    if (!v.IsObject()) throw std::invalid_argument("\"documents\" must be an object of booleans");
    for (auto& dm : v.GetObject()) {
        const std::string dk = dm.name.GetString();
        if (!dm.value.IsBool()) throw std::invalid_argument("documents." + dk + " must be true or false");
        auto it = std::find_if(std::begin(kSwitches), std::end(kSwitches),
                               [&](const auto& sw) { return dk == sw.first; });
        if (it == std::end(kSwitches))
            throw std::invalid_argument(
                "unknown document switch \"" + dk +
                "\" (expected files, processes, ports, arp, dns, users, system, services)");
        s.*(it->second) = dm.value.GetBool();
    }
}

void str(Writer& w, std::string_view s) { w.String(s.data(), rapidjson::SizeType(s.size())); }
void key(Writer& w, const char* k) { w.Key(k); }

using vigil::common::write_members;
using vigil::common::write_object_array;

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
            for (const auto& a : strings_of(v, k.c_str())) set_action(a, req);
        } else if (k == "documents") {
            set_documents(v, req.documents);
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
        write_members(w, "document", document_name(e.document), "object", e.object);
        if (e.document == Document::File) {
            write_members(w, "path", e.path);
            if (!e.mount_ns.empty()) write_members(w, "mount_ns", e.mount_ns, "host_path", e.open_path);
            if (!e.sha256.empty()) write_members(w, "sha256", e.sha256);
        }
        if (e.pid > 0) write_members(w, "pid", e.pid, "exe", e.exe);
        write_object_array(w, "conditions", e.hits, [&](const auto& h) {
            const Leaf& l = c.leaves[size_t(h.leaf)];
            write_members(w, "id", l.item_id, "term", l.search, "condition", l.condition_text, "negate",
                          l.negate, "content", l.content);
            if (h.other_item) {
                write_members(w, "matched_by", h.object);
            } else {
                write_members(w, "value", h.value.size() > 512 ? h.value.substr(0, 512) + "..." : h.value);
            }
        });
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

namespace {

void write_iocs_and_problems(Writer& w, const ScanReport& r) {
    write_object_array(w, "iocs", r.iocs, [&](const CompiledIoc& c) {
        write_members(w, "id", c.id, "short_description", c.short_description, "version", c.version, "source",
                      c.source, "indicator_items", c.leaves.size());
    });
    write_object_array(w, "ioc_errors", r.load_errors, [&](const auto& e) {
        write_members(w, "file", e.source, "line", e.line, "error", e.reason);
    });
    key(w, "warnings");
    w.StartArray();
    for (const auto& c : r.iocs)
        for (const auto& wn : c.warnings) {
            w.StartObject();
            write_members(w, "ioc_id", c.id, "term", wn.term, "items", wn.items, "message", wn.reason);
            w.EndObject();
        }
    for (const auto& s : r.warnings) {
        w.StartObject();
        write_members(w, "message", s);
        w.EndObject();
    }
    w.EndArray();
}

void write_counts(Writer& w, const ScanReport& r) {
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
        {"files_stat", r.files_stat},
        {"files_opened", r.files_opened},
        {"actions", r.actions.size()},
    };
    for (const auto& [k, v] : counts) {
        key(w, k);
        w.Uint64(v);
    }
    w.EndObject();
}

void write_matches_and_actions(Writer& w, const ScanReport& r) {
    write_object_array(w, "matches", r.matches, [&](const IndicatorMatch& m) {
        const CompiledIoc& c = r.iocs[m.ioc];
        write_members(w, "ioc_id", c.id, "short_description", c.short_description, "source", c.source,
                      "threat_id", m.threat_id, "evidence_total", m.total);
        key(w, "evidence");
        write_evidence(w, r, m);
    });
    write_object_array(w, "actions", r.actions, [&](const auto& a) {
        write_members(w, "action", a.action, "object", a.object, "ok", a.ok);
        if (!a.error.empty()) write_members(w, "error", a.error);
        write_members(w, "ioc_id", a.ioc_id, "threat_id", a.threat_id);
        key(w, "details");
        rapidjson::Document dd;
        dd.Parse(a.details_json.data(), a.details_json.size());  // NUL would end the input early:
        if (!dd.HasParseError() && dd.IsObject() && a.details_json.find('\0') == std::string::npos)
            w.RawValue(a.details_json.data(), a.details_json.size(), rapidjson::kObjectType);
        else
            str(w, a.details_json);
    });
}

}  // namespace

std::string report_json(const ScanReport& r) {
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    write_members(w, "scan_id", r.scan_id, "status", r.status);
    if (!r.error.empty()) write_members(w, "error", r.error);
    write_members(w, "duration_ms", uint64_t(r.duration_s * 1000));
    write_iocs_and_problems(w, r);
    write_counts(w, r);
    write_matches_and_actions(w, r);
    w.EndObject();
    return sb.GetString();
}

std::string progress_json(uint64_t scan_id, const Progress& p) {
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    write_members(w, "scan_id", scan_id, "phase", p.phase, "files_scanned", p.files_scanned, "files_matched",
                  p.files_matched, "bytes_hashed", p.bytes_hashed, "directories", p.directories,
                  "matched_indicators", p.matches, "elapsed_ms", uint64_t(p.elapsed_s * 1000));
    w.EndObject();
    return sb.GetString();
}

}  // namespace vigil::ioc_scanner
