#include "http_server.hpp"

#include <Poco/ErrorHandler.h>
#include <Poco/Net/AcceptCertificateHandler.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include <sys/stat.h>

#include "json.hpp"
#include "server_startup.hpp"
#include "storage_open.hpp"
#include "task_sweeper.hpp"
#include "time_spec.hpp"

namespace vigil::central {
namespace {

using Poco::Net::HTTPServerRequest;
using Poco::Net::HTTPServerResponse;

std::mutex g_log_mutex;

void log_line(const std::string& line) {
    std::lock_guard lock(g_log_mutex);
    std::cerr << "vigil-central: " << line << std::endl;
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Reads at most max_bytes (+1 to detect overflow) from a request body.
bool read_bounded(std::istream& in, uint64_t max_bytes, std::string& out) {
    char buf[64 * 1024];
    while (in) {
        in.read(buf, sizeof buf);
        auto n = static_cast<size_t>(in.gcount());
        if (n == 0) break;
        if (out.size() + n > max_bytes) return false;
        out.append(buf, n);
    }
    return true;
}

// Errors Poco catches outside our handlers — mostly failed TLS handshakes (no or untrusted
// client certificate, old protocol, plain HTTP on the TLS port). Logged so an operator can
// see why an agent cannot connect; at most 20 lines per 10 s so a scanner cannot flood the log.
class LoggingErrorHandler : public Poco::ErrorHandler {
public:
    void exception(const Poco::Exception& e) override { log_limited(e.displayText()); }
    void exception(const std::exception& e) override { log_limited(e.what()); }
    void exception() override { log_limited("unknown error"); }

private:
    void log_limited(const std::string& what) {
        auto now = std::chrono::steady_clock::now();
        std::lock_guard lock(mutex_);
        if (now - window_start_ > std::chrono::seconds(10)) {
            if (suppressed_ > 0)
                log_line("(" + std::to_string(suppressed_) + " connection errors not shown)");
            window_start_ = now;
            shown_ = 0;
            suppressed_ = 0;
        }
        if (shown_++ < 20) {
            log_line("connection error: " + what);
        } else {
            ++suppressed_;
        }
    }
    std::mutex mutex_;
    std::chrono::steady_clock::time_point window_start_{};
    int shown_ = 0;
    int suppressed_ = 0;
};

// The verified client certificate of the connection (if any) as a PeerIdentity.
PeerIdentity peer_of(HTTPServerRequest& req, const AgentCa& ca) {
    std::string address = req.clientAddress().host().toString();
    try {
        auto& impl = static_cast<Poco::Net::HTTPServerRequestImpl&>(req);
        Poco::Net::SecureStreamSocket socket(impl.socket());
        if (!socket.havePeerCertificate()) return identify_peer(nullptr, ca, address);
        Poco::Net::X509Certificate cert = socket.peerCertificate();
        return identify_peer(const_cast<X509*>(cert.certificate()), ca, address);
    } catch (const Poco::Exception&) {
        return identify_peer(nullptr, ca, address);  // not a TLS socket: no certificate
    }
}

class ApiHandler : public Poco::Net::HTTPRequestHandler {
public:
    ApiHandler(Api& api, const AgentCa& ca, std::atomic<int>& in_flight, bool verbose)
        : api_(api), ca_(ca), in_flight_(in_flight), verbose_(verbose) {}

    void handleRequest(HTTPServerRequest& req, HTTPServerResponse& resp) override {
        ++in_flight_;
        struct Done {
            std::atomic<int>& n;
            ~Done() { --n; }
        } done{in_flight_};
        Response out;
        try {
            out = process(req, resp);
        } catch (const std::exception& e) {
            out.status = 400;
            out.content_type = "application/json";
            out.body = json::error_body(e.what());
            resp.setKeepAlive(false);
        }
        if (out.status >= 400 || verbose_) {
            std::string reason = out.status >= 400 ? ": " + out.body : "";
            log_line(std::to_string(out.status) + " " + req.getMethod() + " " + req.getURI() + " from " +
                     req.clientAddress().host().toString() + reason);
        }
        try {
            write(out, resp);
        } catch (const std::exception& e) {
            log_line(std::string("cannot send response: ") + e.what());
        }
        if (out.status >= 400 && !resp.getKeepAlive()) linger(req);
    }

private:
    // Lingering close: a client still sending a refused body (it already got
    // "100 Continue" from Poco) would hit a reset and never read our 4xx, so
    // read and discard a bounded amount, for a bounded time, before closing.
    static void linger(HTTPServerRequest& req) {
        constexpr uint64_t kMaxDrain = 256ull << 20;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        char buf[65536];
        uint64_t drained = 0;
        try {
            std::istream& in = req.stream();
            while (drained < kMaxDrain && std::chrono::steady_clock::now() < deadline &&
                   in.read(buf, sizeof buf).gcount() > 0)
                drained += uint64_t(in.gcount());
        } catch (...) {
            // the client went away: nothing left to do
        }
    }

    Response process(HTTPServerRequest& req, HTTPServerResponse& resp) {
        Request r;
        r.method = req.getMethod();
        Poco::URI uri(req.getURI());
        r.path = uri.getPath();
        for (const auto& [k, v] : uri.getQueryParameters()) r.query[k] = v;
        for (const auto& [k, v] : req) r.headers[lower(k)] = v;
        if (req.hasContentLength()) r.content_length = static_cast<uint64_t>(req.getContentLength64());
        r.peer = peer_of(req, ca_);
        // Authentication and header checks come before any byte of the body is read.
        if (auto refused = api_.admit(r)) {
            resp.setKeepAlive(false);
            return *refused;
        }

        BodyPolicy policy = api_.body_policy(r);
        if (r.content_length && *r.content_length > policy.max_bytes) {
            resp.setKeepAlive(false);  // the unread body would be parsed as the next request
            return too_large(policy.max_bytes);
        }
        if (policy.stream) {
            r.body_stream = &req.stream();
            Response out = api_.handle(r);
            // An error before or during the upload may leave body bytes unread.
            if (out.status >= 400) resp.setKeepAlive(false);
            return out;
        }
        if (!read_bounded(req.stream(), policy.max_bytes, r.body)) {
            resp.setKeepAlive(false);
            return too_large(policy.max_bytes);
        }
        return api_.handle(r);
    }

    static Response too_large(uint64_t limit) {
        Response r;
        r.status = 413;
        r.body = json::error_body("body exceeds the limit of " + std::to_string(limit) + " bytes");
        return r;
    }

    static void write(const Response& out, HTTPServerResponse& resp) {
        resp.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(out.status));
        for (const auto& [k, v] : out.headers) resp.set(k, v);
        if (!out.file_path.empty()) {
            resp.sendFile(out.file_path, out.content_type);  // streams from disk, sets Content-Length
            return;
        }
        resp.setContentType(out.content_type);
        resp.sendBuffer(out.body.data(), out.body.size());
    }

    Api& api_;
    const AgentCa& ca_;
    std::atomic<int>& in_flight_;
    bool verbose_;
};

class HandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    HandlerFactory(Api& api, const AgentCa& ca, std::atomic<int>& in_flight, bool verbose)
        : api_(api), ca_(ca), in_flight_(in_flight), verbose_(verbose) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(const HTTPServerRequest&) override {
        return new ApiHandler(api_, ca_, in_flight_, verbose_);
    }

private:
    Api& api_;
    const AgentCa& ca_;
    std::atomic<int>& in_flight_;
    bool verbose_;
};

// Protocol policy and client-certificate trust come from client_trust.hpp (shared by every
// server implementation); Poco only loads the server certificate.
Poco::Net::Context::Ptr make_server_context(const TlsSettings& tls, const ClientTrust& trust) {
    using Poco::Net::Context;
    Context::Params p;
    p.certificateFile = tls.certificate;
    p.privateKeyFile = tls.private_key;
    p.verificationMode = Context::VERIFY_NONE;  // replaced by configure_client_verification
    p.loadDefaultCAs = false;
    p.cipherList = tls.ciphers;
    Context::Ptr ctx = new Context(Context::TLS_SERVER_USE, p);
    // Client certificates name agents, not hosts: no host name check (the chain is verified).
    ctx->enableExtendedCertificateVerification(false);
    ctx->enableSessionCache(false);
    apply_tls_policy(ctx->sslContext(), tls.min_version, tls.ciphers);
    configure_client_verification(ctx->sslContext(), trust);
    return ctx;
}

}  // namespace

int serve_poco(const CentralConfig& config, bool verbose) {
    const sigset_t signals = block_shutdown_signals();
    ServiceNotify service(common::SystemdNotifier::from_environment());  // before any thread

    ServerState state;
    Poco::Net::Context::Ptr ctx;
    if (!load_server_state(config, state, [&](const ServerState& st) {
            try {
                Poco::Net::initializeSSL();
                ctx = make_server_context(config.tls, st.trust);
                // Explicit handlers: without them Poco's SSLManager looks for an Application config.
                Poco::Net::SSLManager::instance().initializeServer(
                    nullptr, new Poco::Net::RejectCertificateHandler(true), ctx);
            } catch (const Poco::Exception& e) {
                throw std::runtime_error(e.displayText());
            }
        }))
        return 1;
    auto& storage = state.storage;
    auto& agent_ca = state.agent_ca;
    auto& revoked = state.revoked;
    static LoggingErrorHandler error_handler;
    Poco::ErrorHandler::set(&error_handler);

    TaskBroker broker;
    const auto task_watch = watch_tasks(config, broker);  // tasks created on other nodes (PostgreSQL)
    Api api(*storage, broker, *state.files, config.api, AgentTrust{agent_ca.get(), &revoked});
    std::atomic<int> in_flight{0};

    auto params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(config.server.max_threads);
    params->setMaxQueued(config.server.max_queued);
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(config.server.keep_alive_timeout_s, 0));
    // Bounds how long a silent peer can hold a thread in the TLS handshake or a body read
    // (and so how long SIGTERM may wait for such a peer).
    params->setTimeout(Poco::Timespan(config.server.io_timeout_s, 0));
    params->setServerName("vigil-central");
    Poco::ThreadPool pool("central", 2, config.server.max_threads, 60, 512 * 1024);

    std::unique_ptr<Poco::Net::HTTPServer> server;
    try {
        // SO_REUSEADDR but not SO_REUSEPORT (Poco's default): a second server on the same port
        // must fail instead of silently sharing the connections.
        Poco::Net::SecureServerSocket socket(ctx);
        socket.bind(Poco::Net::SocketAddress(config.server.address, config.server.port), true, false);
        socket.listen(256);
        server = std::make_unique<Poco::Net::HTTPServer>(new HandlerFactory(api, *agent_ca, in_flight, verbose), pool,
                                                         socket, params);
        server->start();
    } catch (const Poco::Exception& e) {
        log_line("cannot listen on " + config.server.address + ":" + std::to_string(config.server.port) +
                 ": " + e.displayText());
        return 1;
    }
    log_line("listening on https://" + config.server.address + ":" + std::to_string(config.server.port) +
             " (TLS >= " + config.tls.min_version + ", client certificate " +
             (config.tls.require_client_certificate ? "required" : "not required") + "), " +
             storage_description(config) + ", agent CA " + agent_ca->certificate_path() + " (" +
             std::to_string(revoked.size()) + " revoked certificates)");
    announce_ready(service, *storage, config.server.port);
    std::optional<TaskSweeper> sweeper(std::in_place, *storage, config.server.task_expiry_s);

    wait_for_shutdown(signals, service);
    server->stop();     // no new connections
    broker.shutdown();  // long polls answer now (with no tasks)
    // Let requests in progress finish (bounded), then close idle keep-alive connections.
    wait_while([&] { return in_flight.load() > 0; }, std::chrono::seconds(5));
    server->stopAll(true);
    wait_while([&] { return server->currentConnections() > 0; }, std::chrono::seconds(2));
    if (int n = server->currentConnections(); n > 0)
        log_line("waiting up to " + std::to_string(config.server.io_timeout_s) + " s for " +
                 std::to_string(n) + " stalled connections");
    pool.joinAll();
    server.reset();
    return finish_stop(sweeper, state);
}

}  // namespace vigil::central
