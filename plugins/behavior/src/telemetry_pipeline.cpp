#include "telemetry_pipeline.hpp"

#include <sys/stat.h>

#include <vigil/events.h>

namespace vigil::behavior {

TelemetryPipeline::TelemetryPipeline(PipelineOptions opts, PayloadSink out, ProcReader reader)
    : opts_(std::move(opts)),
      out_(std::move(out)),
      reader_(reader),
      table_(opts_.table),
      completer_(opts_, reader, [this] { output_.wake(); }) {}

TelemetryPipeline::~TelemetryPipeline() { stop(); }

void TelemetryPipeline::stop() {
    output_.stop();
    completer_.stop();
}

template <class F>
void TelemetryPipeline::publish_when_ready(const ProcessTable::Ptr& rec, F&& publish) {
    std::shared_ptr<const Completion> wait = rec ? rec->completion : nullptr;
    if (!output_.submit(wait, std::forward<F>(publish))) on_loss("publish_queue_full", 1);
}

// Most records are published as they are (no copy): their executable's hash came from the
// cache and their parent's command line was known at exec. A copy is made only to add what
// a completion job found since.
const vigil::ProcessInfo& TelemetryPipeline::event_info(const ProcessRecord& rec, vigil::ProcessInfo& scratch) {
    ProcessTable::Ptr parent;  // keeps the parent's completion alive while it is read
    const std::string* parent_cmdline = nullptr;
    // A parent read from /proc just now had its command line read by a worker.
    if (rec.info.parent_cmdline.empty() && rec.info.ppid > 0) {
        parent = table_.find(rec.info.ppid);
        if (parent && parent->completion) parent_cmdline = parent->completion->cmdline();
    }
    if (!rec.completion && parent_cmdline == nullptr) return rec.info;
    scratch = rec.info;
    if (rec.completion) rec.completion->apply(scratch);
    if (parent_cmdline != nullptr) scratch.parent_cmdline = *parent_cmdline;
    return scratch;
}

void TelemetryPipeline::count(uint64_t Counters::*field) {
    std::lock_guard g(counters_mu_);
    ++(counters_.*field);
}

void TelemetryPipeline::on_loss(const char* where, uint64_t n) {
    if (n == 0) return;
    std::lock_guard g(counters_mu_);
    counters_.lost[where] += n;
    counters_.lost_total += n;
}

void TelemetryPipeline::on_modifies_merged(uint64_t n) {
    std::lock_guard g(counters_mu_);
    counters_.file_modify_merged += n;
}

void TelemetryPipeline::on_files_excluded_in_kernel(uint64_t n) {
    std::lock_guard g(counters_mu_);
    counters_.file_excluded_mount += n;
}

TelemetryPipeline::Counters TelemetryPipeline::counters() {
    std::lock_guard g(counters_mu_);
    return counters_;
}

void TelemetryPipeline::fill_parent(ProcessRecord& rec) {
    if (rec.info.ppid <= 0) return;
    auto parent = context(rec.info.ppid);
    if (parent && (parent->info.flags & VIGIL_PROC_FLAG_KNOWN)) {
        rec.info.parent_exe = parent->info.exe;
        rec.info.parent_cmdline = parent->info.cmdline;
        // Read by a worker when the parent came from /proc: taken once here, so that the
        // child's events need no parent lookup.
        if (rec.info.parent_cmdline.empty() && parent->completion) {
            if (const std::string* c = parent->completion->cmdline()) rec.info.parent_cmdline = *c;
        }
    }
}

// Fills what the sensor could not see. With a kernel snapshot most fields are
// already there; /proc is read only for the gaps, and only while the process
// still exists (a short-lived one may be gone: what the kernel told stays).
void TelemetryPipeline::complete(ProcessRecord& rec, bool have_snapshot) {
    auto& info = rec.info;
    // The kernel copy of argv is bounded and the netlink sensor has none: /proc has all
    // of it while the process lives, read by a worker.
    bool needs_argv = !have_snapshot || rec.argv_truncated;
    if (have_snapshot) {
        if (info.exe.empty() || info.exe[0] != '/') {
            if (auto e = reader_.exe(info.pid); !e.empty()) info.exe = e;
        }
        if (info.cwd.empty()) info.cwd = reader_.cwd(info.pid);
    }
    if (info.exe.empty() && info.argv.empty() && info.comm.empty()) return;
    info.user = users_.name(info.uid);
    completer_.complete(rec, needs_argv);
    if (info.mnt_ns != 0 && opts_.init_mnt_ns != 0 && info.mnt_ns != opts_.init_mnt_ns)
        info.flags |= VIGIL_PROC_FLAG_CONTAINER;
    fill_parent(rec);
}

void TelemetryPipeline::on_exec(ExecEvent&& e) {
    if (e.pid == opts_.self_pid) return;
    ProcessRecord rec;
    bool snapshot = e.snapshot.has_value();
    if (snapshot) {
        rec = std::move(*e.snapshot);
    } else if (auto r = reader_.read(e.pid, false)) {
        rec = std::move(*r);
    } else {
        // Gone before we could look: keep what we know (the pid, and the
        // parent recorded at fork).
        rec.info.pid = e.pid;
        if (auto forked = table_.find(e.pid)) rec.info.ppid = forked->info.ppid;
        count(&Counters::context_unknown);
    }
    if (rec.info.ppid == 0) rec.info.ppid = e.ppid;
    complete(rec, snapshot);
    auto ptr = std::make_shared<const ProcessRecord>(std::move(rec));
    table_.put(ptr);
    publish_when_ready(ptr, [this, ptr] {
        vigil::PayloadBuilder<vigil_process_event> b;
        vigil::ProcessInfo scratch;
        b.set_process(&vigil_process_event::process, event_info(*ptr, scratch));
        out_(VIGIL_TYPE_PROCESS_START, b.data(), b.size());
        count(&Counters::process_start);
    });
}

void TelemetryPipeline::on_fork(const ForkEvent& e) {
    if (e.pid == opts_.self_pid) return;
    // Until it calls exec, a child runs its parent's program.
    ProcessRecord rec;
    if (auto parent = context(e.ppid)) rec = *parent;
    rec.exited = false;
    rec.info.pid = e.pid;
    rec.info.ppid = e.ppid;
    rec.start_boottime_ns = e.start_boottime_ns ? e.start_boottime_ns : ProcReader::now_boottime_ns();
    rec.info.start_time_ns = ProcReader::boottime_to_realtime(rec.start_boottime_ns);
    rec.info.process_key = make_process_key(e.pid, rec.start_boottime_ns);
    if (auto parent = table_.find(e.ppid)) {
        rec.info.parent_exe = parent->info.exe;
        rec.info.parent_cmdline = parent->info.cmdline;
    }
    table_.put(std::make_shared<const ProcessRecord>(std::move(rec)));
}

void TelemetryPipeline::on_exit(const ExitEvent& e) {
    if (e.pid == opts_.self_pid) return;
    auto rec = table_.remove_on_exit(e.pid);
    publish_when_ready(rec, [this, rec, e] { publish_exit(rec, e); });
}

void TelemetryPipeline::publish_exit(const ProcessTable::Ptr& rec, const ExitEvent& e) {
    vigil::PayloadBuilder<vigil_process_event> b;
    // Unknown to the table (started before the agent, or evicted): keep what
    // the sensor told.
    vigil::ProcessInfo bare;
    bare.pid = e.pid;
    bare.ppid = e.ppid;
    bare.comm = e.comm;
    if (e.uid != UINT32_MAX) {
        bare.uid = e.uid;
        bare.user = users_.name(e.uid);
    }
    if (e.start_boottime_ns) {
        bare.start_time_ns = ProcReader::boottime_to_realtime(e.start_boottime_ns);
        bare.process_key = make_process_key(e.pid, e.start_boottime_ns);
    }
    vigil::ProcessInfo scratch;
    b.set_process(&vigil_process_event::process, rec ? event_info(*rec, scratch) : bare);
    if (!rec) count(&Counters::context_unknown);
    uint64_t started = rec ? rec->start_boottime_ns : e.start_boottime_ns;
    int sig = e.wait_status & 0x7f;
    b.head().exit_code = sig == 0 ? (e.wait_status >> 8) & 0xff : -1;
    b.head().exit_signal = sig;
    uint64_t now = e.exit_boottime_ns ? e.exit_boottime_ns : ProcReader::now_boottime_ns();
    if (started && now > started) b.head().lifetime_ns = now - started;
    out_(VIGIL_TYPE_PROCESS_EXIT, b.data(), b.size());
    count(&Counters::process_exit);
}

std::vector<std::string> TelemetryPipeline::ancestors(int32_t pid, int max_depth) {
    std::vector<std::string> out;
    auto cur = table_.find(pid);
    for (int i = 0; cur && i < max_depth; ++i) {
        int32_t ppid = cur->info.ppid;
        if (ppid <= 0 || ppid == cur->info.pid) break;
        cur = table_.find(ppid);
        if (!cur) break;
        out.push_back(cur->info.exe);
    }
    return out;
}

// A record whose completion job has finished is replaced in the table by a copy with the
// results written in (and the parent's command line, once a worker read it): the events of
// a long-lived process (a build, a file loop) then take its context as it is, instead of
// copying and completing it for every event (event_info).
ProcessTable::Ptr TelemetryPipeline::settled(ProcessTable::Ptr rec) {
    if (!rec || !rec->completion || !rec->completion->done()) return rec;
    auto copy = std::make_shared<ProcessRecord>(*rec);
    rec->completion->apply(copy->info);
    copy->completion = nullptr;
    if (copy->info.parent_cmdline.empty() && copy->info.ppid > 0)
        if (auto parent = table_.find(copy->info.ppid); parent && parent->completion)
            if (const std::string* c = parent->completion->cmdline()) copy->info.parent_cmdline = *c;
    ProcessTable::Ptr out = std::move(copy);
    table_.replace(rec, out);
    return out;
}

ProcessTable::Ptr TelemetryPipeline::context(int32_t pid) {
    if (pid <= 0) return nullptr;
    if (auto p = table_.find(pid)) return settled(std::move(p));
    auto r = reader_.read(pid, false);
    if (!r) return nullptr;
    complete(*r, false);
    auto ptr = std::make_shared<const ProcessRecord>(std::move(*r));
    table_.put(ptr);
    return ptr;
}

void TelemetryPipeline::on_network(const NetEvent& e) {
    if (e.pid != 0 && e.pid == opts_.self_pid) {
        count(&Counters::self_events);
        return;
    }
    auto ctx = context(e.pid);
    publish_when_ready(ctx, [this, ctx, e] { publish_network(ctx, e); });
}

void TelemetryPipeline::publish_network(const ProcessTable::Ptr& ctx, const NetEvent& e) {
    vigil::PayloadBuilder<vigil_network_event> b;
    auto& h = b.head();
    h.action = e.action;
    h.family = e.family;
    h.protocol = e.protocol;
    h.local_port = e.local_port;
    h.remote_port = e.remote_port;
    std::memcpy(h.local_addr, e.local_addr.data(), 16);
    std::memcpy(h.remote_addr, e.remote_addr.data(), 16);
    h.bytes_sent = e.bytes_sent;
    h.bytes_received = e.bytes_received;
    vigil::ProcessInfo bare;
    bare.pid = e.pid;
    if (e.uid != UINT32_MAX) {
        bare.uid = bare.euid = e.uid;
        bare.user = users_.name(e.uid);
    }
    if (!ctx) count(&Counters::context_unknown);
    vigil::ProcessInfo scratch;
    b.set_process(&vigil_network_event::process, ctx ? event_info(*ctx, scratch) : bare);
    out_(VIGIL_TYPE_NETWORK, b.data(), b.size());
    count(&Counters::network);
}

void TelemetryPipeline::on_file(FileEvent&& e) {
    if (e.pid != 0 && e.pid == opts_.self_pid) {
        count(&Counters::self_events);
        return;
    }
    bool allowed = opts_.files.allows(e.path) || (!e.new_path.empty() && opts_.files.allows(e.new_path));
    if (!allowed) {
        count(&Counters::filtered_files);
        return;
    }
    // The state after the change (for a rename, of the new name), taken now: the
    // publisher thread never touches files. Never on a FUSE or network mount:
    // there the lstat is a request to a server (a user's FUSE server) that may
    // never answer, and this is the sensor thread; such events carry no stat.
    const std::string& now_path = e.new_path.empty() ? e.path : e.new_path;
    struct stat st{};
    bool have_stat = false;
    if (e.inode) {  // read by the sensor from the inode at the event: no lookup
        st.st_mode = e.inode->mode;
        st.st_uid = e.inode->uid;
        st.st_gid = e.inode->gid;
        st.st_size = off_t(e.inode->size);
        st.st_ino = ino_t(e.inode->ino);
        st.st_dev = dev_t(e.inode->dev);
        have_stat = true;
    } else {
        have_stat = e.action != VIGIL_FILE_DELETE && !remote_mounts_.covers(now_path) &&
                    ::lstat(now_path.c_str(), &st) == 0;
    }
    auto ctx = context(e.pid);
    publish_when_ready(ctx, [this, ctx, ev = std::move(e), st, have_stat] { publish_file(ctx, ev, have_stat ? &st : nullptr); });
}

void TelemetryPipeline::publish_file(const ProcessTable::Ptr& ctx, const FileEvent& e, const struct stat* now) {
    vigil::PayloadBuilder<vigil_file_event> b;
    b.head().action = e.action;
    if (now) {
        const struct stat& st = *now;
        b.head().mode = st.st_mode;
        b.head().uid = st.st_uid;
        b.head().gid = st.st_gid;
        b.head().size = uint64_t(st.st_size);
        b.head().inode = st.st_ino;
        b.head().device = st.st_dev;
    }
    // What the syscall asked for wins: the file may have changed again since.
    if (e.mode) b.head().mode = (b.head().mode & ~07777u) | *e.mode;
    if (e.owner_uid) b.head().uid = *e.owner_uid;
    if (e.owner_gid) b.head().gid = *e.owner_gid;
    b.set(&vigil_file_event::path, e.path);
    b.set(&vigil_file_event::new_path, e.new_path);
    vigil::ProcessInfo bare;
    bare.pid = e.pid;
    if (!ctx) count(&Counters::context_unknown);
    vigil::ProcessInfo scratch;
    b.set_process(&vigil_file_event::process, ctx ? event_info(*ctx, scratch) : bare);
    out_(VIGIL_TYPE_FILE, b.data(), b.size());
    count(&Counters::file);
}

}  // namespace vigil::behavior
