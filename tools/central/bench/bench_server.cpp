#include "bench_server.hpp"

#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "bench_batches.hpp"

namespace vigil::central::bench {
namespace fs = std::filesystem;

namespace {
int free_port() {
    Poco::Net::ServerSocket s(Poco::Net::SocketAddress("127.0.0.1", 0));
    return s.address().port();
}
}  // namespace

BenchServer::BenchServer(const std::string& name, const std::string& extra_yaml, const std::string& agent_ca_from) {
    dir_ = (fs::temp_directory_path() / (name + "." + std::to_string(getpid()))).string();
    fs::create_directories(dir_);
    certs_ = dir_ + "/certs";
    log_ = dir_ + "/server.log";
    if (std::system(
            ("'" + std::string(VIGIL_SOURCE_DIR) + "/tools/gen-certs' '" + certs_ + "' >/dev/null").c_str()))
        throw std::runtime_error("tools/gen-certs failed");
    port_ = free_port();
    {
        std::ofstream cfg(dir_ + "/central.yaml");
        cfg << "listen: {address: 127.0.0.1, port: " << port_ << "}\n"
            << "tls: {certificate: certs/server.crt, private_key: certs/server.key, client_ca: certs/ca.crt, "
               "require_client_certificate: true}\n"
            << "agents: {ca_dir: agent-ca}\n"
            << "operators: {tokens: [{name: bench, role: admin, token_file: certs/operator.token}]}\n"
            << extra_yaml;
    }
    std::getline(std::ifstream(certs_ + "/operator.token"), token_);
    // The agent CA exists before the server starts, which loads it.
    if (!agent_ca_from.empty()) fs::copy(agent_ca_from, agent_ca_dir(), fs::copy_options::recursive);
    identity_ = std::make_unique<BenchIdentity>(dir_ + "/agent-ca");
    identity_->write_pem(kAgent, certs_ + "/agent.crt", certs_ + "/agent.key");
    const std::string bin = std::string(VIGIL_BINARY_DIR) + "/bin/vigil-central";
    const std::string cfg = dir_ + "/central.yaml";
    pid_ = fork();
    if (pid_ == 0) {
        if (FILE* log = std::fopen(log_.c_str(), "w")) dup2(fileno(log), 2);
        execl(bin.c_str(), "vigil-central", "serve", "--config", cfg.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    Poco::Net::initializeSSL();
    Poco::Net::Context::Params p;
    p.caLocation = certs_ + "/ca.crt";
    p.certificateFile = certs_ + "/agent.crt";
    p.privateKeyFile = certs_ + "/agent.key";
    p.verificationMode = Poco::Net::Context::VERIFY_RELAXED;
    ctx_ = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, p);
    ctx_->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    Poco::Net::SSLManager::instance().initializeClient(nullptr,
                                                       new Poco::Net::RejectCertificateHandler(false), ctx_);
    for (int i = 0; i < 200; ++i) {
        try {
            auto s = session();
            std::string reply;
            if (send(*s, "GET", "/api/v1/health", "", false, reply, "") == 200) return;
        } catch (const Poco::Exception&) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    throw std::runtime_error("vigil-central did not start (see its log: " + log_ + ")");
}

BenchServer::~BenchServer() {
    if (pid_ > 0) {
        kill(pid_, SIGTERM);
        int st = 0;
        waitpid(pid_, &st, 0);
    }
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

std::unique_ptr<Poco::Net::HTTPSClientSession> BenchServer::session() const {
    auto s = std::make_unique<Poco::Net::HTTPSClientSession>("127.0.0.1", static_cast<Poco::UInt16>(port_), ctx_);
    s->setKeepAlive(true);
    return s;
}

int BenchServer::send(Poco::Net::HTTPSClientSession& s, const std::string& method, const std::string& path,
                      const std::string& body, bool gzip_body, std::string& reply,
                      const std::string& agent_id, const std::string& token) const {
    Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!agent_id.empty()) req.set("X-Vigil-Agent-Id", agent_id);
    if (!token.empty()) req.set("Authorization", "Bearer " + token);
    req.setKeepAlive(true);
    if (!body.empty()) {
        req.setContentType("application/json");
        if (gzip_body) req.set("Content-Encoding", "gzip");
        req.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    s.sendRequest(req) << body;
    Poco::Net::HTTPResponse resp;
    std::istream& in = s.receiveResponse(resp);
    reply.clear();
    Poco::StreamCopier::copyToString(in, reply);
    return resp.getStatus();
}

double BenchServer::upload(const std::vector<std::string>& bodies, int uploaders, const std::string& agent_id,
                           bool& ok) const {
    std::atomic<bool> failed{false};
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (int u = 0; u < uploaders; ++u) {
        threads.emplace_back([&, u] {
            try {
                auto s = session();
                std::string r;
                for (size_t i = static_cast<size_t>(u); i < bodies.size();
                     i += static_cast<size_t>(uploaders))
                    if (send(*s, "POST", "/api/v1/agent/telemetry", bodies[i], true, r, agent_id) != 200)
                        failed = true;
            } catch (const Poco::Exception& e) {
                std::fprintf(stderr, "upload failed: %s\n", e.displayText().c_str());
                failed = true;
            }
        });
    }
    for (auto& t : threads) t.join();
    ok = !failed;
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

long long BenchServer::stat(const std::string& name) const {
    try {
        auto s = session();
        std::string reply;
        if (send(*s, "GET", "/api/v1/stats", "", false, reply, "", token_) != 200) return -1;
        auto pos = reply.find("\"" + name + "\":");
        return pos == std::string::npos ? -1 : std::stoll(reply.substr(pos + name.size() + 3));
    } catch (const std::exception&) {
        return -1;
    }
}

}  // namespace vigil::central::bench
