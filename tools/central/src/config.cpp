#include "config.hpp"

#include <openssl/ssl.h>
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <stdexcept>

#include <vigil/common/secret_file.hpp>

#include "auth_tokens.hpp"
#include "client_trust.hpp"
#include "pg_conn.hpp"

namespace vigil::central {
namespace {

class Reader {
public:
    Reader(std::string file, std::string base) : file_(std::move(file)), base_(std::move(base)) {}

    [[noreturn]] void fail(const std::string& key, const std::string& what) const {
        throw std::runtime_error(file_ + ": " + key + ": " + what);
    }

    // Rejects unknown keys: a typo must not silently fall back to a default.
    void known(const YAML::Node& node, const std::string& where, std::set<std::string> keys) const {
        if (!node || node.IsNull()) return;  // a section with only comments
        if (!node.IsMap()) fail(where, "must be a mapping");
        for (const auto& kv : node) {
            auto k = kv.first.as<std::string>();
            if (!keys.count(k)) fail(where.empty() ? k : where + "." + k, "unknown setting");
        }
    }

    template <typename T>
    void get(const YAML::Node& node, const std::string& where, const char* key, T& out) const {
        if (!node || !node[key] || node[key].IsNull()) return;
        try {
            out = node[key].as<T>();
        } catch (const YAML::Exception&) {
            fail(where + "." + key, "has the wrong type");
        }
    }

    template <typename T>
    void get_range(const YAML::Node& node, const std::string& where, const char* key, T& out, T min,
                   T max) const {
        get(node, where, key, out);
        if (out < min || out > max)
            fail(where + "." + key, "must be in " + std::to_string(min) + ".." + std::to_string(max));
    }

    void path(const YAML::Node& node, const std::string& where, const char* key, std::string& out) const {
        get(node, where, key, out);
        out = resolve(out);
    }

    std::string resolve(const std::string& p) const {
        if (p.empty() || p.front() == '/') return p;
        return (std::filesystem::path(base_) / p).lexically_normal().string();
    }

private:
    std::string file_;
    std::string base_;
};

// The same policy check the server applies to its TLS context, so check-config reports it.
std::optional<std::string> check_tls_policy(const TlsSettings& tls) {
    SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) return "cannot create a TLS context to check the settings";
    std::optional<std::string> why;
    try {
        apply_tls_policy(ctx, tls.min_version, tls.ciphers);
    } catch (const std::invalid_argument& e) {
        why = e.what();
    }
    SSL_CTX_free(ctx);
    return why;
}

void parse_listen_tls(const Reader& r, const YAML::Node& root, CentralConfig& c) {
    auto listen = root["listen"];
    r.known(listen, "listen", {"address", "port"});
    r.get(listen, "listen", "address", c.server.address);
    int port = c.server.port;
    r.get_range(listen, "listen", "port", port, 1, 65535);
    c.server.port = static_cast<uint16_t>(port);

    auto tls = root["tls"];
    r.known(
        tls, "tls",
        {"certificate", "private_key", "client_ca", "require_client_certificate", "min_version", "ciphers"});
    r.path(tls, "tls", "certificate", c.tls.certificate);
    r.path(tls, "tls", "private_key", c.tls.private_key);
    r.path(tls, "tls", "client_ca", c.tls.client_ca);
    r.get(tls, "tls", "require_client_certificate", c.tls.require_client_certificate);
    r.get(tls, "tls", "min_version", c.tls.min_version);
    r.get(tls, "tls", "ciphers", c.tls.ciphers);
    if (c.tls.min_version != "1.2" && c.tls.min_version != "1.3")
        r.fail("tls.min_version", "must be \"1.2\" or \"1.3\"");
    if (auto why = check_tls_policy(c.tls)) r.fail("tls", *why);
    if (c.tls.certificate.empty() || c.tls.private_key.empty())
        r.fail("tls", "certificate and private_key are required (make demo ones with tools/gen-certs DIR)");
    if (c.tls.require_client_certificate && c.tls.client_ca.empty())
        r.fail("tls.client_ca", "is required when require_client_certificate is true");

}

// storage.engine and the PostgreSQL keys; a key of the other engine is an error, not ignored.
void parse_engine(const Reader& r, const YAML::Node& storage, StorageSettings& s) {
    r.get(storage, "storage", "engine", s.engine);
    r.get(storage, "storage", "url", s.url);
    r.path(storage, "storage", "password_file", s.password_file);
    r.get_range(storage, "storage", "connections", s.connections, 1, 1000);
    r.get_range(storage, "storage", "retention_days", s.retention_days, 0, 100000);
    r.get_range(storage, "storage", "retention_check_s", s.retention_check_s, 1, 86400);
    r.get(storage, "storage", "max_database_gb", s.max_database_gb);
    if (!(s.max_database_gb >= 0 && s.max_database_gb <= 1e6))
        r.fail("storage.max_database_gb", "must be in 0..1000000 (GB, 0: no limit)");
    if (s.engine == "sqlite") {
        for (const char* key : {"url", "password_file", "connections"})
            if (storage && storage[key]) r.fail(std::string("storage.") + key, "applies to engine postgresql only");
        return;
    }
    if (s.engine != "postgresql") r.fail("storage.engine", "must be sqlite or postgresql");
    for (const char* key : {"database", "text_index", "cache_mib", "max_database_gb"})
        if (storage && storage[key]) r.fail(std::string("storage.") + key, "applies to engine sqlite only");
    if (s.url.empty())
        r.fail("storage.url", "is required for engine postgresql (e.g. postgresql://vigil@db.example/vigil)");
    if (auto why = pg::url_problem(s.url)) r.fail("storage.url", *why);
}

void parse_storage(const Reader& r, const YAML::Node& root, CentralConfig& c) {
    auto storage = root["storage"];
    r.known(storage, "storage",
            {"engine", "database", "files_dir", "text_index", "cache_mib", "url", "password_file", "connections",
             "retention_days", "retention_check_s", "max_database_gb"});
    parse_engine(r, storage, c.storage);
    c.database = "central.db";
    c.files_dir = "files";
    r.get(storage, "storage", "database", c.database);
    r.get(storage, "storage", "files_dir", c.files_dir);
    c.database = r.resolve(c.database);
    // The size metric reads the SQLite file; a PostgreSQL database has no file here.
    c.api.database_path = c.storage.engine == "sqlite" ? c.database : std::string();
    c.files_dir = r.resolve(c.files_dir);
    r.get(storage, "storage", "text_index", c.text_index);
    r.get_range(storage, "storage", "cache_mib", c.cache_mib, 1, 4096);

    auto agents = root["agents"];
    r.known(agents, "agents", {"ca_dir", "certificate_lifetime_s", "max_enrollment_expiry_s"});
    r.get(agents, "agents", "ca_dir", c.agent_ca_dir);
    r.get_range<int64_t>(agents, "agents", "certificate_lifetime_s", c.api.agent_cert_lifetime_s, 60,
                         5 * 365 * 86400);
    r.get_range<int64_t>(agents, "agents", "max_enrollment_expiry_s", c.api.max_enrollment_expiry_s, 60,
                         365 * 86400);
    // Default: next to the SQLite file, or (PostgreSQL, no file here) next to files_dir.
    const auto& beside = c.storage.engine == "sqlite" ? c.database : c.files_dir;
    c.agent_ca_dir = c.agent_ca_dir.empty() ? (std::filesystem::path(beside).parent_path() / "agent-ca").string()
                                            : r.resolve(c.agent_ca_dir);

}

void parse_limits(const Reader& r, const YAML::Node& root, CentralConfig& c) {
    auto limits = root["limits"];
    r.known(limits, "limits",
            {"max_body_bytes", "max_telemetry_bytes", "max_decompressed_bytes", "max_file_bytes",
             "max_events_per_batch", "max_values_per_batch", "max_event_bytes"});
    constexpr uint64_t kTiB = 1ull << 40;
    r.get_range<uint64_t>(limits, "limits", "max_body_bytes", c.api.max_body_bytes, 1024, kTiB);
    r.get_range<uint64_t>(limits, "limits", "max_telemetry_bytes", c.api.max_telemetry_bytes, 1024, kTiB);
    r.get_range<uint64_t>(limits, "limits", "max_decompressed_bytes", c.api.max_decompressed_bytes, 1024,
                          kTiB);
    r.get_range<uint64_t>(limits, "limits", "max_file_bytes", c.api.max_file_bytes, 0, kTiB);
    size_t max_events = c.api.batch.max_events;
    r.get_range<size_t>(limits, "limits", "max_events_per_batch", max_events, 1, 10000000);
    c.api.batch.max_events = max_events;
    r.get_range<uint64_t>(limits, "limits", "max_values_per_batch", c.api.batch.max_values, 1, 1ull << 32);
    r.get_range<uint64_t>(limits, "limits", "max_event_bytes", c.api.batch.max_event_bytes, 1024, 1ull << 30);

    auto server = root["server"];
    r.known(server, "server",
            {"max_threads", "max_queued", "keep_alive_timeout_s", "io_timeout_s", "sync_period_s", "io_threads",
             "worker_threads", "max_connections", "max_connections_per_address", "max_handshakes",
             "max_handshakes_per_address", "handshake_timeout_s", "header_timeout_s", "body_timeout_s",
             "min_body_rate", "memory_budget_bytes"});
    r.get_range(server, "server", "max_threads", c.server.max_threads, 4, 100000);
    r.get_range(server, "server", "max_queued", c.server.max_queued, 1, 1000000);
    r.get_range(server, "server", "keep_alive_timeout_s", c.server.keep_alive_timeout_s, 1, 3600);
    r.get_range(server, "server", "io_timeout_s", c.server.io_timeout_s, 1, 3600);
    r.get_range<int64_t>(server, "server", "sync_period_s", c.api.sync_period_s, 1, 86400);
    r.get_range(server, "server", "io_threads", c.server.io_threads, 0, 64);
    r.get_range(server, "server", "worker_threads", c.server.worker_threads, 1, 256);
    r.get_range(server, "server", "max_connections", c.server.max_connections, 1, 1000000);
    r.get_range(server, "server", "max_connections_per_address", c.server.max_connections_per_address, 1, 1000000);
    r.get_range(server, "server", "max_handshakes", c.server.max_handshakes, 1, 1000000);
    r.get_range(server, "server", "max_handshakes_per_address", c.server.max_handshakes_per_address, 1, 1000000);
    r.get_range(server, "server", "handshake_timeout_s", c.server.handshake_timeout_s, 1, 3600);
    r.get_range(server, "server", "header_timeout_s", c.server.header_timeout_s, 1, 3600);
    r.get_range(server, "server", "body_timeout_s", c.server.body_timeout_s, 1, 86400);
    r.get_range<uint64_t>(server, "server", "min_body_rate", c.server.min_body_rate, 1, 1ull << 40);
    r.get_range<uint64_t>(server, "server", "memory_budget_bytes", c.server.memory_budget_bytes, 1ull << 20,
                          1ull << 44);

}

void parse_tasks(const Reader& r, const YAML::Node& root, CentralConfig& c) {
    auto tasks = root["tasks"];
    r.known(tasks, "tasks",
            {"long_poll_default_s", "long_poll_max_s", "redelivery_grace_s", "default_timeout_s",
             "max_timeout_s", "expiry_s", "max_per_poll"});
    r.get_range<int64_t>(tasks, "tasks", "long_poll_max_s", c.api.long_poll_max_s, 1, 600);
    r.get_range<int64_t>(tasks, "tasks", "long_poll_default_s", c.api.long_poll_default_s, 0,
                         c.api.long_poll_max_s);
    r.get_range<int64_t>(tasks, "tasks", "redelivery_grace_s", c.api.task_redelivery_grace_s, 0, 86400);
    r.get_range<int64_t>(tasks, "tasks", "max_timeout_s", c.api.task_max_timeout_s, 1, 30 * 86400);
    r.get_range<int64_t>(tasks, "tasks", "default_timeout_s", c.api.task_default_timeout_s, 1,
                         c.api.task_max_timeout_s);
    r.get_range<int64_t>(tasks, "tasks", "expiry_s", c.server.task_expiry_s, 60, 365 * 86400);
    r.get_range<uint32_t>(tasks, "tasks", "max_per_poll", c.api.max_tasks_per_poll, 1, 10000);

}

// An operator from central.yaml: a name, a role and the token either in its own file (mode
// 0600, read and hashed here) or as its SHA-256. A plain token in the config is refused: the
// config ends up in backups and repositories.
OperatorCredential parse_operator(const Reader& r, const YAML::Node& t, std::string& token_file) {
    const std::string where = "operators.tokens[]";
    if (!t.IsMap())
        r.fail(where, "must be {name, role, token_file} or {name, role, token_sha256} (plain tokens are not accepted)");
    r.known(t, where, {"name", "role", "token", "token_file", "token_sha256"});
    if (t["token"])
        r.fail(where + ".token", "plain tokens are not accepted in the config: use token_file (mode 0600), "
                                 "token_sha256, or `vigil-central operator add NAME --role R`");
    OperatorCredential op;
    std::string role = "admin";
    r.get(t, where, "name", op.name);
    r.get(t, where, "role", role);
    r.path(t, where, "token_file", token_file);
    r.get(t, where, "token_sha256", op.token_sha256);
    if (op.name.empty() || op.name.size() > 64) r.fail(where + ".name", "required (1-64 characters)");
    auto parsed = role_from_string(role);
    if (!parsed) r.fail(where + ".role", "must be viewer, responder or admin");
    op.role = *parsed;
    if (token_file.empty() == op.token_sha256.empty())
        r.fail(where, "operator " + op.name + ": give exactly one of token_file and token_sha256");
    if (!token_file.empty()) {
        std::string token;
        try {
            token = vigil::common::read_secret_file(token_file);
        } catch (const std::exception& e) {
            r.fail(where + ".token_file", e.what());
        }
        if (double bits = estimated_entropy_bits(token); bits < kMinTokenBits)
            r.fail(where + ".token_file",
                   "the token in " + token_file + " has about " + std::to_string(static_cast<int>(bits)) +
                       " bits of randomness, at least 128 are needed (make one with `vigil-central operator add`)");
        op.token_sha256 = token_hash(token);
    } else if (op.token_sha256.size() != 64 ||
               op.token_sha256.find_first_not_of("0123456789abcdef") != std::string::npos) {
        r.fail(where + ".token_sha256", "must be 64 lower-case hex digits");
    }
    return op;
}

void parse_operators(const Reader& r, const YAML::Node& root, CentralConfig& c) {
    auto ops = root["operators"];
    r.known(ops, "operators", {"tokens"});
    if (!ops || !ops["tokens"] || ops["tokens"].IsNull()) return;
    if (!ops["tokens"].IsSequence()) r.fail("operators.tokens", "must be a list");
    for (const auto& t : ops["tokens"]) {
        std::string token_file;
        c.api.operators.push_back(parse_operator(r, t, token_file));
        if (c.cli.token_file.empty()) c.cli.token_file = token_file;  // the CLI's default credential
    }
}

void parse_console(const Reader& r, const YAML::Node& root, CentralConfig& c) {
    auto console = root["console"];
    r.known(console, "console", {"idle_timeout_s", "session_lifetime_s", "max_sessions", "public_origin"});
    auto& s = c.api.console;
    r.get_range<int64_t>(console, "console", "idle_timeout_s", s.idle_timeout_s, 60, 86400);
    r.get_range<int64_t>(console, "console", "session_lifetime_s", s.absolute_timeout_s, 60, 30 * 86400);
    r.get_range<size_t>(console, "console", "max_sessions", s.max_sessions, 1, 1000000);
    r.get(console, "console", "public_origin", s.public_origin);
    if (!s.public_origin.empty() &&
        (s.public_origin.rfind("https://", 0) != 0 || s.public_origin.find('/', 8) != std::string::npos))
        r.fail("console.public_origin", "must be https://host[:port] without a path");
}

void parse_cli(const Reader& r, const YAML::Node& root, CentralConfig& c) {
    auto cli = root["cli"];
    r.known(cli, "cli", {"url", "ca", "certificate", "private_key", "token_file"});
    r.get(cli, "cli", "url", c.cli.url);
    r.path(cli, "cli", "ca", c.cli.ca);
    r.path(cli, "cli", "certificate", c.cli.certificate);
    r.path(cli, "cli", "private_key", c.cli.private_key);
    std::string token_file;
    r.path(cli, "cli", "token_file", token_file);
    if (!token_file.empty()) c.cli.token_file = token_file;
    if (c.cli.url.empty()) {
        std::string host = c.server.address == "0.0.0.0" ? "127.0.0.1"
                           : c.server.address == "::"    ? "::1"
                                                         : c.server.address;
        if (host.find(':') != std::string::npos) host = "[" + host + "]";
        c.cli.url = "https://" + host + ":" + std::to_string(c.server.port);
    }
    if (c.cli.ca.empty()) c.cli.ca = c.tls.client_ca;
}

}  // namespace

CentralConfig load_config(const std::string& path) {
    YAML::Node root;
    if (std::ifstream probe(path); !probe)
        throw std::runtime_error("cannot read config " + path + ": " + std::strerror(errno));
    try {
        root = YAML::LoadFile(path);
    } catch (const YAML::Exception& e) {
        throw std::runtime_error(path + ": " + e.what());
    }
    CentralConfig c;
    c.path = path;
    auto base = std::filesystem::absolute(path).parent_path().string();
    Reader r(path, base);
    if (!root.IsMap()) r.fail("(root)", "must be a mapping");
    r.known(root, "",
            {"listen", "tls", "storage", "limits", "server", "tasks", "operators", "cli", "agents", "console"});
    parse_listen_tls(r, root, c);
    parse_storage(r, root, c);
    parse_limits(r, root, c);
    // Only SQLite's word index reads the events' gathered text.
    c.api.batch.gather_text = c.storage.engine == "sqlite" && c.text_index;
    parse_tasks(r, root, c);
    parse_operators(r, root, c);
    parse_console(r, root, c);
    parse_cli(r, root, c);
    return c;
}

}  // namespace vigil::central
