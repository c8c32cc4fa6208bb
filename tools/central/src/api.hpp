#pragma once
// The REST API of the central node, independent of the HTTP library. The HTTP server
//  1. builds a `Request` from the request head, with `peer` filled from the verified TLS
//     client certificate (client_trust.hpp: identify_peer) and the peer address;
//  2. calls `Api::admit(head)` before reading any body: it authenticates the caller (agent
//     certificate, operator token, enrollment token), checks the headers and fills
//     `head.principal`; a returned Response is sent instead and the body is never read
//     (close the connection);
//  3. reads the body within `Api::body_policy(head)` and calls `Api::handle`.
// `handle` runs `admit` itself for a request that was not admitted (tests, fuzzers). Every
// handler validates its input and reports problems as 4xx with {"error": reason}.
#include <chrono>
#include <cstdint>
#include <functional>
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "central_metrics.hpp"
#include "console_session.hpp"
#include "file_store.hpp"
#include "memory_budget.hpp"
#include "peer_identity.hpp"
#include "revocation.hpp"
#include "storage.hpp"
#include "task_broker.hpp"
#include "telemetry.hpp"
#include "throttle.hpp"

namespace vigil::central {

class AgentCa;

// Operator roles, weakest first: viewer reads; responder also creates tasks except
// run_process, agent.* and raw <plugin>.<verb>, and downloads task files; admin does
// everything (any task type, enrollment, revocation, audit).
enum class Role { viewer = 1, responder = 2, admin = 3 };
const char* to_string(Role role);
std::optional<Role> role_from_string(std::string_view s);

// Whom an admitted request speaks for. Filled by Api::admit from the peer's certificate or
// the bearer token; handlers trust only this, never an id in a header or body.
struct Principal {
    enum class Kind { anonymous, agent, enrollment, operator_ };
    Kind kind = Kind::anonymous;
    std::string name;  // agent id, operator name, or enrollment token id
    Role role = Role::viewer;
    bool via_session = false;  // an operator by the console's session cookie, not a bearer token
};

// An operator configured in central.yaml (the token itself is never kept, only its hash).
struct OperatorCredential {
    std::string name;
    Role role = Role::admin;
    std::string token_sha256;
};

struct ApiSettings {
    uint64_t max_body_bytes = 1 << 20;               // JSON bodies other than telemetry
    uint64_t max_telemetry_bytes = 64ull << 20;      // compressed telemetry body
    uint64_t max_decompressed_bytes = 256ull << 20;  // telemetry after gunzip
    uint64_t max_file_bytes = 64ull << 20;           // get-file uploads
    BatchLimits batch;
    int64_t sync_period_s = 300;  // told to agents in the sync reply
    int64_t long_poll_default_s = 25;
    int64_t long_poll_max_s = 60;
    int64_t task_redelivery_grace_s = 60;
    int64_t task_default_timeout_s = 600;
    int64_t task_max_timeout_s = 86400;
    uint32_t max_tasks_per_poll = 100;
    std::vector<OperatorCredential> operators;  // from central.yaml; more live in the database
    int64_t agent_cert_lifetime_s = 30 * 86400;
    int64_t max_enrollment_expiry_s = 30 * 86400;
    std::string database_path;  // for the storage size metric (and its -wal file)
    ConsoleSettings console;    // the web console's sessions
};

// Where the console's files come from: the text of a file below /ui/ (a path valid_ui_path
// accepted), or nullopt. The server plugs in the files compiled into the binary.
using UiSource = std::function<std::optional<std::string>(std::string_view relative_path)>;

struct Request {
    std::string method;
    std::string path;                            // without query string
    std::map<std::string, std::string> query;    // decoded
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;                            // for bodies read by the glue
    std::istream* body_stream = nullptr;         // for streamed uploads
    std::optional<uint64_t> content_length;
    PeerIdentity peer;                   // from the TLS layer, never from headers
    std::optional<Principal> principal;  // set by Api::admit
    // The request's share of the server's memory budget; handlers that build large
    // structures from the body grow it (failure → 503). Null: no budget (tests, fuzzers).
    MemoryReservation* memory = nullptr;

    std::string header(const std::string& lower_name) const;
};

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::string file_path;  // when set: stream this file as the body
    std::map<std::string, std::string> headers;
};

// What the glue must do with a request body before calling handle().
struct BodyPolicy {
    bool stream = false;     // pass the body as a stream (file uploads)
    uint64_t max_bytes = 0;  // read at most this much; more → 413 before handle()
};

// What lets the API recognise agents: the agent CA and the revoked serials (both owned by
// the server, shared with its TLS layer). Without a CA no agent certificate is an identity.
struct AgentTrust {
    const AgentCa* agent_ca = nullptr;
    RevocationList* revoked = nullptr;  // `agents revoke` adds to it
};

// A long poll that found no task yet: what a server needs to wait for one without a thread
// (subscribe to the TaskBroker for agent_id after generation, and a timer for deadline).
struct PollWait {
    std::string agent_id;
    std::string certificate_serial;  // of the agent certificate it came with ("": none), rechecked for revocation
    uint64_t generation = 0;
    uint64_t ticket = 0;  // TaskBroker::begin_poll's: a newer poll of the agent supersedes this one
    std::chrono::steady_clock::time_point deadline;
};

// One step of a long poll: the reply when it is over, else the wait.
struct PollStep {
    std::optional<Response> reply;
    PollWait wait;
};

class Api {
public:
    Api(Storage& storage, TaskBroker& broker, FileStore& files, ApiSettings settings, AgentTrust trust = {});

    // Authenticates the request head (see the top of this file). Never throws.
    std::optional<Response> admit(Request& head);
    BodyPolicy body_policy(const Request& head) const { return body_policy(head.method, head.path); }
    BodyPolicy body_policy(const std::string& method, const std::string& path) const;
    // Never throws: errors become responses.
    Response handle(Request& request);
    Response handle(Request&& request) { return handle(request); }
    // The response for an error (ApiError → its status and reason, anything else → 500).
    static Response error_reply(const std::exception& error);

    // GET /api/v1/agent/tasks in steps, for a server without a thread per waiting request:
    // begin_poll admits (if not yet), validates and claims; continue_poll claims again after
    // a TaskBroker wake-up. Both answer (reply set) when tasks were claimed, the wait is
    // over, the server stops or the request is refused. Never throw. agent_poll_tasks (what
    // handle() runs) is the same loop, blocking.
    PollStep begin_poll(const Request& r);
    PollStep continue_poll(const PollWait& wait);
    static bool is_poll(const Request& r) {
        return r.method == "GET" && (r.path == "/api/v1/agent/tasks" || r.path == "/api/v1/agent/tasks/");
    }

    const ApiSettings& settings() const { return settings_; }
    // Serves the web console under /ui/ from `source` (without one, /ui/ is 404).
    void serve_ui(UiSource source) { ui_ = std::move(source); }
    // Counts the answered request (route template, status; telemetry batches) and returns it.
    // handle() does it itself; a server calls it for the answers it gives without handle()
    // (refusals before the body, long polls answered in steps).
    Response count(const Request& r, Response response, std::chrono::steady_clock::time_point started);

    // Individual endpoints, public for tests and the fuzzer. They throw ApiError.
    Response agent_sync(const Request& r);
    Response agent_telemetry(const Request& r);
    Response agent_poll_tasks(const Request& r);
    Response agent_task_result(const Request& r, const std::string& task_id);
    Response agent_task_file(const Request& r, const std::string& task_id);
    Response list_agents(const Request& r);
    Response query_events(const Request& r);
    Response create_task(const Request& r);
    Response list_tasks(const Request& r);
    Response show_task(const Request& r, const std::string& task_id);
    Response download_file(const Request& r, const std::string& task_id);
    Response stats(const Request& r);
    // Identity and administration (api_trust.cpp).
    Response agent_enroll(const Request& r);
    Response agent_renew(const Request& r);
    Response create_enrollment(const Request& r);
    Response list_enrollments(const Request& r);
    Response revoke_agent(const Request& r, const std::string& agent_id);
    Response query_audit(const Request& r);
    // The web console (console_api.cpp): its files, login, session, logout.
    Response ui_file(const Request& r);
    Response console_login(const Request& r);
    Response console_session(const Request& r);
    Response console_logout(const Request& r);
    Response list_detections(const Request& r);     // console_detections.cpp
    Response triage_detections(const Request& r);
    Response set_agent_labels(const Request& r, const std::string& agent_id);  // console_labels.cpp

    // Appends to the audit log as the request's principal, from its peer address.
    void audit(const Request& r, const std::string& action, const std::string& target, const std::string& detail,
               const std::string& outcome);
    // GET /metrics: Prometheus text for operators (any role), no per-agent labels.
    Response metrics(const Request& r);

private:
    static Response poll_reply(const std::vector<TaskRecord>& tasks);
    Response route(const Request& r);
    Response route_admin(const Request& r, const std::vector<std::string>& parts);
    void authenticate(Request& r);
    Principal authenticate_agent(const Request& r);
    Principal authenticate_operator(const Request& r);
    std::optional<Principal> operator_for_token_hash(const std::string& presented);
    Principal authenticate_session(const Request& r);
    std::optional<Response> route_console(const Request& r);
    Principal authenticate_enrollment(const Request& r);
    void refuse_identity(const Request& r, const std::string& claimed, const std::string& why);
    void check_throttle(const Request& r);
    Response issue_certificate(const std::string& agent_id, std::string_view csr, int64_t now_s,
                               std::optional<std::string> enrollment_token_hash, const std::string& hostname);
    // The authenticated agent of an admitted request (throws 401 otherwise); with
    // `must_exist`, an agent the storage does not know yet is 404 "sync first".
    std::string agent_of(const Request& r, bool must_exist);
    static void require_role(const Request& r, Role role);

    Storage& storage_;
    TaskBroker& broker_;
    FileStore& files_;
    ApiSettings settings_;
    AgentTrust trust_;
    FailureThrottle throttle_;
    CentralMetrics metrics_;
    SessionStore sessions_;
    UiSource ui_;
};

// JSON shape of a task as the operator API shows it.
std::string task_to_json(const TaskRecord& task);

}  // namespace vigil::central
