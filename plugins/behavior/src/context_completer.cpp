#include "context_completer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <mutex>
#include <set>

namespace vigil::behavior {

// What the jobs use: owned jointly with them, so a worker that returns after stop() (one
// stuck in the kernel) finds it alive and does nothing.
struct ContextCompleter::Shared {
    std::shared_ptr<ExeHasher> hasher;
    ProcReader reader;
    std::mutex mu;
    bool detached = false;
    Notify job_done;
    OnHashed on_hashed;
    std::set<uint64_t> stalled_devs;  // filesystems where a read never returned
    std::array<std::atomic<uint64_t>, 11> statuses{};

    bool stalled(uint64_t dev) {
        std::lock_guard g(mu);
        return stalled_devs.count(dev) != 0;
    }
};

namespace {

// Closes the held descriptor when the job is done or dropped unrun.
struct HeldFd {
    int fd = -1;
    explicit HeldFd(int f) : fd(f) {}
    ~HeldFd() {
        if (fd >= 0) ::close(fd);
    }
};

struct JobInput {
    int32_t pid = 0;
    ExeKey key;
    uint64_t fs_magic = 0;
    uint64_t start_ticks = 0;
    bool want_hash = false, want_argv = false;
};

void run_job(const std::shared_ptr<ContextCompleter::Shared>& sh, const std::shared_ptr<Completion>& c,
             const std::shared_ptr<HeldFd>& held, const JobInput& in);

constexpr size_t kJobQueueMax = 256;
uint64_t ms_to_ns(uint32_t ms) { return uint64_t(ms) * 1000000ull; }

}  // namespace

ContextCompleter::ContextCompleter(HashOptions o, ProcReader reader, Notify job_done)
    : opt_(o),
      shared_(std::make_shared<Shared>()),
      workers_(HashWorkers::Options{o.hash_workers, kJobQueueMax, 2 * ms_to_ns(o.hash_timeout_ms), 4},
               [sh = shared_](uint64_t dev) {
                   std::lock_guard g(sh->mu);
                   sh->stalled_devs.insert(dev);
               }) {
    shared_->hasher =
        std::make_shared<ExeHasher>(o.hash_cache_entries, o.hash_max_bytes, ms_to_ns(o.hash_timeout_ms));
    shared_->reader = std::move(reader);
    shared_->job_done = std::move(job_done);
}

ContextCompleter::~ContextCompleter() { stop(); }

ExeHasher& ContextCompleter::hasher() { return *shared_->hasher; }

void ContextCompleter::set_on_hashed(OnHashed f) {
    std::lock_guard g(shared_->mu);
    shared_->on_hashed = std::move(f);
}

void ContextCompleter::stop() {
    workers_.stop();
    std::lock_guard g(shared_->mu);
    shared_->detached = true;
}

void ContextCompleter::count(uint32_t status) {
    if (status < shared_->statuses.size()) shared_->statuses[status].fetch_add(1, std::memory_order_relaxed);
}

std::array<uint64_t, 11> ContextCompleter::status_counts() const {
    std::array<uint64_t, 11> out{};
    for (size_t i = 0; i < out.size(); ++i) out[i] = shared_->statuses[i].load(std::memory_order_relaxed);
    return out;
}

// VIGIL_HASH_NONE when the file must be read, else the final status (the digest, when
// cached, is put into the record).
uint32_t ContextCompleter::decide_without_reading(const ProcessRecord& rec) {
    const ExeKey& key = rec.exe_key;
    if (key.valid() && key.size > opt_.hash_max_bytes) return VIGIL_HASH_TOO_LARGE;
    if (rec.exe_fs_magic != 0 && is_remote_fs_magic(rec.exe_fs_magic)) return VIGIL_HASH_REMOTE_FS;
    if (key.valid() && shared_->stalled(key.dev)) return VIGIL_HASH_TIMEOUT;
    return VIGIL_HASH_NONE;
}

void ContextCompleter::complete(ProcessRecord& rec, bool needs_argv) {
    auto& info = rec.info;
    bool want_hash = false;
    if (!info.exe.empty()) {
        if (!opt_.hash_executables) {
            info.hash_status = VIGIL_HASH_DISABLED;
        } else if (auto digest = shared_->hasher->cached(rec.exe_key); !digest.empty()) {
            info.sha256 = std::move(digest);
            info.hash_status = VIGIL_HASH_OK;
            if (!rec.exe_known_to_sensor) {
                std::lock_guard g(shared_->mu);
                if (shared_->on_hashed) shared_->on_hashed(rec.exe_key);
            }
        } else {
            info.hash_status = decide_without_reading(rec);
            want_hash = info.hash_status == VIGIL_HASH_NONE;
        }
    }
    // A status decided here is counted here; one left to a job, when the job ends.
    if ((want_hash || needs_argv) && start_job(rec, want_hash, needs_argv) &&
        info.hash_status == VIGIL_HASH_PENDING)
        return;
    count(info.hash_status);
}

bool ContextCompleter::start_job(ProcessRecord& rec, bool want_hash, bool needs_argv) {
    auto& info = rec.info;
    int fd = -1;
    if (want_hash) {
        std::string exe = "/proc/" + std::to_string(info.pid) + "/exe";
        fd = ::open(exe.c_str(), O_PATH | O_CLOEXEC);
        if (fd < 0) {
            info.hash_status = VIGIL_HASH_EXITED;
            want_hash = false;
            if (!needs_argv) return false;
        }
    }
    auto held = std::make_shared<HeldFd>(fd);
    auto c = std::make_shared<Completion>(want_hash, needs_argv, monotonic_ns() + ms_to_ns(opt_.hash_wait_ms));
    JobInput in{info.pid, rec.exe_key, rec.exe_fs_magic, rec.start_boottime_ns / ProcReader::tick_ns(), want_hash,
                needs_argv};
    auto sh = shared_;
    if (!workers_.submit(rec.exe_key.dev, [sh, c, held, in] { run_job(sh, c, held, in); })) {
        if (want_hash) info.hash_status = VIGIL_HASH_BUSY;
        return false;
    }
    if (want_hash) info.hash_status = VIGIL_HASH_PENDING;
    rec.completion = std::move(c);
    return true;
}

namespace {

void run_job(const std::shared_ptr<ContextCompleter::Shared>& sh, const std::shared_ptr<Completion>& c,
             const std::shared_ptr<HeldFd>& held, const JobInput& in) {
    HashResult h;
    if (in.want_hash) h = sh->hasher->hash_held(held->fd, in.key, in.fs_magic, in.pid);
    std::optional<std::vector<std::string>> argv;
    if (in.want_argv) {
        argv = sh->reader.read_argv(in.pid);
        // Read from a process that is still the one the record describes (not a reused pid).
        if (argv && sh->reader.start_ticks(in.pid) != in.start_ticks) argv.reset();
    }
    c->finish(std::move(h.sha256), in.want_hash ? h.status : uint32_t(VIGIL_HASH_NONE), std::move(argv));
    if (in.want_hash && h.status < sh->statuses.size()) sh->statuses[h.status].fetch_add(1, std::memory_order_relaxed);
    std::lock_guard g(sh->mu);
    if (sh->detached) return;
    if (h.status == VIGIL_HASH_OK && sh->on_hashed) sh->on_hashed(in.key);
    if (sh->job_done) sh->job_done();
}

}  // namespace

}  // namespace vigil::behavior
