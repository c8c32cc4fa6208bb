// The response plugin: thin glue between the host and the action cores.
// Commands are parsed on the executor (cheap, so bad arguments are answered
// at once) and carried out on a worker thread each, so a long run_process or
// a terminate grace period never blocks the executor. Every action replies
// exactly once and publishes a VIGIL_TYPE_ACTION_RESULT event.
#include <array>
#include <atomic>
#include <chrono>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vigil/common/time.hpp>
#include <vigil/sdk.hpp>

#include "action_error.hpp"
#include "action_event.hpp"
#include "command_args.hpp"
#include "delete_file.hpp"
#include "get_file.hpp"
#include "json_args.hpp"
#include "json_util.hpp"
#include "process_runner.hpp"
#include "results.hpp"
#include "settings.hpp"
#include "status.hpp"
#include "terminate_process.hpp"

namespace vigil::response {
namespace {

// Seconds left before the command's deadline minus a margin for the reply to
// travel back, or a negative number when there is no deadline.
double seconds_before_deadline(uint64_t deadline_ns) {
    if (deadline_ns == 0) return -1;
    double left = (double(int64_t(deadline_ns) - common::realtime_ns())) / 1e9 - 1.5;
    return left < 0.5 ? 0.5 : left;
}

// The checked object as the host's store wants it: identity and version.
vigil_file_identity identity_of(const common::FileRef& ref) {
    vigil_file_identity id{};
    id.struct_size = sizeof id;
    id.flags = VIGIL_FILE_CHECK_VERSION;
    id.dev = ref.expect.dev;
    id.ino = ref.expect.ino;
    id.size = ref.expect.size;
    id.mtime_ns = ref.expect.mtime_ns;
    id.ctime_ns = ref.expect.ctime_ns;
    return id;
}

// What a worker produces: the reply and the event's object.
struct Outcome {
    vigil_status status = VIGIL_OK;
    std::string result_json;
    std::string error;
    std::string object;
    std::string event_result_json;  // a shorter result for the event, when set
};

class ResponsePlugin : public vigil::Plugin {
public:
    explicit ResponsePlugin(vigil::Host& host) : Plugin(host) {
        config_ = std::make_shared<const ResponseConfig>(parse_config(host.config_json()));
        state_dir_ = host.state_dir();
        staging_dir_ = state_dir_ + "/staging";
        agent_files_ = AgentFiles::discover(host.agent_config_json(), state_dir_);
        host.on_command("response.get_file",
                        [this](const Command& c, Reply r) { get_file_cmd(c, std::move(r)); });
        host.on_command("response.delete_file",
                        [this](const Command& c, Reply r) { delete_file_cmd(c, std::move(r)); });
        host.on_command("response.run_process",
                        [this](const Command& c, Reply r) { run_process_cmd(c, std::move(r)); });
        host.on_command("response.terminate_process",
                        [this](const Command& c, Reply r) { terminate_cmd(c, std::move(r)); });
    }

    ~ResponsePlugin() override { stop(); }

    void start() override {
        cancel_ = false;
        size_t removed = cleanup_staging(staging_dir_, config()->staging_ttl_s);
        if (removed) host().info("removed " + std::to_string(removed) + " expired staged get_file copies");
        cleanup_timer_ = host().timer(10 * 60 * 1000, true,
                                      [this] { cleanup_staging(staging_dir_, config()->staging_ttl_s); });
        publish_status();
    }

    void stop() override {
        if (cleanup_timer_) {
            host().cancel_timer(cleanup_timer_);
            cleanup_timer_ = 0;
        }
        // Workers watch this flag: a running process group is killed, a
        // grace period ends, a copy stops; each still replies (cancelled).
        std::list<Worker> all;
        {
            // Under the lock: dispatch() checks the flag under it before
            // adding a worker, so none can start after this point.
            std::lock_guard<std::mutex> g(mu_);
            cancel_ = true;
            all.swap(workers_);
        }
        for (auto& w : all)
            if (w.thread.joinable()) w.thread.join();
    }

    bool reconfigure() override {
        auto fresh = std::make_shared<const ResponseConfig>(parse_config(host().config_json()));
        std::lock_guard<std::mutex> g(mu_);
        config_ = std::move(fresh);
        return true;
    }

private:
    struct Worker {
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> finished;
    };

    std::shared_ptr<const ResponseConfig> config() const {
        std::lock_guard<std::mutex> g(mu_);
        return config_;
    }

    void publish_status() {
        host().set_status(status_json({running_.load(), completed_.load(), failed_.load(), staging_dir_}));
    }

    void finish(const std::string& action, const Command& cmd, const std::string& args_json, Reply& reply,
                Outcome out) {
        ActionRecord rec;
        rec.action = action;
        rec.object = out.object;
        rec.origin = std::string(cmd.origin);
        rec.correlation_id = cmd.correlation_id;
        rec.status = out.status;
        rec.error = out.error;
        rec.args_json = args_json;
        rec.result_json = out.result_json;
        if (!out.event_result_json.empty()) rec.result_json = out.event_result_json;
        auto payload = build_action_payload(rec);
        host().publish(VIGIL_TYPE_ACTION_RESULT, payload, cmd.correlation_id);
        host().counter_add(action + "_total");
        if (out.status == VIGIL_OK) {
            ++completed_;
            reply.ok(out.result_json.empty() ? "{}" : out.result_json);
        } else {
            ++failed_;
            host().counter_add(action + "_failed");
            reply.error(out.status, out.error, out.result_json);
            host().info("response." + action + " refused or failed: " + out.error);
        }
        publish_status();
    }

    // Parses on the executor, then runs `work` on a worker thread.
    void dispatch(const std::string& action, const Command& cmd, Reply reply,
                  const std::function<std::function<void(Outcome&)>()>& parse) {
        Command owned;  // the command's views are borrowed; keep copies
        auto keep = std::make_shared<std::array<std::string, 3>>(std::array<std::string, 3>{
            std::string(cmd.args_json), std::string(cmd.origin), std::string(cmd.name)});
        owned.correlation_id = cmd.correlation_id;
        owned.deadline_ns = cmd.deadline_ns;
        owned.args_json = (*keep)[0];
        owned.origin = (*keep)[1];
        owned.name = (*keep)[2];

        std::function<void(Outcome&)> work;
        try {
            work = parse();
        } catch (const ArgError& e) {
            Outcome o;
            o.status = VIGIL_EINVAL;
            o.error = std::string("invalid arguments for response.") + action + ": " + e.what();
            finish(action, owned, (*keep)[0], reply, std::move(o));
            return;
        }
        const auto cfg = config();
        reap_workers();
        std::unique_lock<std::mutex> lock(mu_);
        std::string refusal;
        vigil_status refusal_status = VIGIL_EFAILED;
        if (cancel_) {
            refusal = "the response plugin is stopping";
            refusal_status = VIGIL_ESTATE;
        } else if (running_.load() >= cfg->max_concurrent_actions) {
            refusal = "busy: " + std::to_string(running_.load()) +
                      " response actions are running (max_concurrent_actions " +
                      std::to_string(cfg->max_concurrent_actions) + ")";
        }
        if (!refusal.empty()) {
            lock.unlock();
            finish(action, owned, (*keep)[0], reply, {refusal_status, "", refusal, "", ""});
            return;
        }
        auto finished = std::make_shared<std::atomic<bool>>(false);
        ++running_;
        std::thread thread;
        try {
            thread = std::thread([this, action, owned, keep, reply, work, finished]() mutable {
                Outcome o;  // what `work` filled in stays (the object) when it throws
                try {
                    work(o);
                } catch (const ActionError& e) {
                    o.status = VIGIL_EFAILED;
                    o.error = e.what();
                } catch (const std::exception& e) {
                    o.status = VIGIL_EINTERNAL;
                    o.error = std::string("internal error: ") + e.what();
                }
                --running_;
                finish(action, owned, (*keep)[0], reply, std::move(o));
                finished->store(true);
            });
        } catch (const std::system_error& e) {
            --running_;
            lock.unlock();
            finish(action, owned, (*keep)[0], reply,
                   {VIGIL_EFAILED, "", std::string("cannot start a worker thread: ") + e.what(), "", ""});
            return;
        }
        workers_.push_back(Worker{std::move(thread), finished});
        lock.unlock();
        publish_status();
    }

    void reap_workers() {
        std::list<Worker> done;
        {
            std::lock_guard<std::mutex> g(mu_);
            for (auto it = workers_.begin(); it != workers_.end();) {
                if (it->finished->load()) {
                    done.splice(done.end(), workers_, it++);
                } else {
                    ++it;
                }
            }
        }
        for (auto& w : done) w.thread.join();
    }

    void get_file_cmd(const Command& cmd, Reply reply) {
        dispatch("get_file", cmd, std::move(reply), [&]() -> std::function<void(Outcome&)> {
            GetFileArgs a = parse_get_file_args(cmd.args_json);
            GetFileLimits lim;
            const auto cfg = config();
            lim.max_file_size = cfg->max_file_size;
            lim.staging_max_bytes = cfg->staging_max_bytes;
            lim.staging_dir = staging_dir_;
            return [this, a, lim](Outcome& o) {
                o.object = a.path;
                o.result_json = get_file_result_json(get_file(a.path, lim, &cancel_));
            };
        });
    }

    void delete_file_cmd(const Command& cmd, Reply reply) {
        const std::string origin(cmd.origin);
        dispatch("delete_file", cmd, std::move(reply), [&]() -> std::function<void(Outcome&)> {
            DeleteFileArgs a = parse_delete_file_args(cmd.args_json);
            const auto cfg = config();
            PathRules rules(cfg->protected_paths);
            for (const auto& p : cfg->extra_protected_paths) rules.add(p);
            const uint64_t hash_max = cfg->hash_max_file_size;
            return [this, a, rules, hash_max, origin](Outcome& o) {
                o.object = a.path;
                JsonOut meta;
                meta.begin_object();
                meta.field("reason", a.reason.empty() ? std::string("response.delete_file") : a.reason);
                meta.field("action", "delete_file").field("origin", origin);
                if (auto task = task_id_of(origin); !task.empty()) meta.field("task_id", task);
                if (a.sha256) meta.field("expected_sha256", *a.sha256);
                meta.end_object();
                const std::string meta_json = meta.take();
                DeleteOutcome d = delete_file({a.path, a.sha256}, rules, agent_files_, hash_max, &cancel_,
                                              [this, &meta_json](const common::FileRef& ref) {
                                                  return host().quarantine_put_at(
                                                      ref.dir.get(), ref.name, ref.path, identity_of(ref),
                                                      meta_json, /*keep_original=*/false);
                                              });
                o.result_json = delete_file_result_json(d);
            };
        });
    }

    void run_process_cmd(const Command& cmd, Reply reply) {
        const uint64_t deadline = cmd.deadline_ns;
        dispatch("run_process", cmd, std::move(reply), [&]() -> std::function<void(Outcome&)> {
            RunSpec spec = parse_run_process_args(cmd.args_json, *config());
            // One reply must arrive before the command's deadline: a timeout
            // longer than the time left is shortened, and the result says so.
            bool limited = false;
            const double left = seconds_before_deadline(deadline);
            if (left > 0 && spec.timeout_s > left) {
                spec.timeout_s = left;
                limited = true;
            }
            return [this, spec, limited](Outcome& o) {
                o.object = spec.executable;
                RunOutcome r = run_process(spec, &cancel_);
                o.result_json = run_process_result_json(r, spec.timeout_s, limited);
                // The event travels as telemetry: keep the output in it short.
                if (o.result_json.size() > 16 * 1024)
                    o.event_result_json = run_process_result_json(r, spec.timeout_s, limited, 4096);
                if (r.cancelled) {
                    o.status = VIGIL_EFAILED;
                    o.error = "cancelled: the response plugin stopped; the process group " +
                              std::to_string(r.pid) + " was killed";
                }
            };
        });
    }

    void terminate_cmd(const Command& cmd, Reply reply) {
        const uint64_t deadline = cmd.deadline_ns;
        dispatch("terminate_process", cmd, std::move(reply), [&]() -> std::function<void(Outcome&)> {
            TerminateSpec spec = parse_terminate_args(cmd.args_json, *config());
            const double left = seconds_before_deadline(deadline);
            if (left > 0) {
                // Keep grace + the SIGKILL wait inside the command deadline.
                spec.kill_wait_s = std::min(spec.kill_wait_s, left / 2);
                spec.grace_s = std::min(spec.grace_s, std::max(0.0, left - spec.kill_wait_s));
            }
            std::string object = spec.pid   ? "pid " + std::to_string(*spec.pid)
                                 : spec.exe ? *spec.exe
                                            : "sha256 " + *spec.sha256;
            return [this, spec, object](Outcome& o) {
                o.object = object;
                TerminateOutcome t = terminate_processes(spec, &cancel_);
                o.result_json = terminate_result_json(t);
                if (t.terminated.empty()) {
                    o.status = VIGIL_EFAILED;
                    o.error = "no process was terminated";
                    if (!t.not_terminated.empty())
                        o.error += ": pid " + std::to_string(t.not_terminated.front().proc.pid) + " " +
                                   t.not_terminated.front().reason;
                }
            };
        });
    }

    mutable std::mutex mu_;
    std::shared_ptr<const ResponseConfig> config_;
    std::string state_dir_, staging_dir_;
    AgentFiles agent_files_;
    std::list<Worker> workers_;
    std::atomic<bool> cancel_{false};
    std::atomic<uint32_t> running_{0};
    std::atomic<uint64_t> completed_{0}, failed_{0};
    uint64_t cleanup_timer_ = 0;
};

}  // namespace
}  // namespace vigil::response

VIGIL_PLUGIN(vigil::response::ResponsePlugin, "response", "1.0.0",
             "Response actions: get file, delete file, run process, terminate process", nullptr,
             vigil::response::kConfigSchema,
             "Apache-2.0", nullptr)
