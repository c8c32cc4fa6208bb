#include "sim_agents.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <stdexcept>

#include <openssl/x509.h>

#include "bench.hpp"
#include "tls_socket.hpp"

namespace vigil::central::bench {

namespace http = boost::beast::http;

void SimStats::expect(const std::string& agent, double now_s) {
    std::lock_guard lock(mutex_);
    pending_[agent] = now_s;
}

void SimStats::delivered(const std::string& agent, size_t tasks, double now_s) {
    if (tasks == 0) return;
    std::lock_guard lock(mutex_);
    auto it = pending_.find(agent);
    if (it == pending_.end()) return;
    wakeups_ms_.push_back((now_s - it->second) * 1000.0);
    pending_.erase(it);
}

std::vector<double> SimStats::wakeups_ms() {
    std::lock_guard lock(mutex_);
    return wakeups_ms_;
}

size_t SimStats::outstanding() {
    std::lock_guard lock(mutex_);
    return pending_.size();
}

namespace {

// One simulated agent: connect, handshake, sync, then poll forever; reconnects after 1 s
// when the connection fails.
class SimAgent : public std::enable_shared_from_this<SimAgent> {
public:
    SimAgent(net::io_context& io, SimAgents& owner, std::string id)
        : io_(io), owner_(owner), id_(std::move(id)), timer_(io), cert_(owner.identity().issue(id_)) {}
    ~SimAgent() { X509_free(cert_); }
    SimAgent(const SimAgent&) = delete;
    SimAgent& operator=(const SimAgent&) = delete;

    void connect() {
        socket_.emplace(io_);
        socket_->async_connect(owner_.endpoint(),
                               [self = shared_from_this()](error_code ec) { self->on_connect(ec); });
    }

private:
    void on_connect(error_code ec) {
        if (ec) return retry();
        tls_.emplace(std::move(*socket_), owner_.tls(), true);
        if (SSL_use_certificate(tls_->ssl(), cert_) != 1 || SSL_use_PrivateKey(tls_->ssl(), owner_.identity().key()) != 1)
            return retry();
        tls_->async_handshake([self = shared_from_this()](error_code e) { self->on_handshake(e); });
    }
    void on_handshake(error_code ec) {
        if (!gate_released_) owner_.connected_one();
        gate_released_ = true;
        if (ec) return retry();
        send(false);
    }
    void send(bool poll) {
        polling_ = poll;
        req_ = {};
        req_.version(11);
        req_.keep_alive(true);
        req_.set(http::field::host, "central");
        if (poll) {
            req_.method(http::verb::get);
            req_.target("/api/v1/agent/tasks?wait=" + std::to_string(owner_.wait_s()));
            ++owner_.stats().polling;
        } else {
            req_.method(http::verb::post);
            req_.target("/api/v1/agent/sync");
            req_.set(http::field::content_type, "application/json");
            req_.body() = "{\"agent_id\":\"" + id_ + "\",\"hostname\":\"sim-" + id_ + "\"}";
        }
        req_.prepare_payload();
        http::async_write(*tls_, req_, [self = shared_from_this()](error_code ec, size_t) {
            if (ec) return self->failed();
            self->res_ = {};
            http::async_read(*self->tls_, self->buf_, self->res_,
                             [self](error_code e, size_t) { self->on_response(e); });
        });
    }
    void on_response(error_code ec) {
        if (polling_) --owner_.stats().polling;
        polling_ = false;
        if (ec || res_.result_int() != 200) return retry();
        buf_.shrink_to_fit();
        if (req_.method() == http::verb::post) {
            if (!registered_) ++owner_.stats().connected;
            registered_ = true;
            return send(true);
        }
        ++owner_.stats().polls;
        size_t tasks = 0;
        for (size_t pos = 0; (pos = res_.body().find("\"id\":", pos)) != std::string::npos; ++pos) ++tasks;
        owner_.stats().delivered(id_, tasks, vigil::bench::now_s());
        send(true);
    }
    void failed() {
        if (polling_) --owner_.stats().polling;
        polling_ = false;
        retry();
    }
    void retry() {
        ++owner_.stats().errors;
        if (!gate_released_) owner_.connected_one();
        gate_released_ = true;
        tls_.reset();
        socket_.reset();
        timer_.expires_after(std::chrono::seconds(1));
        timer_.async_wait([self = shared_from_this()](error_code) { self->connect(); });
    }

    net::io_context& io_;
    SimAgents& owner_;
    std::string id_;
    net::steady_timer timer_;
    X509* cert_;  // this agent's certificate (owned)
    std::optional<tcp::socket> socket_;
    std::optional<TlsSocket> tls_;
    boost::beast::flat_buffer buf_;
    http::request<http::string_body> req_;
    http::response<http::string_body> res_;
    bool gate_released_ = false;
    bool registered_ = false;
    bool polling_ = false;
};

}  // namespace

SimAgents::SimAgents(int port, const BenchIdentity& identity, int count, int wait_s, int max_connecting,
                     int first_id)
    : identity_(identity),
      endpoint_(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)),
      count_(count),
      wait_s_(wait_s),
      max_connecting_(max_connecting),
      first_id_(first_id) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    if (!ctx_) throw std::runtime_error("SSL_CTX_new failed");
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);  // loopback to our own server
    net::post(io_, [this] { launch_more(); });
    thread_ = std::thread([this] {
        auto guard = net::make_work_guard(io_);
        io_.run();
    });
}

SimAgents::~SimAgents() {
    io_.stop();
    thread_.join();
    SSL_CTX_free(ctx_);
}

std::string SimAgents::agent_id(int i) {
    char id[40];
    std::snprintf(id, sizeof id, "bench-sim-agent-%06d", i);
    return id;
}

void SimAgents::connected_one() {
    --connecting_;
    launch_more();
}

void SimAgents::launch_more() {
    while (launched_ < count_ && connecting_ < max_connecting_) {
        ++connecting_;
        std::make_shared<SimAgent>(io_, *this, agent_id(first_id_ + launched_++))->connect();
    }
}

bool SimAgents::wait_polling(int n, double timeout_s) {
    const double end = vigil::bench::now_s() + timeout_s;
    while (vigil::bench::now_s() < end) {
        if (stats_.polling.load() >= n) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return stats_.polling.load() >= n;
}

}  // namespace vigil::central::bench
