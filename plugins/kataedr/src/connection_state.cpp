#include "connection_state.hpp"

#include <time.h>

#include <vigil/sdk.hpp>

namespace vigil::kataedr {

uint64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

uint64_t ConnectionState::last_success_ns() const {
    std::lock_guard<std::mutex> g(mu_);
    return last_success_ns_;
}

void ConnectionState::success(const std::string& server) {
    std::lock_guard<std::mutex> g(mu_);
    server_ = server;
    connected_ = true;
    last_success_ns_ = now_ns();
}

void ConnectionState::failure(const std::string& kind, const std::string& server,
                              const std::string& message) {
    std::lock_guard<std::mutex> g(mu_);
    connected_ = false;
    error_kind_ = kind;
    error_server_ = server;
    error_message_ = message;
    error_ns_ = now_ns();
    ++failures_;
}

bool ConnectionState::connected() const {
    std::lock_guard<std::mutex> g(mu_);
    return connected_;
}

std::string ConnectionState::last_error() const {
    std::lock_guard<std::mutex> g(mu_);
    return error_message_;
}

std::string ConnectionState::json() const {
    std::lock_guard<std::mutex> g(mu_);
    using vigil::json_escape;
    std::string s =
        "{\"server\":" + (server_.empty() ? std::string("null") : "\"" + json_escape(server_) + "\"") +
        ",\"connected\":" + (connected_ ? "true" : "false") +
        ",\"last_success_ns\":" + std::to_string(last_success_ns_) +
        ",\"failures\":" + std::to_string(failures_) + ",\"last_error\":";
    if (error_message_.empty()) return s + "null}";
    return s + "{\"kind\":\"" + json_escape(error_kind_) + "\",\"server\":\"" + json_escape(error_server_) +
           "\",\"message\":\"" + json_escape(error_message_) + "\",\"time_ns\":" + std::to_string(error_ns_) +
           "}}";
}

std::string ConnectionState::contact_json() const {
    std::lock_guard<std::mutex> g(mu_);
    return "{\"last_contact_ns\":" + std::to_string(last_success_ns_) +
           ",\"last_failure_ns\":" + std::to_string(error_ns_) + ",\"last_failure\":\"" +
           vigil::json_escape(error_kind_.empty() ? std::string() : error_kind_ + ": " + error_message_) +
           "\",\"central\":\"" + vigil::json_escape(server_) + "\"}";
}

}  // namespace vigil::kataedr
