// libFuzzer target for the central node's endpoint handlers other than telemetry, one
// handler per run: VIGIL_FUZZ_VARIANT = sync | task_create | result | upload | enroll | csr |
// query | time_spec | console (each is its own ctest entry, central_fuzz_api_<handler>, with its own corpus). `csr` feeds the input as
// the certificate request of an otherwise valid enrollment (PEM as is, anything else as the
// DER inside PEM armour), so the PKCS#10 parsing and checks of the agent CA are reached. Requests go through
// Api::handle with admission, as the HTTP server sends them, into a temporary SQLite database
// with an enrolled agent, a delivered task and an enrollment token. Any 5xx, a reply that is
// not a JSON object, or a sanitizer report is a failure. `console`: the first byte picks the
// console's agent labels (even) or detection triage (odd) body, the rest is that body.
#include <openssl/evp.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>

#include "auth_tokens.hpp"
#include "fuzz_central.hpp"
#include "json.hpp"
#include "time_spec.hpp"

using namespace vigil::central;

namespace {

using fuzz::kFuzzAgent;

// Admin and enrollment secrets are made before the backend, whose settings hold the admin's.
struct Secrets {
    std::string admin = new_secret_token("vgo_");
    std::string enroll = new_secret_token("vge_");
};

ApiSettings api_settings(const std::string& admin) {
    ApiSettings s;
    s.operators = {OperatorCredential{"fuzz", Role::admin, token_hash(admin)}};
    s.max_file_bytes = 1 << 20;
    return s;
}

struct Fixture : Secrets, fuzz::FuzzCentral {
    std::string task_id;
    uint64_t n = 0;

    Fixture() : fuzz::FuzzCentral("central_fuzz_api", api_settings(admin), true, true) {
        storage->insert_enrollment(
            EnrollmentToken{"fuzz0000", token_hash(enroll), "agent", 1000000000, 0, 1, INT64_MAX, "fuzz"});
        TaskRecord t;
        t.id = task_id = "0123456789abcdef0123456789abcdef";
        t.agent_id = kFuzzAgent;
        t.type = "get_file";
        t.created_ns = now_ns();
        storage->insert_task(t);
        storage->claim_tasks(kFuzzAgent, now_ns(), 60, 100);
    }

    Request request(const std::string& method, const std::string& path) {
        Request r;
        r.method = method;
        r.path = path;
        r.headers["content-type"] = "application/json";
        // A new address per input: the failure throttle must not hide the handlers from the fuzzer.
        r.peer.remote_address = "10." + std::to_string((n >> 16) & 255) + "." + std::to_string((n >> 8) & 255) + "." +
                                std::to_string(n & 255);
        ++n;
        return r;
    }
    Request as_agent(const std::string& method, const std::string& path) {
        Request r = request(method, path);
        r.peer = PeerIdentity{r.peer.remote_address, true, true, kFuzzAgent, "01", INT64_MAX};
        return r;
    }
    Request as_admin(const std::string& method, const std::string& path) {
        Request r = request(method, path);
        r.headers["authorization"] = "Bearer " + admin;
        return r;
    }
};

Fixture& fixture() {
    static Fixture f;
    return f;
}

void expect_sane(const Response& r) {
    bool bad = r.status >= 500 || r.status < 200 || (r.file_path.empty() && (r.body.empty() || r.body.front() != '{'));
    if (!bad) return;
    std::fprintf(stderr, "reply %d: %s\n", r.status, r.body.substr(0, 500).c_str());
    std::abort();
}

// "k=v&k=v" (no decoding: the HTTP layer has decoded already) into the query map.
void split_query(const std::string& text, Request& r) {
    std::istringstream in(text);
    std::string pair;
    while (std::getline(in, pair, '&')) {
        auto eq = pair.find('=');
        r.query[pair.substr(0, eq)] = eq == std::string::npos ? "" : pair.substr(eq + 1);
    }
}

// The enrollment body for the `csr` handler: a fresh agent id per input (an id enrolled once
// is 409), the input as the CSR.
std::string csr_enrollment(const std::string& data, uint64_t n) {
    std::string pem = data;
    if (data.rfind("-----BEGIN", 0) != 0) {
        std::string b64(4 * ((data.size() + 2) / 3) + 1, '\0');
        int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()),
                                  reinterpret_cast<const unsigned char*>(data.data()), static_cast<int>(data.size()));
        b64.resize(static_cast<size_t>(len));
        pem = "-----BEGIN CERTIFICATE REQUEST-----\n";
        for (size_t i = 0; i < b64.size(); i += 64) pem += b64.substr(i, 64) + "\n";
        pem += "-----END CERTIFICATE REQUEST-----\n";
    }
    return "{\"agent_id\":\"fuzz-csr-" + std::to_string(n) + "\",\"hostname\":\"h\",\"csr\":" + json::quote(pem) + "}";
}

void run(const std::string& handler, const std::string& data) {
    Fixture& f = fixture();
    if (handler == "time_spec") {
        auto t = parse_time_spec(data, now_ns());
        (void)t;
        return;
    }
    Request r;
    if (handler == "sync") {
        r = f.as_agent("POST", "/api/v1/agent/sync");
    } else if (handler == "task_create") {
        r = f.as_admin("POST", "/api/v1/tasks");
    } else if (handler == "result") {
        r = f.as_agent("POST", "/api/v1/agent/tasks/" + f.task_id + "/result");
    } else if (handler == "enroll") {
        r = f.request("POST", "/api/v1/agent/enroll");
        r.headers["authorization"] = "Bearer " + f.enroll;
    } else if (handler == "csr") {
        r = f.request("POST", "/api/v1/agent/enroll");
        r.headers["authorization"] = "Bearer " + f.enroll;
        r.body = csr_enrollment(data, f.n);
        expect_sane(f.api->handle(r));
        return;
    } else if (handler == "console") {
        const bool labels = data.empty() || static_cast<unsigned char>(data[0]) % 2 == 0;
        r = f.as_admin("POST", labels ? std::string("/api/v1/agents/") + kFuzzAgent + "/labels" : "/api/v1/detections/triage");
        r.body = data.empty() ? data : data.substr(1);
        expect_sane(f.api->handle(r));
        return;
    } else if (handler == "query") {
        static const char* paths[] = {"/api/v1/events", "/api/v1/tasks",  "/api/v1/audit", "/api/v1/enrollments",
                                      "/api/v1/agents", "/api/v1/detections", "/api/v1/process_tree"};
        r = f.as_admin("GET", paths[data.empty() ? 0 : static_cast<unsigned char>(data[0]) % 7]);
        split_query(data.empty() ? data : data.substr(1), r);
    } else if (handler == "upload") {
        // First line: the X-Vigil-Sha256 header; the rest: the file.
        auto nl = data.find('\n');
        std::string body = nl == std::string::npos ? "" : data.substr(nl + 1);
        std::istringstream in(body);
        r = f.as_agent("PUT", "/api/v1/agent/tasks/" + f.task_id + "/file");
        r.headers["content-type"] = "application/octet-stream";
        r.headers["x-vigil-sha256"] = data.substr(0, nl);
        r.body_stream = &in;
        r.content_length = body.size();
        expect_sane(f.api->handle(r));
        return;
    } else {
        std::fprintf(stderr, "unknown VIGIL_FUZZ_VARIANT %s\n", handler.c_str());
        std::abort();
    }
    if (handler != "query") r.body = data;
    expect_sane(f.api->handle(r));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const std::string handler = [] {
        const char* h = std::getenv("VIGIL_FUZZ_VARIANT");
        return std::string(h ? h : "sync");
    }();
    run(handler, std::string(reinterpret_cast<const char*>(data), size));
    return 0;
}
