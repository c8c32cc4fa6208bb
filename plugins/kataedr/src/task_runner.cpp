#include "task_runner.hpp"

#include <openssl/evp.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vigil/plugin.h>

#include <chrono>
#include <cstdio>
#include <fstream>

#include "connection_state.hpp"

namespace vigil::kataedr {
namespace {

std::string status_text(int status, const std::string& command, uint32_t timeout_s) {
    switch (status) {
        case VIGIL_EDISABLED:
            return "plugin disabled: command " + command + " cannot run";
        case VIGIL_ENOTFOUND:
            return "no plugin handles command " + command;
        case VIGIL_ETIMEDOUT:
            return "timeout: " + command + " did not finish within " + std::to_string(timeout_s) + " s";
        case VIGIL_EINVAL:
            return "invalid arguments for " + command;
        default:
            return command + " failed (status " + std::to_string(status) + ")";
    }
}

// SHA-256 (hex) and size of a file, read in fixed-size chunks.
bool file_digest(const std::string& path, std::string& hex, uint64_t& size, std::string& err) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) {
        err = "cannot open " + path;
        return false;
    }
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    EVP_DigestInit_ex(md, EVP_sha256(), nullptr);
    char buf[65536];
    size = 0;
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
        EVP_DigestUpdate(md, buf, n);
        size += n;
    }
    bool ok = !std::ferror(f);
    std::fclose(f);
    unsigned char digest[32];
    unsigned int len = 0;
    EVP_DigestFinal_ex(md, digest, &len);
    EVP_MD_CTX_free(md);
    if (!ok) {
        err = "cannot read " + path;
        return false;
    }
    static const char* x = "0123456789abcdef";
    hex.clear();
    for (unsigned i = 0; i < len; ++i) {
        hex.push_back(x[digest[i] >> 4]);
        hex.push_back(x[digest[i] & 15]);
    }
    return true;
}

// `{"status":..,"result":{...}}` with result.upload_sha256 / upload_size added.
std::string with_upload_hash(const std::string& body, const std::string& sha, uint64_t size) {
    rapidjson::Document d;
    d.Parse(body.data(), body.size());
    if (d.HasParseError() || !d.IsObject() || !d.HasMember("result") || !d["result"].IsObject()) return body;
    auto& a = d.GetAllocator();
    auto& result = d["result"];
    result.RemoveMember("upload_sha256");
    result.RemoveMember("upload_size");
    result.AddMember("upload_sha256", rapidjson::Value(sha.c_str(), a), a);
    result.AddMember("upload_size", rapidjson::Value(size), a);
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    d.Accept(w);
    return std::string(sb.GetString(), sb.GetSize());
}

}  // namespace

TaskRunner::TaskRunner(Options opt, std::shared_ptr<const ChannelConfig> channel, ConnectionState& state,
                       TaskJournal& journal, CommandFn command, std::function<void()> need_sync, LogFn log)
    : opt_(std::move(opt)),
      identity_(channel->identity),
      poll_channel_(channel, &state),
      post_channel_(channel, &state),
      state_(state),
      journal_(journal),
      command_(std::move(command)),
      need_sync_(std::move(need_sync)),
      log_(std::move(log)) {}

TaskRunner::~TaskRunner() { stop(); }

void TaskRunner::start() {
    stop_ = false;
    poll_channel_.reset_abort();
    post_channel_.reset_abort();
    for (auto& e : journal_.unposted()) enqueue_post(e.id);  // results a previous run could not deliver
    poll_thread_ = std::thread([this] { poll_loop(); });
    post_thread_ = std::thread([this] { post_loop(); });
}

void TaskRunner::stop() {
    stop_ = true;
    poll_channel_.abort();
    post_channel_.abort();
    cv_.notify_all();
    if (poll_thread_.joinable()) poll_thread_.join();
    if (post_thread_.joinable()) post_thread_.join();
}

size_t TaskRunner::queued_results() const {
    std::lock_guard<std::mutex> g(mu_);
    return post_queue_.size();
}

bool TaskRunner::sleep_unless_stopped(uint32_t seconds) {
    std::unique_lock<std::mutex> g(mu_);
    cv_.wait_for(g, std::chrono::seconds(seconds), [this] { return stop_.load(); });
    return !stop_;
}

void TaskRunner::poll_loop() {
    uint32_t backoff = 1;
    while (!stop_) {
        if (identity_ && !identity_->enrolled()) {  // the uploader thread enrolls; tasks wait for it
            sleep_unless_stopped(1);
            continue;
        }
        HttpRequest req;
        req.method = "GET";
        req.path = "/api/v1/agent/tasks?wait=" + std::to_string(opt_.poll_wait_s);
        req.receive_timeout_s = opt_.poll_wait_s + 10;
        try {
            HttpResponse r = poll_channel_.send(req);
            if (r.status == 200) {
                backoff = 1;
                try {
                    handle_poll(parse_task_poll(r.body));
                } catch (const std::invalid_argument& e) {
                    log_(VIGIL_LOG_WARN, std::string("ignoring task poll answer: ") + e.what());
                    state_.failure("protocol", r.server, std::string("bad task poll answer: ") + e.what());
                    sleep_unless_stopped(backoff);
                }
                continue;
            }
            if (r.status == 404) need_sync_();  // not registered yet
            state_.failure("http", r.server,
                           "HTTP " + std::to_string(r.status) + " from " + r.server +
                               " for task poll: " + r.error_text());
        } catch (const TransportError&) {
            // Recorded by the channel; wait and try again.
        }
        sleep_unless_stopped(backoff);
        backoff = std::min(backoff * 2, opt_.max_retry_s);
    }
}

void TaskRunner::handle_poll(const TaskPoll& poll) {
    if (poll.unanswerable) {
        counters_.unanswerable.fetch_add(poll.unanswerable);
        log_(VIGIL_LOG_WARN, "ignored " + std::to_string(poll.unanswerable) + " task(s) without a usable id");
    }
    for (const auto& r : poll.rejected) {
        counters_.received.fetch_add(1);
        if (auto done = journal_.find(r.id)) {
            counters_.repeated.fetch_add(1);
            enqueue_post(r.id);
            continue;
        }
        complete(r.id, VIGIL_EINVAL, {}, r.reason, 0);
    }
    for (const auto& t : poll.tasks) {
        counters_.received.fetch_add(1);
        {
            std::lock_guard<std::mutex> g(mu_);
            if (in_flight_.count(t.id)) continue;  // still running: its result will come
        }
        if (journal_.find(t.id)) {
            counters_.repeated.fetch_add(1);
            enqueue_post(t.id);  // delivered again: answer with the stored result
            continue;
        }
        execute(t);
    }
}

void TaskRunner::execute(const Task& t) {
    uint32_t timeout_s = t.timeout_s ? t.timeout_s : opt_.default_timeout_s;
    TaskRoute route = route_task(t.type);
    if (route.kind == TaskRoute::Kind::unknown) {
        complete(t.id, VIGIL_ENOTFOUND, {}, "unknown task type \"" + t.type + "\"", timeout_s);
        return;
    }
    std::string args_json = t.args_json;
    if (opt_.policy) {
        if (auto why = authorize_task(t, *opt_.policy, opt_.agent_id, int64_t(now_ns()), args_json)) {
            log_(VIGIL_LOG_WARN, "task " + t.id + " (" + t.type + ") refused: " + *why);
            complete(t.id, VIGIL_EFAILED, {}, "refused by the agent: " + *why, timeout_s);
            return;
        }
    }
    if (route.kind == TaskRoute::Kind::ping) {
        complete(t.id, VIGIL_OK,
                 "{\"pong\":true,\"agent_id\":\"" + opt_.agent_id +
                     "\",\"time_ns\":" + std::to_string(now_ns()) + "}",
                 {}, timeout_s);
        return;
    }
    {
        std::lock_guard<std::mutex> g(mu_);
        in_flight_.insert(t.id);
    }
    std::weak_ptr<TaskRunner> weak = weak_from_this();
    std::string id = t.id, command = route.command;
    auto done = [weak, id, command, timeout_s](int status, const std::string& result,
                                               const std::string& error) {
        auto self = weak.lock();
        if (!self) return;  // stopped: the server will deliver the task again
        std::string why =
            error.empty() && status != VIGIL_OK ? status_text(status, command, timeout_s) : error;
        if (status == VIGIL_ETIMEDOUT && why.find("timeout") == std::string::npos) why = "timeout: " + why;
        self->complete(id, status, result, why, timeout_s);
    };
    try {
        command_("task:" + t.id, route.command, args_json, timeout_s * 1000, done);
    } catch (const std::exception& e) {
        complete(t.id, VIGIL_EFAILED, {}, std::string("cannot send ") + route.command + ": " + e.what(),
                 timeout_s);
    }
}

void TaskRunner::complete(const std::string& id, int status, const std::string& result_json,
                          const std::string& error, uint32_t) {
    JournalEntry e;
    e.id = id;
    e.time_ns = now_ns();
    if (status == VIGIL_OK) {
        counters_.succeeded.fetch_add(1);
        e.result_body = task_result_ok(result_json);
        rapidjson::Document d;
        d.Parse(result_json.data(), result_json.size());
        if (!d.HasParseError() && d.IsObject() && d.HasMember("upload_file") && d["upload_file"].IsString()) {
            e.upload_file = d["upload_file"].GetString();
            e.upload_delete = d.HasMember("upload_file_delete") && d["upload_file_delete"].IsBool() &&
                              d["upload_file_delete"].GetBool();
        }
    } else {
        counters_.failed.fetch_add(1);
        e.result_body = task_result_error(error, result_json);
    }
    try {
        journal_.record(e);
    } catch (const std::exception& ex) {
        log_(VIGIL_LOG_ERROR, std::string("task journal: ") + ex.what());
        // Still deliver the result; only repeat protection is lost.
    }
    {
        std::lock_guard<std::mutex> g(mu_);
        in_flight_.erase(id);
    }
    enqueue_post(id);
}

void TaskRunner::enqueue_post(const std::string& id) {
    {
        std::lock_guard<std::mutex> g(mu_);
        for (const auto& q : post_queue_)
            if (q == id) return;
        post_queue_.push_back(id);
    }
    cv_.notify_all();
}

bool TaskRunner::upload_file(JournalEntry& e) {
    std::string sha, err;
    uint64_t size = 0;
    auto fail = [&](const std::string& why) {
        e.result_body = task_result_error(why);
        e.upload_file.clear();
        try {
            journal_.record(e);
        } catch (...) {
        }
        return true;  // the result (an error now) can be posted
    };
    if (!file_digest(e.upload_file, sha, size, err)) return fail("get_file: " + err);
    std::ifstream in(e.upload_file, std::ios::binary);
    if (!in) return fail("get_file: cannot open " + e.upload_file);
    HttpRequest req;
    req.method = "PUT";
    req.path = "/api/v1/agent/tasks/" + url_path_segment(e.id) + "/file";
    req.content_type = "application/octet-stream";
    req.headers.emplace_back("X-Vigil-Sha256", sha);
    req.body_stream = &in;
    req.body_length = size;
    req.receive_timeout_s = 60;
    HttpResponse r;
    try {
        r = post_channel_.send(req);
    } catch (const TransportError&) {
        return false;
    }
    if (r.status == 200) {
        counters_.files_uploaded.fetch_add(1);
        if (e.upload_delete) ::unlink(e.upload_file.c_str());
        e.upload_file.clear();
        // The hash of what was uploaded goes into the (authenticated) result: the operator's
        // download is checked against it, not against anything the server says.
        e.result_body = with_upload_hash(e.result_body, sha, size);
        try {
            journal_.record(e);
        } catch (...) {
        }
        return true;
    }
    if (r.status >= 500) return false;
    return fail("get_file: upload of " + e.upload_file + " refused: HTTP " + std::to_string(r.status) + " " +
                r.error_text());
}

bool TaskRunner::post_one(const std::string& id) {
    auto e = journal_.find(id);
    if (!e) return true;  // nothing stored (journal write failed earlier): nothing to do
    if (!e->upload_file.empty() && !upload_file(*e)) return false;
    HttpRequest req;
    req.method = "POST";
    req.path = "/api/v1/agent/tasks/" + url_path_segment(id) + "/result";
    req.content_type = "application/json";
    req.body = e->result_body;
    HttpResponse r;
    try {
        r = post_channel_.send(req);
    } catch (const TransportError&) {
        return false;
    }
    if (r.status == 200 || r.status == 409 || r.status == 404) {
        // 409: a result is already there (first wins); 404: the task is gone.
        if (r.status == 200) counters_.results_posted.fetch_add(1);
        journal_.mark_posted(id);
        return true;
    }
    state_.failure(
        "http", r.server,
        "HTTP " + std::to_string(r.status) + " from " + r.server + " for task result: " + r.error_text());
    bool retry_later = r.status >= 500 || r.status == 401 || r.status == 403 || r.status == 429;
    if (retry_later) return false;
    // Any other refusal will not change on a retry: give up on this result
    // rather than block the ones queued behind it.
    log_(VIGIL_LOG_ERROR,
         "task " + id + ": result refused with HTTP " + std::to_string(r.status) + ", dropped");
    journal_.mark_posted(id);
    return true;
}

void TaskRunner::post_loop() {
    uint32_t backoff = 1;
    while (!stop_) {
        std::string id;
        {
            std::unique_lock<std::mutex> g(mu_);
            cv_.wait(g, [this] { return stop_ || !post_queue_.empty(); });
            if (stop_) return;
            id = post_queue_.front();
        }
        bool ok = post_one(id);
        if (ok) {
            std::lock_guard<std::mutex> g(mu_);
            if (!post_queue_.empty() && post_queue_.front() == id) post_queue_.pop_front();
            backoff = 1;
        } else {
            sleep_unless_stopped(backoff);
            backoff = std::min(backoff * 2, opt_.max_retry_s);
        }
    }
}

}  // namespace vigil::kataedr
