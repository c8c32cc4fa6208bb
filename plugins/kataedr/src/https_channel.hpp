// HTTPS requests to the central node with failover over the configured
// servers, through the agent-wide HTTP CONNECT proxy when one is set.
//
// One channel per connector thread (Poco sessions are not thread-safe); each
// keeps a keep-alive session to the server that answered last. A server that
// cannot be reached (connect, proxy, TLS or timeout failure) is skipped and
// the next one in the configured order is tried; any HTTP answer counts as
// reached. abort() may be called from another thread to end a blocked request
// (used by stop()).
#pragma once

#include <Poco/Net/Context.h>

#include <atomic>
#include <istream>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "agent_identity.hpp"
#include "connection_state.hpp"
#include "tls_material.hpp"
#include "url.hpp"

namespace Poco::Net {
class HTTPSClientSession;
}

namespace vigil::kataedr {

struct ChannelConfig {
    std::vector<ServerUrl> servers;
    std::shared_ptr<const TlsMaterial> tls;
    std::optional<ProxyUrl> proxy;
    uint32_t connect_timeout_s = 10;
    uint32_t request_timeout_s = 10;
    std::string agent_id;
    // The agent's own certificate, presented once enrolled (instead of the shared client_p12).
    // May be null (tests): then only the TlsMaterial's client certificate is used.
    std::shared_ptr<AgentIdentity> identity;
};

struct HttpRequest {
    std::string method = "GET";
    std::string path;
    std::string content_type;
    std::string content_encoding;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string_view body;
    std::istream* body_stream = nullptr;  // streamed instead of body when set (must be seekable)
    uint64_t body_length = 0;
    uint32_t receive_timeout_s = 0;  // 0 = request_timeout_s
    size_t max_response_bytes = 8u << 20;
};

struct HttpResponse {
    int status = 0;
    std::string body;
    std::string server;
    // The "error" member of a JSON error body, or the body's start.
    std::string error_text() const;
};

class TransportError : public std::runtime_error {
public:
    TransportError(std::string kind, std::string server, const std::string& message)
        : std::runtime_error(message), kind_(std::move(kind)), server_(std::move(server)) {}
    const std::string& kind() const { return kind_; }
    const std::string& server() const { return server_; }

private:
    std::string kind_, server_;
};

class HttpsChannel {
public:
    HttpsChannel(std::shared_ptr<const ChannelConfig> config, ConnectionState* state);
    ~HttpsChannel();
    HttpsChannel(const HttpsChannel&) = delete;
    HttpsChannel& operator=(const HttpsChannel&) = delete;

    // Throws TransportError when no server could be reached (the last
    // failure is also recorded in the ConnectionState).
    HttpResponse send(const HttpRequest& req);
    // Ends a blocked send() and refuses new ones; thread-safe.
    void abort();
    // Allows requests again after abort() (a restarted connector).
    void reset_abort() { aborted_ = false; }
    std::string current_server() const;

private:
    HttpResponse send_to(size_t index, const HttpRequest& req, bool fresh);
    // The kept session when it goes to server `index` (unless `fresh`), else a new one.
    Poco::Net::HTTPSClientSession& session_for(size_t index, bool fresh);
    HttpResponse read_response(Poco::Net::HTTPSClientSession& session, const HttpRequest& req,
                               const ServerUrl& server);
    // The failure being handled (called from a catch block) as a TransportError whose kind
    // and text say what failed: TLS, proxy, HTTP, refused connection, timeout or network.
    TransportError transport_error(const ServerUrl& server) const;
    Poco::Net::Context::Ptr context_for(size_t index);
    // A new identity (enrolled, renewed, forgotten) means new TLS contexts and connections.
    void follow_identity();

    std::shared_ptr<const ChannelConfig> config_;
    ConnectionState* state_;
    std::vector<Poco::Net::Context::Ptr> contexts_;
    mutable std::mutex mu_;  // guards session_ against abort()
    std::unique_ptr<Poco::Net::HTTPSClientSession> session_;
    size_t session_index_ = 0;
    uint64_t identity_generation_ = 0;
    std::atomic<size_t> current_{0};
    std::atomic<bool> aborted_{false};
};

}  // namespace vigil::kataedr
