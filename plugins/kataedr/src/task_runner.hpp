// Tasks from the central node: a long-poll thread receives them and hands
// each to the bus (or answers ping itself); a poster thread sends every
// result exactly once per task (and the get-file payload before it). Both
// threads end promptly on stop(): blocked requests are aborted.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "https_channel.hpp"
#include "task_authorization.hpp"
#include "task_journal.hpp"
#include "task_protocol.hpp"

namespace vigil::kataedr {

struct TaskCounters {
    std::atomic<uint64_t> received{0};
    std::atomic<uint64_t> repeated{0};
    std::atomic<uint64_t> succeeded{0};
    std::atomic<uint64_t> failed{0};
    std::atomic<uint64_t> unanswerable{0};
    std::atomic<uint64_t> results_posted{0};
    std::atomic<uint64_t> files_uploaded{0};
};

class TaskRunner : public std::enable_shared_from_this<TaskRunner> {
public:
    // Completion of a bus command: status is VIGIL_OK or a negative vigil_status.
    using Done = std::function<void(int status, const std::string& result_json, const std::string& error)>;
    // Sends a bus command; must call done exactly once (from any thread).
    // `origin` is "task:<id>": the handler (and its action events) can name the task.
    using CommandFn = std::function<void(const std::string& origin, const std::string& name, const std::string& args_json,
                                         uint32_t timeout_ms, Done done)>;
    using LogFn = std::function<void(int level, const std::string&)>;

    struct Options {
        std::string agent_id;
        uint32_t poll_wait_s = 25;
        uint32_t default_timeout_s = 300;
        uint32_t max_retry_s = 30;
        // What the central node may ask for (allowed_tasks, task_signing_keys); null = anything
        // of the product's task types (tests).
        std::shared_ptr<const TaskPolicy> policy;
    };

    TaskRunner(Options opt, std::shared_ptr<const ChannelConfig> channel, ConnectionState& state,
               TaskJournal& journal, CommandFn command, std::function<void()> need_sync, LogFn log);
    ~TaskRunner();

    void start();
    void stop();

    // Handles one parsed poll answer (public for tests).
    void handle_poll(const TaskPoll& poll);

    const TaskCounters& counters() const { return counters_; }
    size_t queued_results() const;

private:
    void poll_loop();
    void post_loop();
    void execute(const Task& t);
    void complete(const std::string& id, int status, const std::string& result_json, const std::string& error,
                  uint32_t timeout_s);
    void enqueue_post(const std::string& id);
    bool post_one(const std::string& id);
    bool upload_file(JournalEntry& e);
    bool sleep_unless_stopped(uint32_t seconds);

    Options opt_;
    std::shared_ptr<AgentIdentity> identity_;
    HttpsChannel poll_channel_;
    HttpsChannel post_channel_;
    ConnectionState& state_;
    TaskJournal& journal_;
    CommandFn command_;
    std::function<void()> need_sync_;
    LogFn log_;
    TaskCounters counters_;

    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::string> post_queue_;
    std::set<std::string> in_flight_;
    std::atomic<bool> stop_{false};
    std::thread poll_thread_, post_thread_;
};

}  // namespace vigil::kataedr
