// The local control socket (`vigilctl`): a UNIX stream socket, mode 0600,
// that also checks each peer's credentials (SO_PEERCRED) and refuses non-root
// peers. Protocol: one JSON request line, then one JSON reply line — or, for
// `events`, a stream of event lines until the client goes away.
//   {"cmd":"status"} {"cmd":"plugins"} {"cmd":"events","types":["file",...]}
//   {"cmd":"config_check","path":"/etc/vigil/vigil.yaml"} {"cmd":"metrics"}
//   {"cmd":"call","name":"isolation.on","args":{...},"timeout_ms":30000}
// Replies: {"ok":true,"result":...} or {"ok":false,"error":"..."}.
#pragma once
#include <atomic>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "bus.hpp"

namespace vigil::core {

class ControlServer {
public:
    struct Handlers {
        std::function<std::string()> status_json;   // result object for "status"
        std::function<std::string()> plugins_json;  // result array for "plugins"
        // Returns the errors (empty = valid) as a JSON array of strings.
        std::function<std::string(const std::string& path)> config_check;
        // Prometheus exposition text for "metrics" (sent as a JSON string).
        std::function<std::string()> metrics_text;
    };
    ControlServer(Bus& bus, Handlers handlers);
    ~ControlServer();

    // Binds and listens; `mode` is 0600 in production (tests may widen it to
    // exercise the credential check). Returns false and sets error.
    bool start(const std::string& path, std::string& error, unsigned mode = 0600);
    // Closes the listening socket and ends event streams; calls in flight
    // still get their reply (the bus answers every command).
    void stop_accepting();
    // stop_accepting(), then waits for the clients.
    void stop();
    // uid allowed in addition to root (tests only; -1 = none).
    void set_extra_allowed_uid(int uid) { extra_uid_ = uid; }

private:
    void accept_loop();
    void serve(int fd);
    void serve_events(int fd, const std::string& request);
    std::string handle(const std::string& request);

    Bus& bus_;
    Handlers handlers_;
    Publisher publisher_{"vigilctl"};
    std::string path_;
    int listen_fd_ = -1;
    int wake_pipe_[2] = {-1, -1};
    std::atomic<bool> stopping_{false};
    std::atomic<bool> stopped_{false};
    std::atomic<int> extra_uid_{-1};
    std::thread acceptor_;
    std::mutex clients_mu_;
    struct Client {
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> done;
    };
    std::list<Client> clients_;
    std::list<int> client_fds_;
};

}  // namespace vigil::core
