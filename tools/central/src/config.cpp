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

#include "client_trust.hpp"

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
    r.known(root, "", {"listen", "tls", "storage", "limits", "server", "tasks", "operators", "cli", "agents"});

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

    auto storage = root["storage"];
    r.known(storage, "storage", {"database", "files_dir", "text_index"});
    c.database = "central.db";
    c.files_dir = "files";
    r.get(storage, "storage", "database", c.database);
    r.get(storage, "storage", "files_dir", c.files_dir);
    c.database = r.resolve(c.database);
    c.api.database_path = c.database;
    c.files_dir = r.resolve(c.files_dir);
    r.get(storage, "storage", "text_index", c.text_index);

    auto agents = root["agents"];
    r.known(agents, "agents", {"ca_dir"});
    r.get(agents, "agents", "ca_dir", c.agent_ca_dir);
    c.agent_ca_dir = c.agent_ca_dir.empty()
                         ? (std::filesystem::path(c.database).parent_path() / "agent-ca").string()
                         : r.resolve(c.agent_ca_dir);

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
            {"max_threads", "max_queued", "keep_alive_timeout_s", "io_timeout_s", "sync_period_s"});
    r.get_range(server, "server", "max_threads", c.server.max_threads, 4, 100000);
    r.get_range(server, "server", "max_queued", c.server.max_queued, 1, 1000000);
    r.get_range(server, "server", "keep_alive_timeout_s", c.server.keep_alive_timeout_s, 1, 3600);
    r.get_range(server, "server", "io_timeout_s", c.server.io_timeout_s, 1, 3600);
    r.get_range<int64_t>(server, "server", "sync_period_s", c.api.sync_period_s, 1, 86400);

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

    auto ops = root["operators"];
    r.known(ops, "operators", {"tokens"});
    if (ops && ops["tokens"]) {
        if (!ops["tokens"].IsSequence()) r.fail("operators.tokens", "must be a list");
        for (const auto& t : ops["tokens"]) {
            std::string token;
            if (t.IsMap()) {
                r.known(t, "operators.tokens[]", {"name", "token", "token_file"});
                r.get(t, "operators.tokens[]", "token", token);
                std::string file;
                r.path(t, "operators.tokens[]", "token_file", file);
                if (!file.empty()) {
                    // A token kept in its own file (mode 0600) stays out of the config and of backups of it.
                    std::ifstream in(file);
                    if (!in) r.fail("operators.tokens[].token_file", "cannot read " + file);
                    std::getline(in, token);
                    while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back())))
                        token.pop_back();
                }
            } else {
                token = t.as<std::string>("");
            }
            if (token.size() < 16) r.fail("operators.tokens", "every token must have at least 16 characters");
            c.api.operator_tokens.push_back(token);
        }
    }

    auto cli = root["cli"];
    r.known(cli, "cli", {"url", "ca", "certificate", "private_key", "token"});
    r.get(cli, "cli", "url", c.cli.url);
    r.path(cli, "cli", "ca", c.cli.ca);
    r.path(cli, "cli", "certificate", c.cli.certificate);
    r.path(cli, "cli", "private_key", c.cli.private_key);
    r.get(cli, "cli", "token", c.cli.token);
    if (c.cli.url.empty()) {
        std::string host = c.server.address == "0.0.0.0" ? "127.0.0.1"
                           : c.server.address == "::"    ? "::1"
                                                         : c.server.address;
        if (host.find(':') != std::string::npos) host = "[" + host + "]";
        c.cli.url = "https://" + host + ":" + std::to_string(c.server.port);
    }
    if (c.cli.ca.empty()) c.cli.ca = c.tls.client_ca;
    if (c.cli.token.empty() && !c.api.operator_tokens.empty()) c.cli.token = c.api.operator_tokens.front();
    return c;
}

}  // namespace vigil::central
