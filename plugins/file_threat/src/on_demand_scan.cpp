#include "on_demand_scan.hpp"

#include <rapidjson/document.h>

#include <stdexcept>

#include <vigil/sdk.hpp>

namespace file_threat {

using vigil::json_escape;

namespace {
void add_paths(const rapidjson::Value& v, const char* key, std::vector<std::string>& out) {
    if (v.IsString()) {
        out.emplace_back(v.GetString(), v.GetStringLength());
        return;
    }
    if (!v.IsArray()) throw std::invalid_argument(std::string("'") + key + "' must be a path or a list of paths");
    for (const auto& p : v.GetArray()) {
        if (!p.IsString() || p.GetStringLength() == 0)
            throw std::invalid_argument(std::string("'") + key + "' entries must be non-empty strings");
        out.emplace_back(p.GetString(), p.GetStringLength());
    }
}
Action action_of(const rapidjson::Value& v) {
    if (!v.IsString()) throw std::invalid_argument("'actions' entries must be action names");
    auto a = parse_action(v.GetString());
    if (!a)
        throw std::invalid_argument(std::string("unknown action '") + v.GetString() +
                                    "' (expected block, quarantine, delete or notify)");
    return *a;
}
}  // namespace

ScanJobRequest parse_scan_request(const std::string& args_json, const ActionPair& default_actions) {
    rapidjson::Document doc;
    doc.Parse(args_json.empty() ? "{}" : args_json.c_str());
    if (doc.HasParseError() || !doc.IsObject()) throw std::invalid_argument("arguments must be a JSON object");
    ScanJobRequest r;
    r.actions = default_actions;
    for (const char* key : {"args", "paths", "path"})
        if (auto it = doc.FindMember(key); it != doc.MemberEnd()) add_paths(it->value, key, r.paths);
    if (r.paths.empty()) throw std::invalid_argument("no path to scan (give \"paths\": [...] or positional paths)");
    for (const auto& p : r.paths)
        if (p.front() != '/') throw std::invalid_argument("path '" + p + "' is not absolute");
    if (auto it = doc.FindMember("recursive"); it != doc.MemberEnd()) {
        if (!it->value.IsBool()) throw std::invalid_argument("'recursive' must be true or false");
        r.recursive = it->value.GetBool();
    }
    if (auto it = doc.FindMember("async"); it != doc.MemberEnd()) {
        if (!it->value.IsBool()) throw std::invalid_argument("'async' must be true or false");
        r.async = it->value.GetBool();
    }
    if (auto it = doc.FindMember("actions"); it != doc.MemberEnd()) {
        const auto& v = it->value;
        if (v.IsString()) {
            r.actions.first = action_of(v);
            r.actions.second = Action::Notify;
        } else if (v.IsArray() && v.Size() >= 1 && v.Size() <= 2) {
            r.actions.first = action_of(v[0]);
            r.actions.second = v.Size() == 2 ? action_of(v[1]) : Action::Notify;
        } else if (v.IsObject()) {
            auto f = v.FindMember("first");
            if (f == v.MemberEnd()) throw std::invalid_argument("'actions' object needs \"first\"");
            r.actions.first = action_of(f->value);
            auto s = v.FindMember("second");
            r.actions.second = s == v.MemberEnd() ? Action::Notify : action_of(s->value);
        } else {
            throw std::invalid_argument("'actions' must be an action, [first, second] or {\"first\",\"second\"}");
        }
    }
    return r;
}

std::string ScanJobSummary::progress_json(bool done) const {
    return "{\"job_id\":" + std::to_string(job_id) + ",\"done\":" + (done ? "true" : "false") +
           ",\"files\":" + std::to_string(files) + ",\"scanned\":" + std::to_string(scanned) +
           ",\"infected\":" + std::to_string(infected) + ",\"skipped\":" + std::to_string(skipped) +
           ",\"excluded\":" + std::to_string(excluded) + ",\"errors\":" + std::to_string(errors) +
           ",\"cancelled\":" + (cancelled ? "true" : "false") + ",\"elapsed_ms\":" + std::to_string(elapsed_ms) +
           "}";
}

std::string ScanJobSummary::to_json() const {
    std::string out = progress_json(true);
    out.pop_back();
    out += ",\"detections\":[";
    for (size_t i = 0; i < detections.size(); ++i) {
        const auto& d = detections[i];
        out += (i ? "," : "");
        out += "{\"path\":\"" + json_escape(d.path) + "\",\"threat_id\":" + std::to_string(d.threat_id) +
               ",\"detections\":" + detections_json(d.detections) + ",\"actions\":[";
        for (size_t j = 0; j < d.actions.size(); ++j) {
            const auto& a = d.actions[j];
            out += (j ? "," : "");
            out += "{\"action\":\"" + std::string(action_name(a.action)) + "\",\"ok\":" + (a.ok ? "true" : "false") +
                   ",\"error\":\"" + json_escape(a.error) + "\",\"details\":" +
                   (a.details_json.empty() ? "{}" : a.details_json) + "}";
        }
        out += "]}";
    }
    out += "],\"error_list\":[";
    for (size_t i = 0; i < error_list.size(); ++i)
        out += std::string(i ? "," : "") + "{\"path\":\"" + json_escape(error_list[i].first) + "\",\"error\":\"" +
               json_escape(error_list[i].second) + "\"}";
    return out + "]}";
}

ScanJobSummary run_scan_job(uint64_t job_id, const ScanJobRequest& req, Protector& protector,
                            const Exclusions& exclusions, const ThreatContext& base, const std::atomic<bool>& cancel,
                            const std::function<void(const ScanJobSummary&, bool done)>& on_progress) {
    ScanJobSummary s;
    s.job_id = job_id;
    const auto t0 = Clock::now();
    auto last = t0;
    auto elapsed = [&] {
        return uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count());
    };
    auto note_error = [&](const std::string& path, const std::string& why) {
        s.errors++;
        if (s.error_list.size() < 100) s.error_list.emplace_back(path, why);
    };
    WalkCounters counters;
    walk_files(
        req.paths, req.recursive, exclusions, cancel,
        [&](const std::string& path) {
            FileScanResult r = protector.scan_path(path, req.actions, base, cancel);
            switch (r.outcome) {
            case ScanOutcome::Clean: s.scanned++; break;
            case ScanOutcome::Infected:
                s.scanned++;
                s.infected++;
                s.detections.push_back(std::move(r));
                break;
            case ScanOutcome::TimedOut: note_error(path, "scan time limit exceeded"); break;
            case ScanOutcome::Cancelled: break;
            case ScanOutcome::Error: note_error(path, r.error); break;
            }
            if (Clock::now() - last >= std::chrono::seconds(1)) {
                last = Clock::now();
                s.files = counters.files;
                s.excluded = counters.excluded;
                s.elapsed_ms = elapsed();
                on_progress(s, false);
            }
        },
        [&](const std::string& path, const std::string& why) { note_error(path, why); }, counters);
    s.files = counters.files;
    s.excluded = counters.excluded;
    s.cancelled = cancel.load();
    s.elapsed_ms = elapsed();
    on_progress(s, true);
    return s;
}

}  // namespace file_threat
