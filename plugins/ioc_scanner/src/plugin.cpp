// ioc_scanner plugin: commands ioc_scanner.scan / .cancel / .status, scans in
// a worker thread (the executor is never blocked), detections and action
// results on the bus, progress as the custom type "ioc_scanner.progress".
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <deque>
#include <future>
#include <mutex>
#include <thread>
#include <vigil/sdk.hpp>

#include "scan_engine.hpp"
#include "scan_json.hpp"
#include "settings.hpp"
#include "status.hpp"

// The glue of the plugin; the scan logic it drives shares namespace vigil::ioc_scanner.
namespace vigil::ioc_scanner {
namespace {

const char* object_type(Document d) {
    switch (d) {
        case Document::File:
            return "file";
        case Document::Process:
            return "process";
        case Document::Port:
            return "network";
        case Document::Service:
            return "service";
        case Document::User:
            return "user";
        default:
            return "host";
    }
}

class IocScanner final : public vigil::Plugin {
public:
    explicit IocScanner(vigil::Host& host) : Plugin(host), settings_(parse_settings(host.config_json())) {
        progress_type_ = host.register_type("ioc_scanner.progress");
        host.on_command("ioc_scanner.scan", [this](const vigil::Command& c, vigil::Reply r) { scan(c, r); });
        host.on_command("ioc_scanner.cancel", [this](const vigil::Command&, vigil::Reply r) { cancel(r); });
        host.on_command("ioc_scanner.status",
                        [this](const vigil::Command& c, vigil::Reply r) { status(c, r); });
    }
    ~IocScanner() override { stop(); }

    void start() override { publish_status(); }

    void stop() override {
        cancel_ = true;
        std::thread t;
        {
            std::lock_guard<std::mutex> g(mu_);
            t = std::move(thread_);
        }
        if (t.joinable()) t.join();
    }

    bool reconfigure() override {
        PluginSettings s = parse_settings(host().config_json());
        std::lock_guard<std::mutex> g(mu_);
        settings_ = std::move(s);  // applies to the next scan
        return true;
    }

private:
    // Bridges the engine to the host: bus events, quarantine store, isolation.
    class Sink final : public ActionSink {
    public:
        Sink(IocScanner& p, uint64_t corr, std::string origin, const PluginSettings& s)
            : p_(p),
              corr_(corr),
              origin_(std::move(origin)),
              isolation_timeout_s_(s.isolation_timeout_s),
              isolation_args_(s.isolation_args) {}

        uint64_t threat(const ScanReport& r, const IndicatorMatch& m) override {
            const CompiledIoc& c = r.iocs[m.ioc];
            const uint64_t id = p_.next_threat_id();
            const Evidence* first = m.evidence.empty() ? nullptr : &m.evidence.front();
            vigil::PayloadBuilder<vigil_threat_event> b;
            b.head().severity = VIGIL_SEV_HIGH;
            b.head().threat_id = id;
            b.set(&vigil_threat_event::detector, "openioc");
            b.set(&vigil_threat_event::rule_id, c.id);
            b.set(&vigil_threat_event::title, c.short_description.empty() ? c.id : c.short_description);
            b.set(&vigil_threat_event::description, c.description.substr(0, 4096));
            b.set(&vigil_threat_event::tags, "openioc,ioc_scan");
            b.set(&vigil_threat_event::author, c.authored_by);
            b.set(&vigil_threat_event::object_type, first ? object_type(first->document) : "ioc");
            b.set(&vigil_threat_event::object,
                  first ? (first->path.empty() ? first->object : first->path) : "");
            if (first) b.set(&vigil_threat_event::sha256, first->sha256);
            b.set(&vigil_threat_event::details_json,
                  "{\"scan_id\":" + std::to_string(r.scan_id) + ",\"ioc_source\":\"" +
                      vigil::json_escape(c.source) + "\",\"evidence_total\":" + std::to_string(m.total) +
                      ",\"evidence\":" + evidence_json(r, m) + ",\"origin\":\"" +
                      vigil::json_escape(origin_) + "\"}");
            if (first && first->pid > 0) {
                vigil::ProcessInfo pi;
                pi.flags = VIGIL_PROC_FLAG_KNOWN;
                pi.pid = first->pid;
                pi.exe = first->exe;
                b.set_process(&vigil_threat_event::process, pi);
            }
            p_.host().publish(VIGIL_TYPE_THREAT, b, corr_);
            p_.host().counter_add("threats");
            return id;
        }

        std::string quarantine(const vigil::common::FileRef& f, const std::string& meta) override {
            // The judged file: the store refuses it when it changed since.
            const vigil_file_identity id{sizeof(vigil_file_identity), VIGIL_FILE_CHECK_VERSION, f.expect.dev,
                                         f.expect.ino, f.expect.size, f.expect.mtime_ns, f.expect.ctime_ns};
            return p_.host().quarantine_put_at(f.dir.get(), f.name, f.path, id, meta, false);
        }

        // isolation.on gets the configured arguments plus, unless they set
        // one, a "reason" naming the scan and the IOCs (its only free-text field).
        std::string isolate(const std::string& reason_json) override {
            const std::string args = isolation_args(reason_json);
            auto promise = std::make_shared<std::promise<std::pair<bool, std::string>>>();
            auto future = promise->get_future();
            p_.host().send_command(
                "isolation.on", args, isolation_timeout_s_ * 1000,
                [promise](const vigil::CommandResult& res) {
                    if (res.ok())
                        promise->set_value({true, std::string(res.result_json)});
                    else
                        promise->set_value({false, res.error.empty() ? "isolation.on failed with status " +
                                                                           std::to_string(res.status)
                                                                     : std::string(res.error)});
                });
            // The bus always replies (a timeout error at the latest); waiting in
            // slices keeps stop() fast.
            const auto deadline =
                std::chrono::steady_clock::now() + std::chrono::seconds(isolation_timeout_s_ + 5);
            while (future.wait_for(std::chrono::milliseconds(100)) != std::future_status::ready) {
                if (p_.cancel_ || std::chrono::steady_clock::now() > deadline)
                    throw std::runtime_error("no answer from isolation.on");
            }
            auto [ok, text] = future.get();
            if (!ok) throw std::runtime_error(text);
            return text;
        }

        // Killing is the response plugin's job (pidfd pin + start-time check
        // there); the answer or the refusal goes into the action record.
        std::string terminate(const TerminateTarget& t) override {
            constexpr unsigned kGraceS = 2, kTimeoutMs = 15000;  // SIGTERM→SIGKILL, then up to 5 s more
            auto res = p_.host().send_command_wait("response.terminate_process", terminate_args(t, kGraceS),
                                                   kTimeoutMs, &p_.cancel_);
            if (!res.ok())
                throw std::runtime_error(res.error.empty() ? "response.terminate_process failed with status " +
                                                                 std::to_string(res.status)
                                                           : res.error);
            return res.result_json;
        }

        std::string isolation_args(const std::string& reason_json) const {
            rapidjson::Document args, why;
            args.Parse(isolation_args_.c_str());
            why.Parse(reason_json.c_str());
            if (args.HasParseError() || !args.IsObject() || args.HasMember("reason")) return isolation_args_;
            std::string text = "ioc_scanner: OpenIOC match";
            if (!why.HasParseError() && why.IsObject()) {
                if (why.HasMember("scan_id") && why["scan_id"].IsUint64())
                    text += " in scan " + std::to_string(why["scan_id"].GetUint64());
                if (why.HasMember("ioc_ids") && why["ioc_ids"].IsArray()) {
                    std::string ids;
                    for (const auto& v : why["ioc_ids"].GetArray())
                        if (v.IsString()) ids += (ids.empty() ? "" : ", ") + std::string(v.GetString());
                    if (!ids.empty()) text += " (IOC " + ids + ")";
                }
            }
            rapidjson::Value v;
            v.SetString(text.c_str(), rapidjson::SizeType(text.size()), args.GetAllocator());
            args.AddMember("reason", v, args.GetAllocator());
            rapidjson::StringBuffer sb;
            rapidjson::Writer<rapidjson::StringBuffer> w(sb);
            args.Accept(w);
            return sb.GetString();
        }

        void action_done(const ScanReport&, const ActionRecord& a) override {
            vigil::PayloadBuilder<vigil_action_result> b;
            b.head().status = a.ok ? VIGIL_OK : VIGIL_EFAILED;
            b.head().threat_id = a.threat_id;
            b.head().correlation_id = corr_;
            b.set(&vigil_action_result::action, a.action);
            b.set(&vigil_action_result::object, a.object);
            b.set(&vigil_action_result::details_json, a.details_json);
            b.set(&vigil_action_result::error, a.error);
            b.set(&vigil_action_result::origin, origin_.empty() ? "ioc_scanner" : origin_);
            p_.host().publish(VIGIL_TYPE_ACTION_RESULT, b, corr_);
        }

        void progress(const Progress& pr) override {
            const std::string j = progress_json(p_.scan_id_, pr);
            p_.host().publish(p_.progress_type_, j.data(), uint32_t(j.size()), corr_);
            {
                std::lock_guard<std::mutex> g(p_.mu_);
                p_.progress_ = j;
            }
            p_.publish_status();
        }

    private:
        IocScanner& p_;
        uint64_t corr_;
        std::string origin_;
        unsigned isolation_timeout_s_;
        std::string isolation_args_;
    };

    uint64_t next_threat_id() {
        // Unique per agent run and distinct from other detectors' small counters.
        static std::atomic<uint64_t> seq{0};
        const uint64_t base =
            uint64_t(std::chrono::system_clock::now().time_since_epoch().count()) & ~uint64_t(0xffff);
        return base | (++seq & 0xffff);
    }

    void scan(const vigil::Command& c, vigil::Reply reply) {
        bool wait = true;
        ScanRequest req;
        try {
            req = parse_scan_args(c.args_json, wait);
        } catch (const std::exception& e) {
            reply.error(VIGIL_EINVAL, std::string("ioc_scanner.scan: ") + e.what());
            return;
        }
        req.origin = c.origin.empty() ? "unknown" : std::string(c.origin);
        std::lock_guard<std::mutex> g(mu_);
        if (running_) {
            reply.error(VIGIL_ESTATE, "a scan is already running (scan_id " + std::to_string(scan_id_) +
                                          "); wait for it or send ioc_scanner.cancel");
            return;
        }
        if (thread_.joinable()) thread_.join();  // the previous scan has finished
        if (!req.other_mount_namespaces_set)
            req.other_mount_namespaces = settings_.scan_other_mount_namespaces;
        running_ = true;
        cancel_ = false;
        ++scan_id_;
        const uint64_t id = scan_id_;
        const PluginSettings settings = settings_;
        const uint64_t corr = c.correlation_id;
        if (!wait) reply.ok("{\"scan_id\":" + std::to_string(id) + ",\"status\":\"running\"}");
        thread_ = std::thread([this, req = std::move(req), settings, id, corr, wait, reply]() mutable {
            Sink sink(*this, corr, req.origin, settings);
            ScanReport r = run_scan(req, settings.engine, cancel_, sink, id);
            const std::string json = report_json(r);
            host().counter_add("scans");
            host().info("scan " + std::to_string(id) + " " + r.status + ": " +
                        std::to_string(r.matches.size()) + " indicator(s) matched, " +
                        std::to_string(r.files_scanned) + " files in " +
                        std::to_string(int(r.duration_s * 1000)) + " ms");
            {
                std::lock_guard<std::mutex> g2(mu_);
                results_.push_back({id, json});
                while (results_.size() > settings.keep_results) results_.pop_front();
                running_ = false;
            }
            publish_status();
            if (wait) {
                if (r.status == "failed")
                    reply.error(VIGIL_EINVAL, "ioc_scanner.scan: " + r.error, json);
                else
                    reply.ok(json);
            }
        });
    }

    void cancel(vigil::Reply reply) {
        std::lock_guard<std::mutex> g(mu_);
        if (!running_) {
            reply.ok("{\"canceled\":false,\"message\":\"no scan is running\"}");
            return;
        }
        cancel_ = true;
        reply.ok("{\"canceled\":true,\"scan_id\":" + std::to_string(scan_id_) + "}");
    }

    void status(const vigil::Command& c, vigil::Reply reply) {
        rapidjson::Document d;
        d.Parse(c.args_json.empty() ? "{}" : std::string(c.args_json).c_str());
        std::lock_guard<std::mutex> g(mu_);
        if (!d.HasParseError() && d.IsObject() && d.HasMember("scan_id")) {
            if (!d["scan_id"].IsUint64()) {
                reply.error(VIGIL_EINVAL, "ioc_scanner.status: scan_id must be a number");
                return;
            }
            const uint64_t want = d["scan_id"].GetUint64();
            for (const auto& [id, json] : results_)
                if (id == want) {
                    reply.ok(json);
                    return;
                }
            reply.error(VIGIL_ENOTFOUND, "ioc_scanner.status: no stored result for scan " +
                                             std::to_string(want) +
                                             (running_ && want == scan_id_ ? " (it is still running)" : ""));
            return;
        }
        reply.ok(status_json_locked());
    }

    std::string status_json_locked() const { return status_json({running_, scan_id_, &progress_, &results_}); }

    void publish_status() {
        std::string s;
        {
            std::lock_guard<std::mutex> g(mu_);
            s = status_json_locked();
        }
        host().set_status(s);
    }

    std::mutex mu_;
    PluginSettings settings_;
    uint32_t progress_type_ = 0;
    std::thread thread_;
    std::atomic<bool> cancel_{false};
    bool running_ = false;
    uint64_t scan_id_ = 0;
    std::string progress_;
    std::deque<std::pair<uint64_t, std::string>> results_;
};

}  // namespace
}  // namespace vigil::ioc_scanner

VIGIL_PLUGIN(vigil::ioc_scanner::IocScanner, "ioc_scanner", "1.0.0",
             "OpenIOC 1.0/1.1 scans of files, processes, ports and system state, with actions", nullptr,
             vigil::ioc_scanner::kConfigSchema,
             "Apache-2.0", nullptr)
