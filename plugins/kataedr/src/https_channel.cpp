#include "https_channel.hpp"

#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/StreamSocketImpl.h>
#include <Poco/Timespan.h>
#include <rapidjson/document.h>
#include <vigil/common/json_parse.hpp>
#include <sys/socket.h>

namespace vigil::kataedr {

std::string HttpResponse::error_text() const {
    rapidjson::Document d;
    if (vigil::common::parse_json_bounded(d, body).empty() && d.IsObject()) {
        auto it = d.FindMember("error");
        if (it != d.MemberEnd() && it->value.IsString()) return it->value.GetString();
    }
    return body.substr(0, 200);
}

HttpsChannel::HttpsChannel(std::shared_ptr<const ChannelConfig> config, ConnectionState* state)
    : config_(std::move(config)), state_(state), contexts_(config_->servers.size()) {}

HttpsChannel::~HttpsChannel() = default;

std::string HttpsChannel::current_server() const { return config_->servers[current_.load()].text; }

Poco::Net::Context::Ptr HttpsChannel::context_for(size_t index) {
    if (!contexts_[index]) {
        Poco::Net::Context::Params params;  // no default CAs: trust is exactly server_ca
        params.loadDefaultCAs = false;
        params.verificationMode = Poco::Net::Context::VERIFY_RELAXED;
        params.cipherList = kTls12Ciphers;  // TLS 1.2: ECDHE + AEAD only; TLS 1.3 suites are all AEAD
        Poco::Net::Context::Ptr ctx = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
        // Host/IP and pin checks are done by OpenSSL (TlsMaterial::configure),
        // which also gives precise failure texts; Poco's own check is redundant.
        ctx->enableExtendedCertificateVerification(false);
        auto own = config_->identity ? config_->identity->credential() : nullptr;
        config_->tls->configure(ctx->sslContext(), config_->servers[index].host, own.get());
        contexts_[index] = ctx;
    }
    return contexts_[index];
}

void HttpsChannel::abort() {
    aborted_ = true;
    std::lock_guard<std::mutex> g(mu_);
    if (session_) {
        // shutdown() (not close) wakes the owner thread blocked in a read or
        // connect without freeing anything underneath it.
        try {
            Poco::Net::StreamSocket& s = session_->socket();
            if (s.impl() && s.impl()->sockfd() >= 0) ::shutdown(s.impl()->sockfd(), SHUT_RDWR);
        } catch (...) {
        }
    }
}

void HttpsChannel::follow_identity() {
    if (!config_->identity) return;
    uint64_t gen = config_->identity->generation();
    if (gen == identity_generation_) return;
    std::lock_guard<std::mutex> g(mu_);
    session_.reset();
    contexts_.assign(contexts_.size(), nullptr);
    identity_generation_ = gen;
}

HttpResponse HttpsChannel::send(const HttpRequest& req) {
    follow_identity();
    const size_t n = config_->servers.size();
    // The server that answered last first, then all others in configured order.
    std::vector<size_t> order{current_.load()};
    for (size_t i = 0; i < n; ++i)
        if (i != order.front()) order.push_back(i);
    std::optional<TransportError> last;
    for (size_t index : order) {
        if (aborted_) throw TransportError("network", config_->servers[index].text, "connector is stopping");
        try {
            bool reused = false;
            {
                std::lock_guard<std::mutex> g(mu_);
                reused = session_ && session_index_ == index && session_->connected();
            }
            try {
                return send_to(index, req, false);
            } catch (const TransportError& e) {
                // A keep-alive connection the server closed meanwhile: retry once fresh.
                if (!reused || aborted_ || e.kind() == "tls") throw;
                return send_to(index, req, true);
            }
        } catch (const TransportError& e) {
            last = e;
            if (aborted_) throw;  // stopping: not a connection problem worth reporting
            if (state_) state_->failure(e.kind(), e.server(), e.what());
        }
    }
    throw *last;
}

namespace {

// Sends the request line, the headers and the body (streamed from body_stream when set).
void write_request(Poco::Net::HTTPSClientSession& session, const HttpRequest& req,
                   const std::string& agent_id) {
    Poco::Net::HTTPRequest hr(req.method, req.path, Poco::Net::HTTPMessage::HTTP_1_1);
    hr.setKeepAlive(true);
    hr.set("X-Vigil-Agent-Id", agent_id);
    hr.set("User-Agent", "vigil-kataedr/1");
    if (!req.content_type.empty()) hr.setContentType(req.content_type);
    if (!req.content_encoding.empty()) hr.set("Content-Encoding", req.content_encoding);
    for (const auto& [k, v] : req.headers) hr.set(k, v);
    if (req.body_stream) {
        hr.setContentLength64(Poco::Int64(req.body_length));
        req.body_stream->clear();
        req.body_stream->seekg(0);
        std::ostream& os = session.sendRequest(hr);
        char buf[65536];
        uint64_t left = req.body_length;
        while (left > 0 && os) {
            req.body_stream->read(buf, std::streamsize(std::min<uint64_t>(left, sizeof buf)));
            std::streamsize got = req.body_stream->gcount();
            if (got <= 0) throw std::runtime_error("upload file shrank while it was being sent");
            os.write(buf, got);
            left -= uint64_t(got);
        }
        os.flush();
    } else if (req.method == "POST" || req.method == "PUT" || !req.body.empty()) {
        hr.setContentLength64(Poco::Int64(req.body.size()));
        std::ostream& os = session.sendRequest(hr);
        os.write(req.body.data(), std::streamsize(req.body.size()));
        os.flush();
    } else {
        session.sendRequest(hr);
    }
}

}  // namespace

Poco::Net::HTTPSClientSession& HttpsChannel::session_for(size_t index, bool fresh) {
    const ServerUrl& server = config_->servers[index];
    const auto& cfg = *config_;
    std::lock_guard<std::mutex> g(mu_);
    if (fresh || !session_ || session_index_ != index) {
        session_.reset();
        auto s =
            std::make_unique<Poco::Net::HTTPSClientSession>(server.host, server.port, context_for(index));
        if (cfg.proxy) {
            Poco::Net::HTTPClientSession::ProxyConfig pc;
            pc.host = cfg.proxy->host;
            pc.port = cfg.proxy->port;
            pc.username = cfg.proxy->username;
            pc.password = cfg.proxy->password;
            pc.authMethod = cfg.proxy->username.empty() ? Poco::Net::HTTPClientSession::PROXY_AUTH_NONE
                                                        : Poco::Net::HTTPClientSession::PROXY_AUTH_HTTP_BASIC;
            s->setProxyConfig(pc);
        }
        s->setKeepAlive(true);
        session_ = std::move(s);
        session_index_ = index;
    }
    return *session_;
}

HttpResponse HttpsChannel::read_response(Poco::Net::HTTPSClientSession& session, const HttpRequest& req,
                                         const ServerUrl& server) {
    Poco::Net::HTTPResponse resp;
    std::istream& rs = session.receiveResponse(resp);
    HttpResponse out;
    out.status = int(resp.getStatus());
    out.server = server.text;
    char buf[16384];
    while (rs) {
        rs.read(buf, sizeof buf);
        out.body.append(buf, size_t(rs.gcount()));
        if (out.body.size() > req.max_response_bytes) {
            std::lock_guard<std::mutex> g(mu_);
            session_.reset();  // unread rest: the connection cannot be reused
            throw TransportError("protocol", server.text,
                                 "answer from " + server.text + " is larger than " +
                                     std::to_string(req.max_response_bytes) + " bytes");
        }
    }
    return out;
}

HttpResponse HttpsChannel::send_to(size_t index, const HttpRequest& req, bool fresh) {
    const ServerUrl& server = config_->servers[index];
    const auto& cfg = *config_;
    try {
        Poco::Net::HTTPSClientSession& session = session_for(index, fresh);
        uint32_t receive_s = req.receive_timeout_s ? req.receive_timeout_s : cfg.request_timeout_s;
        session.setTimeout(Poco::Timespan(long(cfg.connect_timeout_s), 0),
                           Poco::Timespan(long(cfg.request_timeout_s), 0),
                           Poco::Timespan(long(receive_s), 0));
        TlsMaterial::clear_verify_failure();
        write_request(session, req, cfg.agent_id);
        HttpResponse out = read_response(session, req, server);
        current_ = index;
        if (state_) state_->success(server.text);
        return out;
    } catch (const TransportError&) {
        throw;
    } catch (...) {
        // The session is in an unknown state after any failure: the next request connects anew.
        TransportError error = transport_error(server);
        std::lock_guard<std::mutex> g(mu_);
        session_.reset();
        throw error;
    }
}

TransportError HttpsChannel::transport_error(const ServerUrl& server) const {
    const auto& cfg = *config_;
    std::string via =
        cfg.proxy ? " via proxy " + cfg.proxy->host + ":" + std::to_string(cfg.proxy->port) : "";
    auto tls_error = [&](const std::string& text) {
        std::string hint = cfg.tls->hint_for(text);
        return TransportError(
            "tls", server.text,
            "TLS with " + server.text + via + " failed: " + text + (hint.empty() ? "" : " — " + hint));
    };
    try {
        throw;
    } catch (const Poco::Net::SSLException& e) {
        std::string detail = TlsMaterial::last_verify_failure();
        return tls_error(detail.empty() ? e.displayText() : detail + " [" + e.displayText() + "]");
    } catch (const Poco::Net::HTTPException& e) {
        return TransportError(cfg.proxy ? "proxy" : "protocol", server.text,
                              (cfg.proxy ? "proxy CONNECT to " + server.text + via + " failed: "
                                         : "HTTP exchange with " + server.text + " failed: ") +
                                  e.displayText());
    } catch (const Poco::Net::ConnectionRefusedException& e) {
        return TransportError(cfg.proxy ? "proxy" : "connect", server.text,
                              cfg.proxy ? "proxy " + cfg.proxy->host + ":" + std::to_string(cfg.proxy->port) +
                                              " refused the connection (for " + server.text + ")"
                                        : "connection to " + server.text + " refused");
    } catch (const Poco::TimeoutException& e) {
        return TransportError("timeout", server.text,
                              "timeout talking to " + server.text + via + ": " + e.displayText());
    } catch (const Poco::Exception& e) {
        std::string detail = TlsMaterial::last_verify_failure();
        if (!detail.empty()) return tls_error(detail);
        return TransportError("network", server.text,
                              aborted_
                                  ? "connector is stopping"
                                  : "network error talking to " + server.text + via + ": " + e.displayText());
    } catch (const std::exception& e) {
        return TransportError("network", server.text,
                              "error talking to " + server.text + via + ": " + e.what());
    }
}

}  // namespace vigil::kataedr
