// What the connector knows about its link to the central node, shared by its
// threads and shown in `vigilctl status`: the server in use, whether the last
// exchange worked, and the last TLS/HTTP/network error with its text.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

namespace vigil::kataedr {

uint64_t now_ns();

class ConnectionState {
public:
    void success(const std::string& server);
    // kind: "tls", "connect", "proxy", "timeout", "http", "protocol", "network".
    void failure(const std::string& kind, const std::string& server, const std::string& message);
    bool connected() const;
    uint64_t last_success_ns() const;  // CLOCK_REALTIME, 0 = never
    std::string last_error() const;
    // {"server":..,"connected":..,"last_success_ns":..,"last_error":{..}|null}
    std::string json() const;
    // The connector-contact contract other plugins read (through the SDK helper):
    // {"last_contact_ns":N (CLOCK_REALTIME of the last successful exchange, 0 = never),
    //  "last_failure_ns":M (0 = none),"last_failure":"<kind>: <message>","central":"<url>"}
    std::string contact_json() const;

private:
    mutable std::mutex mu_;
    std::string server_;
    bool connected_ = false;
    uint64_t last_success_ns_ = 0;
    std::string error_kind_, error_server_, error_message_;
    uint64_t error_ns_ = 0;
    uint64_t failures_ = 0;
};

}  // namespace vigil::kataedr
