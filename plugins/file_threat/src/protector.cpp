#include "protector.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <vigil/sdk.hpp>

namespace vigil::file_threat {

using vigil::json_escape;

std::string detections_json(const std::vector<Detection>& detections) {
    std::string out = "[";
    for (size_t i = 0; i < detections.size(); ++i) {
        const auto& d = detections[i];
        out += (i ? "," : "");
        out += "{\"engine\":\"" + json_escape(d.engine) + "\",\"rule\":\"" + json_escape(d.rule) +
               "\",\"title\":\"" + json_escape(d.title) + "\",\"severity\":" + std::to_string(d.severity) + "}";
    }
    return out + "]";
}

std::string quarantine_meta_json(const ThreatContext& ctx, const std::vector<Detection>& detections,
                                 uint64_t threat_id) {
    const Detection* first = detections.empty() ? nullptr : &detections.front();
    std::string out = "{\"reason\":\"file_threat\",\"threat_id\":" + std::to_string(threat_id) +
                      ",\"trigger\":\"" + json_escape(ctx.trigger) + "\",\"origin\":\"" + json_escape(ctx.origin) +
                      "\"";
    if (first)
        out += ",\"detection\":{\"engine\":\"" + json_escape(first->engine) + "\",\"rule\":\"" +
               json_escape(first->rule) + "\",\"title\":\"" + json_escape(first->title) + "\"}";
    out += ",\"detections\":" + detections_json(detections) + "}";
    return out;
}

Protector::Protector(Reporter& reporter, size_t cache_capacity) : reporter_(reporter), cache_(cache_capacity) {}

void Protector::set_options(const ProtectorOptions& o) {
    std::lock_guard<std::mutex> g(mu_);
    options_ = o;
}

void Protector::set_engines(std::shared_ptr<const Engines> e) {
    {
        std::lock_guard<std::mutex> g(mu_);
        engines_ = std::move(e);
    }
    bump_generation();
}

void Protector::set_prevention(std::shared_ptr<const PreventionList> p) {
    {
        std::lock_guard<std::mutex> g(mu_);
        prevention_ = std::move(p);
    }
    bump_generation();
}

void Protector::set_monitor(std::shared_ptr<FanotifyMonitor> m) {
    std::lock_guard<std::mutex> g(mu_);
    monitor_ = std::move(m);
}

void Protector::bump_generation() {
    generation_++;
    cache_.clear();
    std::shared_ptr<FanotifyMonitor> m;
    {
        std::lock_guard<std::mutex> g(mu_);
        m = monitor_;
    }
    if (m) m->flush_kernel_cache();
}

std::shared_ptr<const Engines> Protector::engines() const {
    std::lock_guard<std::mutex> g(mu_);
    return engines_;
}

std::shared_ptr<const PreventionList> Protector::prevention() const {
    std::lock_guard<std::mutex> g(mu_);
    return prevention_;
}

std::optional<bool> Protector::cached_decision(const FileStamp& stamp, bool exec) {
    auto v = cache_.lookup(stamp, generation_.load(std::memory_order_relaxed));
    if (!v) return std::nullopt;
    return !(v->infected || (exec && v->prevented));
}

Protector::Evaluation Protector::evaluate(int fd, const std::string& path, struct stat& st,
                                          Clock::time_point deadline, const std::atomic<bool>& cancel,
                                          unsigned delay_ms) {
    Evaluation ev = evaluate_once(fd, path, st, deadline, cancel, delay_ms);
    for (int again = 0; !ev.stable && again < 2 && Clock::now() < deadline && !cancel.load(); ++again) {
        changed_during_scan_++;
        struct stat now;
        if (::fstat(fd, &now) != 0) break;
        st = now;  // the version scanned next, the one any action must match
        ev = evaluate_once(fd, path, st, deadline, cancel, delay_ms);
    }
    if (!ev.stable) changed_during_scan_++;
    if (ev.report.partial) partial_scans_++;
    return ev;
}

Protector::Evaluation Protector::evaluate_once(int fd, const std::string& path, const struct stat& st,
                                               Clock::time_point deadline, const std::atomic<bool>& cancel,
                                               unsigned delay_ms) {
    Evaluation ev;
    auto engines = this->engines();
    auto prevention = this->prevention();
    ProtectorOptions opt;
    {
        std::lock_guard<std::mutex> g(mu_);
        opt = options_;
    }
    if (!engines) {
        ev.report.outcome = ScanOutcome::Error;
        ev.report.error = "no detection engines loaded";
        return ev;
    }
    const bool check_prevention = opt.execution_prevention && prevention && !prevention->empty();
    ScanRequest req;
    req.fd = fd;
    req.path = path;
    req.st = st;
    req.deadline = deadline;
    req.cancel = &cancel;
    req.max_size = opt.max_file_size;
    req.want_digests = check_prevention;
    req.test_delay_ms = delay_ms;
    ev.report = scan_file(*engines, req);
    if (ev.report.outcome == ScanOutcome::Error) {
        scan_errors_++;
        reporter_.log(3, "scan of " + path + " failed: " + ev.report.error);
    }
    if (check_prevention && ev.report.digests) {
        if (auto m = prevention->match(*ev.report.digests)) {
            ev.prevented = true;
            ev.prevented_by = *m;
        }
    }
    struct stat after;
    ev.stable = !ev.report.shrank && ::fstat(fd, &after) == 0 && FileStamp::of(after).same_version(FileStamp::of(st));
    return ev;
}

ActionsResult Protector::act(const ThreatContext& ctx, const std::vector<Detection>& detections,
                             const Digests& digests, const ActionPair& actions, bool permission_event,
                             const FileStamp& stamp, uint64_t& threat_id) {
    threat_id = reporter_.report_threat(ctx, detections, digests);
    const uint64_t gen = generation_.load();
    FileActionExecutor exec(
        [this](const ActionTarget& t) { return reporter_.quarantine(t); },
        [&](const ActionTarget& t) -> std::string {
            if (t.permission_event) return "";  // the waiting access is denied by our answer
            std::shared_ptr<FanotifyMonitor> m;
            {
                std::lock_guard<std::mutex> g(mu_);
                m = monitor_;
            }
            if (!m || !m->running() || !m->permission_events())
                return "cannot block: on-access permission events are not active";
            cache_.store(stamp, gen, CachedVerdict{true, false, detections.front().rule});
            return "";
        });
    ActionTarget target;
    target.path = ctx.path;
    target.dir_fd = ctx.dir_fd;
    target.name = ctx.name;
    target.st = ctx.st;
    target.permission_event = permission_event;
    target.meta_json = quarantine_meta_json(ctx, detections, threat_id);
    ActionsResult r = apply_actions(actions, exec, target);
    for (const auto& a : r.attempts) reporter_.report_action(threat_id, ctx, a);
    return r;
}

AccessDecision Protector::decide(const AccessEvent& ev, Clock::time_point deadline, const std::atomic<bool>& cancel) {
    const uint64_t gen = generation_.load();
    // Another worker may have scanned this very version meanwhile (concurrent opens).
    if (auto v = cache_.lookup(ev.stamp, gen)) {
        AccessDecision cached;
        cached.allow = !(v->infected || (ev.is_exec() && v->prevented));
        return cached;
    }
    unsigned delay;
    ActionPair actions;
    {
        std::lock_guard<std::mutex> g(mu_);
        delay = options_.test_scan_delay_ms;
        actions = options_.on_access_actions;
    }
    struct stat st = ev.st;  // becomes the version actually scanned
    Evaluation e = evaluate(ev.fd, ev.path, st, deadline, cancel, delay);
    const FileStamp stamp = FileStamp::of(st);
    const auto outcome = e.report.outcome;
    if (outcome != ScanOutcome::Clean && outcome != ScanOutcome::Infected) {
        AccessDecision failed;  // the monitor answers with the access kind's fail mode
        failed.failed = true;
        failed.timed_out = outcome == ScanOutcome::TimedOut;
        return failed;
    }

    ThreatContext ctx;
    ctx.path = ev.path;
    ctx.trigger = ev.is_exec() ? "exec" : "open";
    ctx.pid = ev.pid;
    ctx.st = st;
    ctx.dir_fd = ev.dir_fd;
    ctx.name = ev.name;

    AccessDecision d;
    CachedVerdict verdict;
    verdict.prevented = e.prevented;
    if (outcome == ScanOutcome::Infected) {
        uint64_t threat_id = 0;
        auto r = act(ctx, e.report.detections, *e.report.digests, actions, true, stamp, threat_id);
        d.allow = !r.deny_access;
        verdict.infected = r.deny_access;
        verdict.summary = e.report.detections.front().rule;
    } else if (e.prevented && ev.is_exec()) {
        Detection det;
        det.engine = "prevention";
        det.rule = e.prevented_by;
        det.title = "Execution prevented: file hash is on the prevention list";
        det.description = "The central node's execution prevention list contains " + e.prevented_by;
        det.severity = 3;
        uint64_t threat_id = reporter_.report_threat(ctx, {det}, *e.report.digests);
        ActionOutcome blocked;
        blocked.action = Action::Block;
        blocked.ok = true;
        blocked.details_json = "{\"prevented_by\":\"" + e.prevented_by + "\",\"errno\":\"EPERM\"}";
        reporter_.report_action(threat_id, ctx, blocked);
        d.allow = false;
    } else {
        d.allow = true;
        d.clean_and_stable = e.stable && !e.prevented;
    }
    if (e.stable) cache_.store(stamp, gen, verdict);
    return d;
}

void Protector::after_write(const AccessEvent& ev, const std::atomic<bool>& cancel) {
    const uint64_t gen = generation_.load();
    if (cache_.lookup(ev.stamp, gen)) return;  // this version was already scanned (and acted on)
    unsigned delay;
    ActionPair actions;
    std::chrono::milliseconds timeout;
    {
        std::lock_guard<std::mutex> g(mu_);
        delay = options_.test_scan_delay_ms;
        actions = options_.on_access_actions;
        timeout = options_.scan_timeout;
    }
    struct stat st = ev.st;  // becomes the version actually scanned
    Evaluation e = evaluate(ev.fd, ev.path, st, Clock::now() + timeout, cancel, delay);
    const FileStamp stamp = FileStamp::of(st);
    if (e.report.outcome == ScanOutcome::Infected) {
        ThreatContext ctx;
        ctx.path = ev.path;
        ctx.trigger = "write";
        ctx.pid = ev.pid;
        ctx.st = st;
        ctx.dir_fd = ev.dir_fd;
        ctx.name = ev.name;
        uint64_t threat_id = 0;
        auto r = act(ctx, e.report.detections, *e.report.digests, actions, false, stamp, threat_id);
        // Remembered for the scanned version even if the action changed the
        // file (a later version misses the cache anyway).
        cache_.store(stamp, gen, CachedVerdict{r.deny_access, e.prevented, e.report.detections.front().rule});
    } else if (e.report.outcome == ScanOutcome::Clean && e.stable) {
        cache_.store(stamp, gen, CachedVerdict{false, e.prevented, ""});
    }
}

FileScanResult Protector::scan_path(const std::string& path, const ActionPair& actions, const ThreatContext& base,
                                    const std::atomic<bool>& cancel) {
    FileScanResult r;
    r.path = path;
    const uint64_t gen = generation_.load();
    // Resolved without following links; the actions go through this very
    // directory and act only on the object scanned here.
    vigil::common::FileRef ref;
    vigil::common::UniqueFd in;
    try {
        ref = vigil::common::resolve_file(path);
        ref.check_version = false;  // read what is there now
        in = vigil::common::open_verified(ref);
    } catch (const vigil::common::SafeFsError& e) {
        r.outcome = ScanOutcome::Error;
        r.error = e.sys_errno() == EINVAL && std::string(e.what()).find("not a regular") != std::string::npos
                      ? "not a regular file"
                      : std::string("cannot open: ") + e.what();
        return r;
    }
    const int fd = in.get();
    struct stat st;
    if (::fstat(fd, &st) != 0) {
        r.outcome = ScanOutcome::Error;
        r.error = std::string("cannot stat: ") + std::strerror(errno);
        return r;
    }
    std::chrono::milliseconds timeout;
    {
        std::lock_guard<std::mutex> g(mu_);
        timeout = options_.on_demand_timeout;
    }
    Evaluation e = evaluate(fd, path, st, Clock::now() + timeout, cancel, 0);
    in.reset();
    r.outcome = e.report.outcome;
    r.error = e.report.error;
    r.detections = e.report.detections;
    const FileStamp stamp = FileStamp::of(st);
    if (r.outcome == ScanOutcome::Infected) {
        ThreatContext ctx = base;
        ctx.path = path;
        ctx.trigger = "on_demand";
        ctx.st = st;
        ctx.dir_fd = ref.dir.get();
        ctx.name = ref.name;
        auto ar = act(ctx, r.detections, *e.report.digests, actions, false, stamp, r.threat_id);
        r.actions = ar.attempts;
    } else if (r.outcome == ScanOutcome::Clean && e.stable) {
        cache_.store(stamp, gen, CachedVerdict{false, e.prevented, ""});
    }
    return r;
}

}  // namespace vigil::file_threat
