// The agent's identity towards the central node: enrollment with a one-time token (key pair
// made here, CSR sent, certificate stored), automatic renewal at 2/3 of the certificate's
// life, and the current credential every HTTPS channel presents. Thread-safe: the uploader
// thread enrolls and renews; every channel reads credential() and rebuilds its TLS context
// when generation() changes.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "client_credential.hpp"

namespace vigil::kataedr {

class HttpsChannel;

class AgentIdentity {
public:
    using LogFn = std::function<void(int level, const std::string&)>;
    struct Options {
        std::string path;        // <state_dir>/identity/agent.pem
        std::string agent_id;
        std::string hostname;
        std::string token_file;  // enrollment_token_file ("" = none configured)
    };
    AgentIdentity(Options opt, LogFn log);

    // Loads the stored credential. One for another agent id, or expired, is not used (the
    // agent enrolls again); an unreadable one is reported and not used.
    void load(int64_t now_s);
    std::shared_ptr<const ClientCredential> credential() const;
    bool enrolled() const { return credential() != nullptr; }
    uint64_t generation() const { return generation_.load(); }

    // Enrolls when there is no usable credential, renews when it is due (at most one attempt
    // a minute). True when a usable credential is in place afterwards. Never throws.
    bool ensure(HttpsChannel& channel, int64_t now_s);
    // After the central node refused our certificate as revoked: forget it (kept aside as
    // agent.pem.revoked) so the agent enrolls again once a new token is in place.
    void forget_revoked();

    // {"enrolled":..,"agent_id":..,"serial":..,"not_after_s":..,"renew_after_s":..,"last_error":..}
    std::string status_json() const;

private:
    bool enroll(HttpsChannel& channel, int64_t now_s);
    bool renew(HttpsChannel& channel, int64_t now_s);
    // POSTs a CSR for a fresh key to `path`; installs the returned certificate.
    bool request_certificate(HttpsChannel& channel, const std::string& path, const std::string& authorization);
    void install(std::shared_ptr<ClientCredential> c);
    void fail(const std::string& what);

    Options opt_;
    LogFn log_;
    mutable std::mutex mu_;
    std::shared_ptr<const ClientCredential> current_;
    std::atomic<uint64_t> generation_{0};
    std::string last_error_;
    int64_t last_renew_attempt_s_ = 0;
};

}  // namespace vigil::kataedr
