#include "scan_engine.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <mutex>
#include <set>
#include <thread>

#include "evidence_file.hpp"
#include "file_pool.hpp"
#include "ioc_parser.hpp"
#include "regex.hpp"

namespace vigil::ioc_scanner {

bool DocumentSwitches::enabled(Document d) const {
    // Routes come with the ARP switch (both are the "arp" document group).
    static constexpr std::pair<Document, bool DocumentSwitches::*> kSwitchOf[] = {
        {Document::File, &DocumentSwitches::files},      {Document::Process, &DocumentSwitches::processes},
        {Document::Port, &DocumentSwitches::ports},      {Document::Arp, &DocumentSwitches::arp},
        {Document::Route, &DocumentSwitches::arp},       {Document::Dns, &DocumentSwitches::dns},
        {Document::User, &DocumentSwitches::users},      {Document::SystemInfo, &DocumentSwitches::system},
        {Document::Service, &DocumentSwitches::services}};
    for (const auto& [doc, on] : kSwitchOf)
        if (doc == d) return this->*on;
    return false;
}

void load_iocs(const ScanRequest& req, ScanReport& report) {
    auto add = [&](const std::function<Ioc()>& parse) {
        try {
            report.iocs.push_back(compile(parse()));
        } catch (const ParseError& e) {
            report.load_errors.push_back({e.source(), e.line(), e.reason()});
        }
    };
    for (const auto& f : req.ioc_files) add([&] { return load_ioc_file(f); });
    for (size_t i = 0; i < req.ioc_xml.size(); ++i)
        add([&] { return parse_ioc(req.ioc_xml[i], "inline #" + std::to_string(i + 1)); });
}

namespace {


using Clock = std::chrono::steady_clock;

void lower_priority(const EngineSettings& s) { lower_thread_priority(s.nice, s.io_class, s.io_level); }

class Scan {
public:
    Scan(const ScanRequest& req, const EngineSettings& s, std::atomic<bool>& cancel, ActionSink& sink,
         ScanReport& r)
        : req_(req), s_(s), cancel_(cancel), sink_(sink), r_(r), t0_(Clock::now()) {}

    void run() {
        phase("loading");
        load_iocs(req_, r_);
        if (r_.iocs.empty()) {
            r_.status = "failed";
            r_.error = r_.load_errors.empty() ? "no IOC given (ioc_files, args or ioc_xml)"
                                              : "no IOC could be loaded: ";
            for (size_t i = 0; i < r_.load_errors.size() && i < 5; ++i) {
                const auto& e = r_.load_errors[i];
                r_.error += (i ? "; " : "") + e.source + (e.line > 0 ? ":" + std::to_string(e.line) : "") +
                            ": " + e.reason;
            }
            phase("done");
            return;
        }
        if (!req_.path_hint_regex.empty()) {
            try {
                hint_ = std::make_unique<Regex>(req_.path_hint_regex, false);
            } catch (const std::exception& e) {
                r_.status = "failed";
                r_.error = std::string("path_hint_regex: ") + e.what();
                phase("done");
                return;
            }
        }
        for (const auto& c : r_.iocs) {
            facts_.push_back(std::make_unique<GlobalFacts>(c.leaves.size()));
            r_.matches.push_back({});
        }
        for (size_t i = 0; i < r_.iocs.size(); ++i) r_.matches[i].ioc = i;
        for (int d = 0; d < kDocumentCount; ++d) {
            bool used = false;
            for (const auto& c : r_.iocs) used |= c.uses(Document(d));
            if (used && !req_.documents.enabled(Document(d)))
                r_.warnings.push_back(std::string("the IOCs use ") + document_name(Document(d)) +
                                      " but that document is switched off for this scan");
            use_[d] = used && req_.documents.enabled(Document(d));
        }

        lower_priority(s_);
        phase("collecting");
        collect_small_documents();
        if (!cancel_) {
            phase("files");
            scan_files();
        }
        if (!cancel_) {
            phase("evaluating");
            evaluate_small_documents();
        }
        // Drop indicators without evidence.
        std::vector<IndicatorMatch> hit;
        for (auto& m : r_.matches)
            if (m.total > 0) hit.push_back(std::move(m));
        r_.matches = std::move(hit);
        if (cancel_) {
            r_.status = "canceled";
        } else {
            phase("actions");
            act();
        }
        phase("done");
    }

private:
    void phase(const char* name) {
        std::lock_guard<std::mutex> g(progress_mu_);
        phase_ = name;
        publish_progress_locked();
    }
    void publish_progress_locked() {
        Progress p;
        p.phase = phase_;
        p.files_scanned = file_counters_.files.load();
        p.bytes_hashed = file_counters_.bytes_hashed.load();
        p.directories = walk_counters_.directories.load();
        p.files_matched = files_matched_.load();
        p.elapsed_s = std::chrono::duration<double>(Clock::now() - t0_).count();
        {
            std::lock_guard<std::mutex> g(match_mu_);
            for (const auto& m : r_.matches) p.matches += m.total > 0 ? 1 : 0;
        }
        sink_.progress(p);
    }
    void maybe_progress() {
        std::lock_guard<std::mutex> g(progress_mu_);
        if (Clock::now() - last_progress_ < std::chrono::seconds(1)) return;
        last_progress_ = Clock::now();
        publish_progress_locked();
    }

    void add_evidence(size_t ioc, Evidence&& e) {
        std::lock_guard<std::mutex> g(match_mu_);
        auto& m = r_.matches[ioc];
        ++m.total;
        if (m.evidence.size() < s_.max_evidence) m.evidence.push_back(std::move(e));
    }

    void collect_small_documents() {
        CollectOptions o = s_.collect;
        for (const auto& c : r_.iocs) {
            o.handles |= c.needs_handles;
            o.maps |= c.needs_maps;
        }
        struct Source {
            Document doc;
            std::vector<Record> (*fn)(const CollectOptions&);
        };
        const Source sources[] = {{Document::Process, collect_processes},
                                  {Document::Port, collect_ports},
                                  {Document::Arp, collect_arp},
                                  {Document::Route, collect_routes},
                                  {Document::Dns, collect_dns},
                                  {Document::User, collect_users},
                                  {Document::SystemInfo, collect_system_info},
                                  {Document::Service, collect_services}};
        for (const auto& src : sources) {
            if (cancel_ || !use_[int(src.doc)]) continue;
            try {
                records_[int(src.doc)] = src.fn(o);
            } catch (const std::exception& e) {
                r_.warnings.push_back(std::string("collecting ") + document_name(src.doc) +
                                      " failed: " + e.what());
            }
            r_.items[int(src.doc)] = records_[int(src.doc)].size();
            // Facts first, so file evaluation can use terms of these documents.
            for (const auto& rec : records_[int(src.doc)]) {
                RecordView v(rec);
                for (size_t i = 0; i < r_.iocs.size(); ++i)
                    if (r_.iocs[i].uses(src.doc)) Evaluator(r_.iocs[i], *facts_[i]).record_facts(src.doc, v);
            }
        }
    }

    void evaluate_small_documents() {
        std::vector<Hit> hits;
        for (int d = 0; d < kDocumentCount; ++d) {
            if (Document(d) == Document::File) continue;
            for (const auto& rec : records_[d]) {
                RecordView v(rec);
                for (size_t i = 0; i < r_.iocs.size(); ++i) {
                    if (!r_.iocs[i].uses(Document(d))) continue;
                    if (!Evaluator(r_.iocs[i], *facts_[i]).match(Document(d), v, hits)) continue;
                    Evidence e;
                    e.document = Document(d);
                    e.object = rec.object;
                    e.hits = hits;
                    e.pid = rec.pid;
                    e.start_ticks = rec.start_ticks;
                    e.exe = rec.exe;
                    add_evidence(i, std::move(e));
                }
            }
        }
    }

    void evaluate_file(const FileEntry& e, const std::vector<size_t>& file_iocs, const FileNeeds& needs,
                       std::vector<Hit>& hits) {
        file_counters_.files++;
        FileView view(e, needs, s_.limits, file_counters_, &cancel_);
        bool matched = false;
        for (size_t i : file_iocs) {
            if (!Evaluator(r_.iocs[i], *facts_[i]).match(Document::File, view, hits)) continue;
            matched = true;
            Evidence ev;
            ev.document = Document::File;
            ev.object = view.object();
            ev.hits = hits;
            ev.path = e.path;
            ev.open_path = e.open_path;
            ev.mount_ns = e.mount_ns;
            ev.sha256 = view.sha256();
            // The stamp pins what quarantine moves; without that action a
            // file decided by its name is never stat()ed.
            if (req_.quarantine)
                if (auto st = view.stamp()) ev.stamp = *st;
            add_evidence(i, std::move(ev));
        }
        if (matched) files_matched_++;
    }

    void scan_files() {
        if (!use_[int(Document::File)]) return;
        std::vector<size_t> file_iocs;
        FileNeeds needs;
        for (size_t i = 0; i < r_.iocs.size(); ++i)
            if (r_.iocs[i].uses(Document::File)) {
                file_iocs.push_back(i);
                needs.merge(r_.iocs[i].file_needs);
            }
        WalkOptions wo;
        wo.paths = req_.paths.empty() ? s_.default_paths : req_.paths;
        wo.exclusions = s_.default_exclusions;
        wo.exclusions.insert(wo.exclusions.end(), req_.exclusions.begin(), req_.exclusions.end());
        // An explicitly requested path is scanned even below a default exclusion.
        for (const auto& p : wo.paths)
            std::erase_if(wo.exclusions, [&](const std::string& e) {
                return std::find(s_.default_exclusions.begin(), s_.default_exclusions.end(), e) !=
                           s_.default_exclusions.end() &&
                       is_excluded(p, {e});
            });
        wo.path_hint = hint_.get();
        wo.other_mount_namespaces = req_.other_mount_namespaces;

        PoolOptions po;
        po.workers = s_.workers;
        // Names and paths only: evaluating costs less than handing the file to
        // a worker, and no file is stat()ed or opened (the walk's d_type says
        // what is a regular file).
        po.inline_in_walker = needs.names_only() && !s_.force_file_workers;
        po.cpu_limit_percent = s_.cpu_limit_percent;
        po.nice = s_.nice;
        po.io_class = s_.io_class;
        po.io_level = s_.io_level;
        run_file_phase(
            wo, po, cancel_, walk_counters_,
            [&](const FileEntry& e) {
                thread_local std::vector<Hit> hits;
                evaluate_file(e, file_iocs, needs, hits);
            },
            [this] { maybe_progress(); });

        r_.files_scanned = file_counters_.files;
        r_.files_hashed = file_counters_.hashed;
        r_.bytes_hashed = file_counters_.bytes_hashed;
        r_.hash_skipped_too_large = file_counters_.hash_skipped_too_large;
        r_.read_errors = file_counters_.read_errors;
        r_.files_stat = file_counters_.stats;
        r_.files_opened = file_counters_.opens;
        r_.directories = walk_counters_.directories;
        r_.excluded = walk_counters_.excluded;
        r_.hint_skipped = walk_counters_.hint_skipped;
        r_.walk_errors = walk_counters_.errors;
        r_.mount_namespaces = walk_counters_.namespaces;
        r_.items[int(Document::File)] = r_.files_scanned;
    }

    void record(ActionRecord a) {
        sink_.action_done(r_, a);
        r_.actions.push_back(std::move(a));
    }

    void act() {
        std::set<std::string> quarantined;
        std::set<std::pair<int, uint64_t>> terminated;
        for (auto& m : r_.matches) {
            const CompiledIoc& c = r_.iocs[m.ioc];
            m.threat_id = sink_.threat(r_, m);
            for (const auto& e : m.evidence) {
                if (req_.quarantine && e.document == Document::File &&
                    quarantined.insert(e.open_path).second) {
                    ActionRecord a{"quarantine", e.path, false, "", "{}", m.threat_id, c.id};
                    try {
                        std::string meta = "{\"detection\":\"openioc\",\"ioc_id\":\"" + json_escape(c.id) +
                                           "\",\"ioc\":\"" + json_escape(c.short_description) +
                                           "\",\"threat_id\":" + std::to_string(m.threat_id) +
                                           ",\"scan_id\":" + std::to_string(r_.scan_id) + ",\"origin\":\"" +
                                           json_escape(req_.origin) + "\"}";
                        a.details_json = sink_.quarantine(evidence_file(e), meta);
                        if (a.details_json.empty()) a.details_json = "{}";
                        a.ok = true;
                    } catch (const std::exception& ex) {
                        a.error = ex.what();
                    }
                    record(std::move(a));
                }
                if (req_.terminate && (e.document == Document::Process || e.document == Document::Port) &&
                    e.pid > 0 && terminated.insert({e.pid, e.start_ticks}).second) {
                    ActionRecord a{"terminate", e.object, false, "", "{}", m.threat_id, c.id};
                    const TerminateTarget target{e.pid, e.start_ticks, e.exe};
                    std::string result;
                    try {
                        result = sink_.terminate(target);
                        a.ok = true;
                    } catch (const std::exception& ex) {
                        a.error = ex.what();
                    }
                    a.details_json = terminate_details(target, result);
                    record(std::move(a));
                }
            }
        }
        if (req_.isolate && !r_.matches.empty()) {
            std::string ids;
            for (const auto& m : r_.matches)
                ids += (ids.empty() ? "\"" : ",\"") + json_escape(r_.iocs[m.ioc].id) + "\"";
            ActionRecord a{"isolate",
                           "host",
                           false,
                           "",
                           "{}",
                           r_.matches.front().threat_id,
                           r_.iocs[r_.matches.front().ioc].id};
            try {
                const std::string reason =
                    "{\"reason\":\"openioc match\",\"scan_id\":" + std::to_string(r_.scan_id) +
                    ",\"ioc_ids\":[" + ids + "]}";
                const std::string reply = sink_.isolate(reason);
                a.details_json = reason.substr(0, reason.size() - 1) + ",\"isolation\":" +
                                 (reply.empty() || reply[0] != '{' ? std::string("{}") : reply) + "}";
                a.ok = true;
            } catch (const std::exception& ex) {
                a.error = ex.what();
            }
            record(std::move(a));
        }
    }

    static std::string json_escape(const std::string& s) {
        std::string out;
        for (unsigned char ch : s) {
            if (ch == '"' || ch == '\\') {
                out.push_back('\\');
                out.push_back(char(ch));
            } else if (ch < 0x20) {
                char b[8];
                snprintf(b, sizeof b, "\\u%04x", ch);
                out += b;
            } else {
                out.push_back(char(ch));
            }
        }
        return out;
    }

    const ScanRequest& req_;
    const EngineSettings& s_;
    std::atomic<bool>& cancel_;
    ActionSink& sink_;
    ScanReport& r_;
    Clock::time_point t0_, last_progress_{};
    std::unique_ptr<Regex> hint_;
    std::vector<std::unique_ptr<GlobalFacts>> facts_;
    bool use_[kDocumentCount] = {};
    std::vector<Record> records_[kDocumentCount];
    FileCounters file_counters_;
    WalkCounters walk_counters_;
    std::atomic<uint64_t> files_matched_{0};
    std::mutex match_mu_, progress_mu_;
    std::string phase_;
};

}  // namespace

ScanReport run_scan(const ScanRequest& req, const EngineSettings& settings, std::atomic<bool>& cancel,
                    ActionSink& sink, uint64_t scan_id) {
    ScanReport r;
    r.scan_id = scan_id;
    const auto t0 = Clock::now();
    try {
        Scan(req, settings, cancel, sink, r).run();
    } catch (const std::exception& e) {
        r.status = "failed";
        r.error = e.what();
    }
    r.duration_s = std::chrono::duration<double>(Clock::now() - t0).count();
    return r;
}

}  // namespace vigil::ioc_scanner
