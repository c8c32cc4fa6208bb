#include "detection.hpp"

#include "event_json.hpp"
#include "process/proc_reader.hpp"

#include <behavior_sigma/detector.hpp>
#include <behavior_sigma/event_builder.hpp>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <vigil/sdk.hpp>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace vigil::behavior {

bool detection_available() { return true; }

struct Detection::Impl {
    Settings settings;
    DetectionHooks hooks;
    vigil::behavior::sigma::Detector detector;
    std::atomic<uint64_t> next_threat{1}, detections{0}, blocked{0}, block_failed{0}, evaluated{0};
    // Message types some loaded rule can match: building a Sigma event for
    // the others (e.g. every process exit) would be wasted work.
    bool wants_process_start = true, wants_process_exit = true, wants_network = true, wants_file = true;
    // Per category, the fields the loaded rules (and trust checks) read: the Sigma event
    // of a file write needs its path and the acting program, not every command line.
    vigil::behavior::sigma::FieldsByCategory fields{};
};

Detection::Detection(const Settings& settings, DetectionHooks hooks) : impl_(std::make_unique<Impl>()) {
    impl_->settings = settings;
    impl_->hooks = std::move(hooks);
    vigil::behavior::sigma::LoadOptions lo;
    for (const auto& d : settings.rules_dirs) lo.rule_dirs.emplace_back(d);
    lo.builtin_rules = settings.builtin_rules;
    auto& log = impl_->hooks.log;
    auto stats = impl_->detector.load(lo, [&log](const vigil::behavior::sigma::LoadIssue& i) {
        if (log) log(VIGIL_LOG_WARN, "sigma rule skipped: " + i.file + ": " + i.reason);
    });
    using vigil::behavior::sigma::Category;
    auto rules_for = [&](std::initializer_list<Category> cats) {
        size_t n = 0;
        for (auto c : cats) n += stats.per_category[size_t(c)];
        return n > 0;
    };
    impl_->wants_process_start = rules_for({Category::ProcessCreation});
    impl_->wants_process_exit = rules_for({Category::ProcessTermination});
    impl_->wants_network = rules_for({Category::NetworkConnection});
    impl_->wants_file = rules_for({Category::FileEvent, Category::FileDelete, Category::FileRename, Category::FileAccess});
    std::vector<vigil::behavior::sigma::TrustedProgram> trusted;
    for (const auto& t : settings.trusted_programs) trusted.push_back({t.path, t.descendants});
    impl_->detector.set_trusted(std::move(trusted));
    impl_->fields = impl_->detector.fields_read();
    if (log)
        log(VIGIL_LOG_INFO, "sigma rules: " + std::to_string(stats.loaded) + " loaded, " +
                                std::to_string(stats.skipped) + " skipped");
}

Detection::~Detection() = default;

namespace {

// Kills the process that matched, never another one that got its pid since: a pidfd
// pins the process first, then its start time (and executable) must be those of the
// event; the signal goes through the pidfd, so it cannot reach a process started after.
std::string kill_process(const vigil::ProcessInfo& p) {
    if (p.pid <= 1 || p.pid == ::getpid()) return "refusing to kill pid " + std::to_string(p.pid);
    if (p.start_time_ns == 0) return "start time of pid " + std::to_string(p.pid) + " unknown, not killed";
    int fd = int(::syscall(SYS_pidfd_open, p.pid, 0));
    if (fd < 0) return "pid " + std::to_string(p.pid) + " is gone: " + std::strerror(errno);
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    ProcReader reader;
    uint64_t ticks = reader.start_ticks(p.pid);
    uint64_t now_start = ProcReader::boottime_to_realtime(ticks * ProcReader::tick_ns());
    uint64_t diff = now_start > p.start_time_ns ? now_start - p.start_time_ns : p.start_time_ns - now_start;
    // /proc has clock-tick resolution; the event may have the kernel's nanoseconds.
    if (ticks == 0 || diff > 2 * ProcReader::tick_ns() + 50000000ull)
        return "pid " + std::to_string(p.pid) + " is another process now (start time differs), not killed";
    std::string now = reader.exe(p.pid);
    if (!now.empty() && !p.exe.empty() && now.rfind(p.exe, 0) != 0)
        return "pid " + std::to_string(p.pid) + " now runs " + now + ", not killed";
    if (::syscall(SYS_pidfd_send_signal, fd, SIGKILL, nullptr, 0) != 0)
        return std::string("kill: ") + std::strerror(errno);
    return {};
}

}  // namespace

void Detection::evaluate(uint32_t type, const void* payload, uint32_t size) {
    bool wanted = (type == VIGIL_TYPE_PROCESS_START && impl_->wants_process_start) ||
                  (type == VIGIL_TYPE_PROCESS_EXIT && impl_->wants_process_exit) ||
                  (type == VIGIL_TYPE_NETWORK && impl_->wants_network) || (type == VIGIL_TYPE_FILE && impl_->wants_file);
    if (!wanted) return;
    // One event per thread, refilled: its strings keep their memory (no allocation per message).
    thread_local vigil::behavior::sigma::SigmaEvent ev(vigil::behavior::sigma::Category::ProcessCreation);
    if (!vigil::behavior::sigma::event_into(ev, type, payload, size, &impl_->fields)) return;
    ++impl_->evaluated;
    // The process context sits at a different place in each payload type.
    vigil_process_ctx ctx{};
    switch (type) {
    case VIGIL_TYPE_PROCESS_START:
    case VIGIL_TYPE_PROCESS_EXIT: ctx = vigil::view<vigil_process_event>(payload, size)->process; break;
    case VIGIL_TYPE_NETWORK: ctx = vigil::view<vigil_network_event>(payload, size)->process; break;
    case VIGIL_TYPE_FILE: ctx = vigil::view<vigil_file_event>(payload, size)->process; break;
    default: return;
    }
    // The ancestor chain is walked only when trust with descendants needs it.
    vigil::behavior::sigma::Detector::AncestorsFn ancestors = [&, pid = ctx.pid]() -> std::vector<std::string> {
        return impl_->hooks.ancestors ? impl_->hooks.ancestors(pid) : std::vector<std::string>{};
    };
    auto matches = impl_->detector.evaluate(ev, ancestors);
    if (matches.empty()) return;
    // Copied out of the payload only for a match: nearly every event matches nothing, and
    // the copy (argv, command lines, paths) cost more than evaluating the rules.
    auto proc = vigil::read_process(payload, size, ctx);
    std::string trigger = event_json(type, payload, size);
    bool block = impl_->settings.mode == "block";
    std::string object = proc.exe;
    if (type == VIGIL_TYPE_FILE) {
        auto fv = vigil::view<vigil_file_event>(payload, size);
        object = std::string(fv.str(fv->path));
    }
    bool killed = false;
    for (const auto& m : matches) {
        const auto& r = *m.rule;
        uint64_t id = impl_->next_threat++;
        ++impl_->detections;
        vigil::PayloadBuilder<vigil_threat_event> b;
        b.head().severity = vigil::behavior::sigma::to_severity(r.level);
        b.head().threat_id = id;
        b.set(&vigil_threat_event::detector, "sigma");
        b.set(&vigil_threat_event::rule_id, r.id);
        b.set(&vigil_threat_event::title, r.title);
        b.set(&vigil_threat_event::description, r.description);
        b.set(&vigil_threat_event::tags, vigil::behavior::sigma::join_tags(r));
        b.set(&vigil_threat_event::author, r.author);
        b.set(&vigil_threat_event::object_type, type == VIGIL_TYPE_FILE ? "file" : "process");
        b.set(&vigil_threat_event::object, object);
        b.set(&vigil_threat_event::sha256, proc.sha256);
        b.set(&vigil_threat_event::trigger_json, trigger);
        b.set(&vigil_threat_event::details_json,
              "{\"level\":\"" + std::string(vigil::behavior::sigma::level_name(r.level)) + "\",\"mode\":\"" +
                  impl_->settings.mode + "\",\"category\":\"" + vigil::json_escape(r.category) +
                  "\",\"rule_source\":\"" + vigil::json_escape(r.source) + "\"}");
        b.set_process(&vigil_threat_event::process, proc);
        impl_->hooks.publish(VIGIL_TYPE_THREAT, b.data(), b.size());
        if (!block || killed) continue;
        // One kill per event, answered for the first matching rule.
        std::string err = kill_process(proc);
        killed = err.empty();
        if (killed) ++impl_->blocked;
        else ++impl_->block_failed;
        vigil::PayloadBuilder<vigil_action_result> a;
        a.head().status = killed ? VIGIL_OK : VIGIL_EFAILED;
        a.head().threat_id = id;
        a.set(&vigil_action_result::action, "block");
        a.set(&vigil_action_result::object, "pid " + std::to_string(proc.pid) + " " + proc.exe);
        a.set(&vigil_action_result::details_json, "{\"pid\":" + std::to_string(proc.pid) + ",\"signal\":\"SIGKILL\",\"rule_id\":\"" +
                                                      vigil::json_escape(r.id) + "\"}");
        a.set(&vigil_action_result::error, err);
        a.set(&vigil_action_result::origin, "policy");
        impl_->hooks.publish(VIGIL_TYPE_ACTION_RESULT, a.data(), a.size());
        if (impl_->hooks.log)
            impl_->hooks.log(killed ? VIGIL_LOG_WARN : VIGIL_LOG_ERROR,
                             (killed ? "blocked pid " : "could not block pid ") + std::to_string(proc.pid) + " (" +
                                 proc.exe + ") for rule " + r.title + (killed ? "" : ": " + err));
    }
}

std::string Detection::status_json() const {
    return "{\"mode\":\"" + impl_->settings.mode + "\",\"rules\":" + impl_->detector.stats().to_json() +
           ",\"evaluated\":" + std::to_string(impl_->evaluated.load()) +
           ",\"detections\":" + std::to_string(impl_->detections.load()) +
           ",\"blocked\":" + std::to_string(impl_->blocked.load()) +
           ",\"block_failed\":" + std::to_string(impl_->block_failed.load()) + "}";
}

}  // namespace vigil::behavior
