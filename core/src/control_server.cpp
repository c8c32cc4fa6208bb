#include "control_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <future>
#include <set>

#include <vigil/sdk.hpp>

#include "control_socket.hpp"
#include "event_json.hpp"
#include "json_util.hpp"
#include "log.hpp"

namespace vigil::core {

namespace {

bool send_all(int fd, const std::string& s) {
    const char* p = s.data();
    size_t n = s.size();
    while (n) {
        ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        p += w;
        n -= size_t(w);
    }
    return true;
}

// Reads one line (bounded) with a timeout so an idle client cannot pin a thread.
bool read_line(int fd, std::string& line, int timeout_ms) {
    line.clear();
    char c;
    while (line.size() < (1u << 20)) {
        pollfd p{fd, POLLIN, 0};
        int r = ::poll(&p, 1, timeout_ms);
        if (r <= 0) return false;
        ssize_t n = ::recv(fd, &c, 1, 0);
        if (n <= 0) return false;
        if (c == '\n') return true;
        line.push_back(c);
    }
    return false;
}

std::string error_reply(const std::string& msg) {
    return std::string("{\"ok\":false,\"error\":\"") + json_escape(msg) + "\"}\n";
}

}  // namespace

ControlServer::ControlServer(Bus& bus, Handlers handlers) : bus_(bus), handlers_(std::move(handlers)) {}
ControlServer::~ControlServer() { stop(); }

bool ControlServer::start(const std::string& path, std::string& error, unsigned mode) {
    path_ = path;
    listen_fd_ = listen_control_socket(path, mode, error);
    if (listen_fd_ < 0) return false;
    if (::pipe2(wake_pipe_, O_CLOEXEC) != 0) {
        error = std::string("pipe: ") + std::strerror(errno);
        return false;
    }
    acceptor_ = std::thread([this] { accept_loop(); });
    return true;
}

void ControlServer::stop_accepting() {
    if (stopping_.exchange(true)) return;
    if (wake_pipe_[1] >= 0) (void)!::write(wake_pipe_[1], "x", 1);
    if (acceptor_.joinable()) acceptor_.join();
}

void ControlServer::stop() {
    stop_accepting();
    if (stopped_.exchange(true)) return;
    {
        std::lock_guard<std::mutex> g(clients_mu_);
        for (int fd : client_fds_) ::shutdown(fd, SHUT_RDWR);
    }
    std::list<Client> clients;
    {
        std::lock_guard<std::mutex> g(clients_mu_);
        clients.swap(clients_);
    }
    for (auto& c : clients)
        if (c.thread.joinable()) c.thread.join();
    if (listen_fd_ >= 0) {
        ::close(listen_fd_);
        ::unlink(path_.c_str());
    }
    for (int& fd : wake_pipe_)
        if (fd >= 0) ::close(fd), fd = -1;
}

void ControlServer::accept_loop() {
    while (!stopping_) {
        pollfd p[2] = {{listen_fd_, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
        if (::poll(p, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (p[1].revents) break;
        int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        ucred cred{};
        socklen_t len = sizeof cred;
        if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
            (cred.uid != 0 && int(cred.uid) != extra_uid_.load())) {
            log_warn("control", "refused control connection from uid " + std::to_string(cred.uid) + " pid " +
                                    std::to_string(cred.pid) + ": root only");
            send_all(fd, error_reply("permission denied: the control socket is for root only (peer uid " +
                                     std::to_string(cred.uid) + ")"));
            ::close(fd);
            continue;
        }
        std::lock_guard<std::mutex> g(clients_mu_);
        // Reap finished client threads as we go.
        for (auto it = clients_.begin(); it != clients_.end();) {
            if (it->done->load()) {
                it->thread.join();
                it = clients_.erase(it);
            } else {
                ++it;
            }
        }
        client_fds_.push_back(fd);
        auto done = std::make_shared<std::atomic<bool>>(false);
        clients_.push_back(Client{std::thread([this, fd, done] {
                                      serve(fd);
                                      {
                                          std::lock_guard<std::mutex> g2(clients_mu_);
                                          client_fds_.remove(fd);
                                      }
                                      ::close(fd);
                                      *done = true;
                                  }),
                                  done});
    }
}

void ControlServer::serve(int fd) {
    std::string line;
    if (!read_line(fd, line, 10000)) return;
    auto req = parse_json(line);
    if (req && req->IsObject() && json_string(*req, "cmd") == "events") {
        serve_events(fd, line);
        return;
    }
    send_all(fd, handle(line));
}

std::string ControlServer::handle(const std::string& line) {
    std::string perr;
    auto req = parse_json(line, &perr);
    if (!req || !req->IsObject()) return error_reply("request is not a JSON object: " + perr);
    std::string cmd = json_string(*req, "cmd");
    if (cmd == "status") return "{\"ok\":true,\"result\":" + handlers_.status_json() + "}\n";
    if (cmd == "plugins") return "{\"ok\":true,\"result\":" + handlers_.plugins_json() + "}\n";
    if (cmd == "metrics" && handlers_.metrics_text) {
        std::string text = handlers_.metrics_text();
        rapidjson::StringBuffer sb;
        JsonWriter w(sb);
        write_str(w, text);
        return std::string("{\"ok\":true,\"result\":") + sb.GetString() + "}\n";
    }
    if (cmd == "config_check") {
        std::string path = json_string(*req, "path");
        if (path.empty()) return error_reply("config_check needs \"path\"");
        return "{\"ok\":true,\"result\":" + handlers_.config_check(path) + "}\n";
    }
    if (cmd == "call") {
        std::string name = json_string(*req, "name");
        if (name.empty()) return error_reply("call needs \"name\"");
        std::string args = "{}";
        if (req->HasMember("args")) {
            if (!(*req)["args"].IsObject()) return error_reply("\"args\" must be a JSON object");
            args = to_json((*req)["args"]);
        }
        uint32_t timeout_ms = 30000;
        if (req->HasMember("timeout_ms") && (*req)["timeout_ms"].IsUint()) timeout_ms = (*req)["timeout_ms"].GetUint();
        auto promise = std::make_shared<std::promise<std::string>>();
        auto fut = promise->get_future();
        bus_.send_command(publisher_, name, args, timeout_ms, "vigilctl", [promise](const MessageRef& r) {
            auto v = view<vigil_command_result>(r->payload, r->payload_size);
            rapidjson::StringBuffer sb;
            JsonWriter w(sb);
            w.StartObject();
            w.Key("ok");
            w.Bool(v->status == VIGIL_OK);
            w.Key("status");
            w.Int(v->status);
            w.Key("correlation_id");
            w.Uint64(r->correlation_id);
            std::string_view res = v.str(v->result_json);
            w.Key("result");
            if (!res.empty() && parse_json(res)) w.RawValue(res.data(), res.size(), rapidjson::kObjectType);
            else if (!res.empty()) write_str(w, res);
            else w.Null();
            if (v->status != VIGIL_OK) write_kv(w, "error", v.str(v->error));
            w.EndObject();
            promise->set_value(std::string(sb.GetString(), sb.GetSize()) + "\n");
        });
        return fut.get();  // the bus guarantees exactly one reply (timeouts included)
    }
    return error_reply("unknown request '" + cmd + "' (status, plugins, events, metrics, config_check, call)");
}

void ControlServer::serve_events(int fd, const std::string& line) {
    auto req = parse_json(line);
    std::set<std::string> types;
    if (req->HasMember("types") && (*req)["types"].IsArray())
        for (const auto& t : (*req)["types"].GetArray())
            if (t.IsString()) types.insert(t.GetString());
    std::atomic<bool> broken{false};
    // A client that stops reading (a paused pager) ends its stream after 5 s
    // instead of holding its delivery thread, which the watchdog would see as
    // a stalled bus.
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    // A slow reader only loses events from its own queue (drop-oldest, counted).
    uint64_t sub = bus_.subscribe(
        VIGIL_TYPE_ANY, 65536, VIGIL_OVERFLOW_DROP_OLDEST,
        [this, fd, &types, &broken](const vigil_message& m) {
            if (broken) return;
            std::string name = bus_.type_name(m.type_id);
            if (!types.empty() && !types.count(name)) return;
            if (!send_all(fd, message_to_json(m, name) + "\n")) broken = true;
        },
        "vigilctl-events", nullptr);
    send_all(fd, "{\"ok\":true,\"result\":\"streaming\"}\n");
    // Wait until the client closes, the stream breaks, or the daemon stops.
    while (!stopping_ && !broken) {
        pollfd p{fd, POLLIN | POLLRDHUP, 0};
        int r = ::poll(&p, 1, 500);
        if (r > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR))) break;
        if (r > 0 && (p.revents & POLLIN)) {
            char buf[256];
            if (::recv(fd, buf, sizeof buf, 0) <= 0) break;
        }
    }
    bus_.unsubscribe(sub);
}

}  // namespace vigil::core
