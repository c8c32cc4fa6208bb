#pragma once
// A real vigil-central for the central benchmarks: demo certificates from tools/gen-certs, a
// config in a temporary directory (extra YAML appended), the server started with fork/exec
// and stopped with SIGTERM; plus a blocking mTLS client (Poco, keep-alive, with the
// certificate of agent kAgent from the server's agent CA) for control requests and uploads,
// and the operator token tools/gen-certs made. Used by central-agents and central-https.
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "bench_identity.hpp"

namespace vigil::central::bench {

class BenchServer {
public:
    // Starts the server and waits until it answers (throws with the log path otherwise).
    // `agent_ca_from`: another node's agent CA directory, copied first (nodes of one fleet
    // share it, so an agent's certificate is good on each).
    BenchServer(const std::string& name, const std::string& extra_yaml, const std::string& agent_ca_from = "");
    ~BenchServer();
    BenchServer(const BenchServer&) = delete;
    BenchServer& operator=(const BenchServer&) = delete;

    int port() const { return port_; }
    pid_t pid() const { return pid_; }
    const std::string& certs() const { return certs_; }
    const std::string& log_path() const { return log_; }
    const std::string& token() const { return token_; }
    std::string agent_ca_dir() const { return dir_ + "/agent-ca"; }
    const BenchIdentity& identity() const { return *identity_; }

    // One request on a keep-alive session: returns the status, the body into `reply`.
    int send(Poco::Net::HTTPSClientSession& s, const std::string& method, const std::string& path,
             const std::string& body, bool gzip_body, std::string& reply, const std::string& agent_id,
             const std::string& token = "") const;
    std::unique_ptr<Poco::Net::HTTPSClientSession> session() const;
    // Posts the gzip bodies (batches of `agent_id`) over `uploaders` keep-alive connections;
    // returns the seconds taken, `ok` false when any was refused.
    double upload(const std::vector<std::string>& bodies, int uploaders, const std::string& agent_id,
                  bool& ok) const;
    // The operator API's counter (`events`, `waiting_agents`, ...) from /api/v1/stats, or -1.
    long long stat(const std::string& name) const;

private:
    std::string dir_;
    std::string certs_;
    std::string log_;
    std::string token_;
    std::unique_ptr<BenchIdentity> identity_;
    int port_ = 0;
    pid_t pid_ = -1;
    Poco::Net::Context::Ptr ctx_;
};

}  // namespace vigil::central::bench
