// Vigil C++ SDK: long-running commands on a bounded set of worker threads.
//
// A handler runs on the executor, which must stay responsive; a command that
// copies a file, waits for a process or scans a tree runs here instead:
//
//   workers_.on("response.get_file", [this](const vigil::Command& c) {
//       GetFileArgs a = parse(c.args_json);          // on the executor; throw = EINVAL
//       return [this, a](vigil::Job& job) {           // on a worker thread
//           if (job.cancelled()) ...                   // set by stop()
//           return vigil::JobResult::ok(result_json);
//       };
//   });
//   void stop() override { workers_.stop(); }        // cancel, join, every job replied
//
// Guarantees: every command is answered exactly once — a parse error
// (VIGIL_EINVAL "invalid arguments for <name>: <why>"), a refusal when
// max_concurrent jobs are running (VIGIL_EFAILED, busy text) or the set is
// stopping (VIGIL_ESTATE), the job's result, or VIGIL_EINTERNAL when the job
// throws (logged and counted as a callback exception). The optional on_done
// hook sees each outcome once, before the reply (e.g. to publish an action
// result), on the thread that produced it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>

#include "host.hpp"

namespace vigil {

struct JobResult {
    vigil_status status = VIGIL_OK;
    std::string result_json;  // the reply's result ("{}" when empty and OK)
    std::string error;        // when status != VIGIL_OK

    static JobResult ok(std::string result_json = "{}") { return {VIGIL_OK, std::move(result_json), {}}; }
    static JobResult failed(std::string error, vigil_status status = VIGIL_EFAILED, std::string result_json = {}) {
        return {status, std::move(result_json), std::move(error)};
    }
};

// What a running job sees: its command (owned copies) and the stop flag.
struct Job {
    OwnedCommand command;
    const std::atomic<bool>* cancel;
    bool cancelled() const { return cancel->load(); }
};

class CommandWorkers {
public:
    using Work = std::function<JobResult(Job&)>;
    using Prepare = std::function<Work(const Command&)>;
    using OnDone = std::function<void(const Command&, const JobResult&)>;
    using BusyText = std::function<std::string(size_t running, size_t max)>;

    CommandWorkers(Host& host, size_t max_concurrent) : host_(host), max_(max_concurrent) {}
    ~CommandWorkers() { stop(); }
    CommandWorkers(const CommandWorkers&) = delete;
    CommandWorkers& operator=(const CommandWorkers&) = delete;

    // Registers the handler of command `name` (call from the plugin's constructor).
    void on(std::string_view name, Prepare prepare) {
        host_.on_command(name, [this, prepare = std::move(prepare)](const Command& c, Reply r) {
            dispatch(c, std::move(r), prepare);
        });
    }
    void set_on_done(OnDone fn) { on_done_ = std::move(fn); }
    void set_busy_text(BusyText fn) { busy_text_ = std::move(fn); }
    void set_stopping_text(std::string text) { stopping_text_ = std::move(text); }
    // Takes effect for the next command; running jobs continue.
    void set_max_concurrent(size_t n) { max_.store(n); }

    // Accepts commands again after stop() (a plugin restarted in place).
    void start() { cancel_.store(false); }
    // Sets the cancel flag, refuses new commands and joins every worker;
    // each running job still replies (typically "cancelled").
    void stop() {
        std::list<Worker> all;
        {
            std::lock_guard<std::mutex> g(mu_);
            cancel_.store(true);
            all.swap(workers_);
        }
        for (auto& w : all)
            if (w.thread.joinable()) w.thread.join();
    }

    size_t running() const { return running_.load(); }
    const std::atomic<bool>& cancel_flag() const { return cancel_; }

private:
    struct Worker {
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> finished;
    };

    void finish(const Command& c, Reply& reply, const JobResult& r) {
        if (on_done_) host_.guarded("on_done hook of " + std::string(c.name), [&] { on_done_(c, r); });
        if (r.status == VIGIL_OK)
            reply.ok(r.result_json.empty() ? "{}" : r.result_json);
        else
            reply.error(r.status, r.error, r.result_json);
    }

    std::string refusal(vigil_status& status) const {
        if (cancel_.load()) {
            status = VIGIL_ESTATE;
            return stopping_text_;
        }
        const size_t max = max_.load(), now = running_.load();
        if (now < max) return {};
        status = VIGIL_EFAILED;
        return busy_text_ ? busy_text_(now, max)
                          : "busy: " + std::to_string(now) + " commands are running (at most " + std::to_string(max) +
                                ")";
    }

    void dispatch(const Command& c, Reply reply, const Prepare& prepare) {
        Work work;
        try {
            work = prepare(c);
        } catch (const std::exception& e) {
            finish(c, reply, JobResult::failed("invalid arguments for " + std::string(c.name) + ": " + e.what(),
                                               VIGIL_EINVAL));
            return;
        }
        reap();
        std::unique_lock<std::mutex> lock(mu_);
        vigil_status status = VIGIL_OK;
        if (std::string why = refusal(status); !why.empty()) {
            lock.unlock();
            finish(c, reply, JobResult::failed(why, status));
            return;
        }
        auto finished = std::make_shared<std::atomic<bool>>(false);
        ++running_;
        try {
            std::thread t([this, job = Job{OwnedCommand(c), &cancel_}, reply, work = std::move(work),
                           finished]() mutable { run(job, reply, work, *finished); });
            workers_.push_back(Worker{std::move(t), finished});
        } catch (const std::system_error& e) {
            --running_;
            lock.unlock();
            finish(c, reply, JobResult::failed(std::string("cannot start a worker thread: ") + e.what()));
        }
    }

    void run(Job& job, Reply& reply, Work& work, std::atomic<bool>& finished) {
        JobResult r;
        std::string failure;
        bool threw = true;
        try {
            r = work(job);
            threw = false;
        } catch (const std::exception& e) {
            failure = e.what();
        } catch (...) {
            failure = "an exception that is not a std::exception";
        }
        if (threw) {
            host_.report_exception("job of " + job.command.name, failure);
            r = JobResult::failed("internal error: " + failure, VIGIL_EINTERNAL);
        }
        --running_;
        finish(job.command.view(), reply, r);
        finished.store(true);
    }

    // Joins the threads of finished jobs (called on the executor).
    void reap() {
        std::list<Worker> done;
        {
            std::lock_guard<std::mutex> g(mu_);
            for (auto it = workers_.begin(); it != workers_.end();)
                if (it->finished->load())
                    done.splice(done.end(), workers_, it++);
                else
                    ++it;
        }
        for (auto& w : done) w.thread.join();
    }

    Host& host_;
    std::atomic<size_t> max_;
    std::atomic<size_t> running_{0};
    std::atomic<bool> cancel_{false};
    std::mutex mu_;
    std::list<Worker> workers_;
    OnDone on_done_;
    BusyText busy_text_;
    std::string stopping_text_ = "the plugin is stopping";
};

}  // namespace vigil
