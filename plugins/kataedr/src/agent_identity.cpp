#include "agent_identity.hpp"

#include <rapidjson/document.h>
#include <sys/stat.h>
#include <vigil/common/json_parse.hpp>
#include <vigil/common/secret_file.hpp>
#include <vigil/json_writer.hpp>
#include <vigil/plugin.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>

#include "https_channel.hpp"

namespace vigil::kataedr {
namespace {

constexpr int64_t kRenewRetryS = 60;

std::string certificate_from(const std::string& body) {
    rapidjson::Document d;
    // The answer comes from the network: no recursion, bounded nesting.
    if (!vigil::common::parse_json_bounded(d, body).empty() || !d.IsObject() || !d.HasMember("certificate") || !d["certificate"].IsString())
        throw std::runtime_error("the central node's answer has no \"certificate\"");
    return d["certificate"].GetString();
}

}  // namespace

AgentIdentity::AgentIdentity(Options opt, LogFn log) : opt_(std::move(opt)), log_(std::move(log)) {}

void AgentIdentity::load(int64_t now_s) {
    std::shared_ptr<ClientCredential> c;
    try {
        c = load_credential(opt_.path);
    } catch (const std::exception& e) {
        fail(std::string("stored identity not used: ") + e.what());
        return;
    }
    if (!c) return;
    if (c->agent_id != opt_.agent_id) {
        fail("stored identity " + opt_.path + " is for agent \"" + c->agent_id + "\", not " + opt_.agent_id +
             "; enrolling again");
        return;
    }
    if (c->not_after_s <= now_s) {
        fail("stored certificate " + c->serial + " expired; enrolling again");
        return;
    }
    install(std::move(c));
}

std::shared_ptr<const ClientCredential> AgentIdentity::credential() const {
    std::lock_guard<std::mutex> g(mu_);
    return current_;
}

bool AgentIdentity::ensure(HttpsChannel& channel, int64_t now_s) {
    auto c = credential();
    if (c && c->not_after_s <= now_s) {
        fail("certificate " + c->serial + " expired; enrolling again");
        std::lock_guard<std::mutex> g(mu_);
        current_.reset();
        ++generation_;
        c.reset();
    }
    if (!c) return enroll(channel, now_s);
    if (now_s >= c->renew_after_s() && now_s - last_renew_attempt_s_ >= kRenewRetryS) {
        last_renew_attempt_s_ = now_s;
        renew(channel, now_s);  // on failure the current certificate keeps working until it expires
    }
    return true;
}

bool AgentIdentity::enroll(HttpsChannel& channel, int64_t) {
    if (opt_.token_file.empty()) {
        fail("not enrolled: set kataedr.enrollment_token_file (a token from `vigil-central enroll create`)");
        return false;
    }
    std::string token;
    try {
        token = vigil::common::read_secret_file(opt_.token_file);
    } catch (const std::exception& e) {
        fail(std::string("not enrolled: enrollment token: ") + e.what());
        return false;
    }
    if (!request_certificate(channel, "/api/v1/agent/enroll", "Bearer " + token)) return false;
    log_(VIGIL_LOG_INFO, "enrolled as agent " + opt_.agent_id + " (certificate " + credential()->serial + ")");
    return true;
}

bool AgentIdentity::renew(HttpsChannel& channel, int64_t) {
    std::string old = credential()->serial;
    if (!request_certificate(channel, "/api/v1/agent/renew", "")) return false;
    log_(VIGIL_LOG_INFO, "renewed certificate " + old + " as " + credential()->serial);
    return true;
}

bool AgentIdentity::request_certificate(HttpsChannel& channel, const std::string& path,
                                        const std::string& authorization) {
    try {
        auto key = new_key();  // a fresh key pair for every certificate; it never leaves the host
        HttpRequest req;
        req.method = "POST";
        req.path = path;
        req.content_type = "application/json";
        if (!authorization.empty()) req.headers.emplace_back("Authorization", authorization);
        std::string body = "{\"agent_id\":\"" + vigil::json_escape(opt_.agent_id) + "\",\"hostname\":\"" +
                           vigil::json_escape(opt_.hostname) + "\",\"csr\":\"" +
                           vigil::json_escape(make_csr(*key, opt_.agent_id)) + "\"}";
        req.body = body;
        HttpResponse r = channel.send(req);
        if (r.status != 200) {
            fail((path == "/api/v1/agent/enroll" ? "enrollment" : "renewal") + std::string(" refused: HTTP ") +
                 std::to_string(r.status) + " " + r.error_text());
            return false;
        }
        auto issued = with_certificate(*key, certificate_from(r.body), opt_.agent_id);
        std::filesystem::create_directories(std::filesystem::path(opt_.path).parent_path());
        ::chmod(std::filesystem::path(opt_.path).parent_path().c_str(), 0700);
        store_credential(opt_.path, *issued);
        install(std::move(issued));
        return true;
    } catch (const TransportError& e) {
        fail(std::string("cannot reach the central node to enroll: ") + e.what());
    } catch (const std::exception& e) {
        fail(e.what());
    }
    return false;
}

void AgentIdentity::install(std::shared_ptr<ClientCredential> c) {
    std::lock_guard<std::mutex> g(mu_);
    current_ = std::move(c);
    last_error_.clear();
    ++generation_;
}

void AgentIdentity::forget_revoked() {
    std::string serial;
    {
        std::lock_guard<std::mutex> g(mu_);
        if (!current_) return;
        serial = current_->serial;
        current_.reset();
        ++generation_;
    }
    std::rename(opt_.path.c_str(), (opt_.path + ".revoked").c_str());
    fail("certificate " + serial + " was revoked by the central node; enrolling again needs a new token");
}

void AgentIdentity::fail(const std::string& what) {
    {
        std::lock_guard<std::mutex> g(mu_);
        if (what == last_error_) return;  // said once, not on every retry
        last_error_ = what;
    }
    log_(VIGIL_LOG_WARN, what);
}

std::string AgentIdentity::status_json() const {
    std::lock_guard<std::mutex> g(mu_);
    std::string s = "{\"enrolled\":" + std::string(current_ ? "true" : "false");
    if (current_) {
        s += ",\"agent_id\":\"" + vigil::json_escape(current_->agent_id) + "\",\"serial\":\"" + current_->serial +
             "\",\"not_after_s\":" + std::to_string(current_->not_after_s) +
             ",\"renew_after_s\":" + std::to_string(current_->renew_after_s());
    }
    s += ",\"last_error\":" + (last_error_.empty() ? std::string("null") : "\"" + vigil::json_escape(last_error_) + "\"");
    return s + "}";
}

}  // namespace vigil::kataedr
