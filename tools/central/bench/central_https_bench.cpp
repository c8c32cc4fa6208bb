// vigil-bench central-https: telemetry upload to a real vigil-central process over mTLS on
// loopback (certificates from tools/gen-certs), keep-alive connections like kataedr's.
// Reports stored events/s and CPU seconds per 100,000 events for the server and the
// uploading client; compare with central-ingest (the same batches in process, no TLS/HTTP).
// Options: --batches N (default 200), --events N per batch (default 1024),
//          --uploaders N (default 2), --text-index 0|1 (default 1).
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include <openssl/pem.h>

#include <ctime>

#include "agent_ca.hpp"
#include "bench.hpp"
#include "bench_batches.hpp"
#include "gzip.hpp"

namespace {

using vigil::bench::JsonLine;
using vigil::central::bench::kAgent;
namespace fs = std::filesystem;

// The bench agent's own key and certificate from the server's agent CA, made before the
// server starts (what enrollment would hand out): the uploads are authenticated like an
// enrolled agent's.
void issue_agent_certificate(const std::string& ca_dir, const std::string& out_dir) {
    auto ca = vigil::central::AgentCa::load_or_create(ca_dir);
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509_REQ* req = X509_REQ_new();
    X509_REQ_set_pubkey(req, key);
    X509_REQ_sign(req, key, EVP_sha256());
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509_REQ(bio, req);
    char* p = nullptr;
    long n = BIO_get_mem_data(bio, &p);
    auto issued = ca->issue(std::string(p, static_cast<size_t>(n)), kAgent, 86400, std::time(nullptr));
    BIO_free(bio);
    X509_REQ_free(req);
    std::ofstream(out_dir + "/agent.crt") << issued.pem;
    FILE* f = std::fopen((out_dir + "/agent.key").c_str(), "w");
    if (!f) throw std::runtime_error("cannot write the bench agent key");
    PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(f);
    EVP_PKEY_free(key);
}

int free_port() {
    Poco::Net::ServerSocket s(Poco::Net::SocketAddress("127.0.0.1", 0));
    return s.address().port();
}

struct Client {
    Poco::Net::Context::Ptr ctx;
    int port;

    // One request on a session (keep-alive); returns status, body into `reply`.
    int send(Poco::Net::HTTPSClientSession& s, const std::string& method, const std::string& path,
             const std::string& body, bool gzip_body, std::string& reply,
             const std::string& token = "") const {
        Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
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
};

}  // namespace

VIGIL_BENCH(central_https, "central-https",
            "telemetry upload to a real vigil-central over mTLS on loopback: events/s, CPU s per 100k "
            "(server, client)") {
    const int batches = static_cast<int>(args.get_int("batches", 200));
    const int per_batch = static_cast<int>(args.get_int("events", 1024));
    const int uploaders = static_cast<int>(args.get_int("uploaders", 2));
    const bool text_index = args.get_int("text-index", 1) != 0;
    const uint64_t total = static_cast<uint64_t>(batches) * static_cast<uint64_t>(per_batch);

    const fs::path dir = fs::temp_directory_path() / ("central_https_bench." + std::to_string(getpid()));
    fs::create_directories(dir);
    struct Cleanup {
        fs::path d;
        pid_t pid = -1;
        ~Cleanup() {
            if (pid > 0) {
                kill(pid, SIGTERM);
                int st = 0;
                waitpid(pid, &st, 0);
            }
            std::error_code ec;
            fs::remove_all(d, ec);
        }
    } cleanup{dir};

    const std::string certs = (dir / "certs").string();
    if (std::system(
            ("'" + std::string(VIGIL_SOURCE_DIR) + "/tools/gen-certs' '" + certs + "' >/dev/null").c_str()) !=
        0)
        throw std::runtime_error("tools/gen-certs failed");
    const int port = free_port();
    {
        std::ofstream cfg(dir / "central.yaml");
        cfg << "listen: {address: 127.0.0.1, port: " << port << "}\n"
            << "tls: {certificate: certs/server.crt, private_key: certs/server.key, client_ca: certs/ca.crt, "
               "require_client_certificate: true}\n"
            << "storage: {database: db/central.db, files_dir: db/files, text_index: "
            << (text_index ? "true" : "false") << "}\n"
            << "operators: {tokens: [{name: bench, role: admin, token_file: certs/operator.token}]}\n";
    }
    std::string token;
    std::getline(std::ifstream(certs + "/operator.token"), token);
    issue_agent_certificate((dir / "db" / "agent-ca").string(), certs);
    std::vector<std::string> bodies;
    for (int b = 0; b < batches; ++b)
        bodies.push_back(vigil::central::gzip(vigil::central::bench::make_batch(b, per_batch)));

    const std::string server_bin = std::string(VIGIL_BINARY_DIR) + "/bin/vigil-central";
    const std::string cfg_path = (dir / "central.yaml").string();
    const std::string log_path = (dir / "server.log").string();
    pid_t pid = fork();
    if (pid == 0) {
        FILE* log = std::fopen(log_path.c_str(), "w");
        if (log) dup2(fileno(log), 2);
        execl(server_bin.c_str(), "vigil-central", "serve", "--config", cfg_path.c_str(),
              static_cast<char*>(nullptr));
        _exit(127);
    }
    cleanup.pid = pid;

    Poco::Net::initializeSSL();
    Poco::Net::Context::Params p;
    p.caLocation = certs + "/ca.crt";
    p.certificateFile = certs + "/agent.crt";
    p.privateKeyFile = certs + "/agent.key";
    p.verificationMode = Poco::Net::Context::VERIFY_RELAXED;
    Client client{new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, p), port};
    client.ctx->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    Poco::Net::SSLManager::instance().initializeClient(
        nullptr, new Poco::Net::RejectCertificateHandler(false), client.ctx);

    // Wait for the server, then register the agent.
    std::string reply;
    const std::string sync = std::string("{\"agent_id\":\"") + kAgent + "\",\"hostname\":\"bench-host\"}";
    bool up = false;
    for (int i = 0; i < 100 && !up; ++i) {
        try {
            Poco::Net::HTTPSClientSession s("127.0.0.1", static_cast<Poco::UInt16>(port), client.ctx);
            up = client.send(s, "POST", "/api/v1/agent/sync", sync, false, reply) == 200;
        } catch (const Poco::Exception&) {
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    if (!up) throw std::runtime_error("vigil-central did not start (see its log: " + log_path + ")");

    std::atomic<bool> failed{false};
    const double server_cpu0 = vigil::bench::pid_cpu_s(pid);
    const double client_cpu0 = vigil::bench::self_cpu_s();
    const double t0 = vigil::bench::now_s();
    std::vector<std::thread> threads;
    for (int u = 0; u < uploaders; ++u) {
        threads.emplace_back([&, u] {
            try {
                Poco::Net::HTTPSClientSession s("127.0.0.1", static_cast<Poco::UInt16>(port), client.ctx);
                s.setKeepAlive(true);
                std::string r;
                for (size_t i = static_cast<size_t>(u); i < bodies.size();
                     i += static_cast<size_t>(uploaders)) {
                    if (client.send(s, "POST", "/api/v1/agent/telemetry", bodies[i], true, r) != 200)
                        failed = true;
                }
            } catch (const Poco::Exception& e) {
                std::fprintf(stderr, "upload failed: %s\n", e.displayText().c_str());
                failed = true;
            }
        });
    }
    for (auto& t : threads) t.join();
    const double seconds = vigil::bench::now_s() - t0;
    const double server_cpu = vigil::bench::pid_cpu_s(pid) - server_cpu0;
    const double client_cpu = vigil::bench::self_cpu_s() - client_cpu0;
    long server_rss = vigil::bench::rss_kib(pid);

    // What the server actually stored (the number the end-to-end bench also reads).
    long long rows = -1;
    {
        Poco::Net::HTTPSClientSession s("127.0.0.1", static_cast<Poco::UInt16>(port), client.ctx);
        if (client.send(s, "GET", "/api/v1/stats", "", false, reply, token) == 200) {
            auto pos = reply.find("\"events\":");
            if (pos != std::string::npos) rows = std::stoll(reply.substr(pos + 9));
        }
    }
    if (rows != static_cast<long long>(total)) failed = true;

    JsonLine()
        .kv("bench", "central-https")
        .kv("transport", "https+mtls loopback, keep-alive")
        .kv("text_index", text_index)
        .kv("uploaders", static_cast<long long>(uploaders))
        .kv("events", static_cast<long long>(total))
        .kv("stored_rows", rows)
        .kv("ok", !failed.load())
        .kv("events_per_s", double(total) / seconds)
        .kv("server_cpu_s_per_100k", server_cpu / double(total) * 1e5)
        .kv("client_cpu_s_per_100k", client_cpu / double(total) * 1e5)
        .kv("server_rss_kib", static_cast<long long>(server_rss))
        .print();
    return failed ? 1 : 0;
}
