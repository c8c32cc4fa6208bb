// The opt-in metrics listener (agent.metrics.listen): plain HTTP on a
// loopback address, GET /metrics only, one request per connection, served by
// one thread with short I/O deadlines. It has no authentication, which is why
// the configuration accepts loopback addresses only (a local Prometheus or
// node agent scrapes it; remote scraping goes through the textfile collector
// or a reverse proxy the operator secures).
#pragma once
#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace vigil::core {

class MetricsHttpServer {
public:
    using RenderFn = std::function<std::string()>;
    explicit MetricsHttpServer(RenderFn render) : render_(std::move(render)) {}
    ~MetricsHttpServer();

    // address "127.0.0.1:9101" or "[::1]:9101"; false with `error` when it cannot listen.
    bool start(const std::string& address, std::string& error);
    void stop();
    uint16_t port() const { return port_; }  // the bound port (useful with port 0)
    uint64_t requests() const { return requests_.load(); }

    // Answers one request head; exposed for tests.
    std::string respond(const std::string& request_head);

private:
    void loop();
    void serve(int fd);

    RenderFn render_;
    int listen_fd_ = -1;
    int wake_[2] = {-1, -1};
    uint16_t port_ = 0;
    std::atomic<uint64_t> requests_{0};
    std::thread thread_;
};

// Splits "host:port" / "[v6]:port"; false when malformed.
bool split_host_port(const std::string& address, std::string& host, uint16_t& port);
// True for 127.0.0.0/8 and ::1 literals.
bool is_loopback_literal(const std::string& host);

}  // namespace vigil::core
