#include "cli_client.hpp"

#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include <mutex>
#include <sstream>
#include <stdexcept>

namespace vigil::central {
namespace {

// One context per process: the CLI talks to one server with one set of credentials.
Poco::Net::Context::Ptr client_context(const ClientOptions& o) {
    using Poco::Net::Context;
    static std::mutex mutex;
    static Context::Ptr cached;
    std::lock_guard lock(mutex);
    if (cached) return cached;
    Poco::Net::initializeSSL();
    Context::Params p;
    p.caLocation = o.ca;
    p.loadDefaultCAs = o.ca.empty();
    p.certificateFile = o.certificate;
    p.privateKeyFile = o.private_key.empty() ? o.certificate : o.private_key;
    if (o.certificate.empty()) p.privateKeyFile.clear();
    // RELAXED: the server chain is verified; Poco additionally checks the host name except
    // for loopback addresses.
    p.verificationMode = Context::VERIFY_RELAXED;
    Context::Ptr ctx = new Context(Context::TLS_CLIENT_USE, p);
    ctx->requireMinimumProtocol(Context::PROTO_TLSV1_2);
    Poco::Net::SSLManager::instance().initializeClient(nullptr,
                                                       new Poco::Net::RejectCertificateHandler(false), ctx);
    cached = ctx;
    return ctx;
}

}  // namespace

std::string url_encode(const std::string& s) {
    std::string out;
    Poco::URI::encode(s, "!#$&'()*+,/:;=?@[]% ", out);
    return out;
}

CentralClient::CentralClient(ClientOptions options) : options_(std::move(options)) {}

HttpReply CentralClient::request(const std::string& method, const std::string& path, const std::string& body,
                                 const std::string& content_type) {
    std::ostringstream sink;
    HttpReply reply;
    Poco::URI uri(options_.url);
    if (uri.getScheme() != "https")
        throw std::runtime_error("server URL must be https://host:port, got " + options_.url);
    try {
        Poco::Net::HTTPSClientSession session(uri.getHost(), uri.getPort(), client_context(options_));
        session.setTimeout(Poco::Timespan(options_.timeout_s, 0));
        Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
        if (!options_.token.empty()) req.set("Authorization", "Bearer " + options_.token);
        if (!body.empty() || method == "POST" || method == "PUT") {
            req.setContentType(content_type);
            req.setContentLength(static_cast<std::streamsize>(body.size()));
        }
        session.sendRequest(req) << body;
        Poco::Net::HTTPResponse resp;
        std::istream& in = session.receiveResponse(resp);
        reply.status = resp.getStatus();
        reply.sha256_header = resp.get("X-Vigil-Sha256", "");
        Poco::StreamCopier::copyToString(in, reply.body);
    } catch (const Poco::Exception& e) {
        throw std::runtime_error("cannot reach " + options_.url + ": " + e.displayText());
    }
    return reply;
}

HttpReply CentralClient::download(const std::string& path, std::ostream& out) {
    HttpReply reply;
    Poco::URI uri(options_.url);
    try {
        Poco::Net::HTTPSClientSession session(uri.getHost(), uri.getPort(), client_context(options_));
        session.setTimeout(Poco::Timespan(options_.timeout_s, 0));
        Poco::Net::HTTPRequest req("GET", path, Poco::Net::HTTPMessage::HTTP_1_1);
        if (!options_.token.empty()) req.set("Authorization", "Bearer " + options_.token);
        session.sendRequest(req);
        Poco::Net::HTTPResponse resp;
        std::istream& in = session.receiveResponse(resp);
        reply.status = resp.getStatus();
        reply.sha256_header = resp.get("X-Vigil-Sha256", "");
        if (reply.status / 100 == 2) {
            Poco::StreamCopier::copyStream64(in, out);
        } else {
            Poco::StreamCopier::copyToString(in, reply.body);
        }
    } catch (const Poco::Exception& e) {
        throw std::runtime_error("cannot reach " + options_.url + ": " + e.displayText());
    }
    return reply;
}

}  // namespace vigil::central
