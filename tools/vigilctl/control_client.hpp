// Client side of the vigild control socket protocol (see core/src/control_server.hpp).
#pragma once
#include <functional>
#include <string>

namespace vigil::ctl {

class ControlClient {
public:
    // require_root_peer: refuse a daemon that does not run as root (SO_PEERCRED).
    explicit ControlClient(std::string socket_path, bool require_root_peer = false)
        : path_(std::move(socket_path)), require_root_peer_(require_root_peer) {}
    ~ControlClient();
    // Connects and sends one request line; false + error on failure.
    bool send(const std::string& request_json, std::string& error);
    // Reads one reply line; false on EOF/error.
    bool read_line(std::string& line);

private:
    std::string path_;
    bool require_root_peer_ = false;
    int fd_ = -1;
    std::string buffer_;
};

}  // namespace vigil::ctl
