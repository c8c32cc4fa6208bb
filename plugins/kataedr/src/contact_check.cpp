#include "contact_check.hpp"

#include <algorithm>
#include <chrono>
#include <vigil/common/args.hpp>
#include <vigil/sdk.hpp>

namespace vigil::kataedr {

namespace {
constexpr uint32_t kMinTimeoutMs = 1000;
constexpr uint32_t kMaxTimeoutMs = 60000;
constexpr uint32_t kDefaultTimeoutMs = 10000;
}  // namespace

std::string ContactResult::json() const {
    using vigil::json_escape;
    std::string s = std::string("{\"ok\":") + (ok ? "true" : "false") + ",\"central\":" +
                    (server.empty() ? std::string("null") : "\"" + json_escape(server) + "\"") +
                    ",\"time_ns\":" + std::to_string(time_ns) + ",\"latency_ms\":" + std::to_string(latency_ms);
    if (!ok) s += ",\"kind\":\"" + json_escape(kind) + "\",\"error\":\"" + json_escape(message) + "\"";
    return s + "}";
}

uint32_t parse_contact_args(const std::string& args_json) {
    try {
        vigil::common::Args a(args_json);
        a.no_positionals("kataedr.check_contact", " (use --timeout_ms N)");
        const uint64_t t = a.uinteger("timeout_ms", kMaxTimeoutMs).value_or(kDefaultTimeoutMs);
        a.finish();
        return ContactCheck::clamp_timeout_ms(int64_t(t));
    } catch (const vigil::common::ArgError& e) {
        throw std::invalid_argument(e.what());
    }
}

uint32_t ContactCheck::clamp_timeout_ms(int64_t requested_ms) {
    return uint32_t(std::clamp<int64_t>(requested_ms, kMinTimeoutMs, kMaxTimeoutMs));
}

ContactCheck::ContactCheck(std::shared_ptr<const ChannelConfig> channel, ConnectionState* state, BodyFn sync_body)
    : channel_(std::move(channel)), state_(state), sync_body_(std::move(sync_body)) {}

ContactCheck::~ContactCheck() { stop(); }

void ContactCheck::run(uint32_t timeout_ms, Done done) {
    std::unique_lock<std::mutex> g(mu_);
    if (stopped_) {
        g.unlock();
        ContactResult r;
        r.kind = "network";
        r.message = "connector is stopping";
        r.time_ns = now_ns();
        done(r);
        return;
    }
    waiters_.push_back(std::move(done));
    if (running_) return;  // shares the running exchange's result
    running_ = true;
    // The previous worker has handed out its result; join it before reuse.
    if (worker_.joinable()) worker_.join();
    worker_ = std::thread([this, timeout_ms] { work(timeout_ms); });
}

void ContactCheck::stop() {
    std::thread w;
    {
        std::lock_guard<std::mutex> g(mu_);
        stopped_ = true;
        if (active_) active_->abort();
        w = std::move(worker_);
    }
    if (w.joinable()) w.join();
}

void ContactCheck::start() {
    std::lock_guard<std::mutex> g(mu_);
    stopped_ = false;
}

void ContactCheck::work(uint32_t timeout_ms) {
    ContactResult r = exchange(timeout_ms);
    std::vector<Done> waiters;
    {
        std::lock_guard<std::mutex> g(mu_);
        waiters.swap(waiters_);
        running_ = false;
        active_.reset();
    }
    for (auto& d : waiters) d(r);
}

ContactResult ContactCheck::exchange(uint32_t timeout_ms) {
    // A private channel: Poco sessions are not shared between threads, and a
    // fresh TLS handshake is the point of the check (no kept-alive session).
    auto cfg = std::make_shared<ChannelConfig>(*channel_);
    const uint32_t secs = std::max<uint32_t>(1, (timeout_ms + 999) / 1000);
    cfg->connect_timeout_s = std::min(cfg->connect_timeout_s, secs);
    cfg->request_timeout_s = std::min(cfg->request_timeout_s, secs);
    HttpsChannel* ch = nullptr;
    {
        std::lock_guard<std::mutex> g(mu_);
        active_ = std::make_unique<HttpsChannel>(cfg, state_);
        ch = active_.get();
        if (stopped_) ch->abort();
    }
    HttpRequest req;
    req.method = "POST";
    req.path = "/api/v1/agent/sync";
    req.content_type = "application/json";
    const std::string body = sync_body_();
    req.body = body;
    ContactResult r;
    const auto start = std::chrono::steady_clock::now();
    try {
        HttpResponse resp = ch->send(req);
        r.server = resp.server;
        if (resp.status == 200) {
            r.ok = true;
        } else {
            r.kind = "http";
            r.message = "HTTP " + std::to_string(resp.status) + " from " + resp.server + ": " + resp.error_text();
            if (state_) state_->failure("http", resp.server, r.message);
        }
    } catch (const TransportError& e) {
        r.kind = e.kind();
        r.server = e.server();
        r.message = e.what();
    }
    r.time_ns = now_ns();
    r.latency_ms = uint64_t(std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::steady_clock::now() - start)
                                .count());
    return r;
}

}  // namespace vigil::kataedr
