#pragma once
// central.yaml: listen address, TLS, storage, limits, operator tokens and CLI defaults.
// Relative paths are resolved against the directory of the config file.
#include <cstdint>
#include <string>

#include "api.hpp"

namespace vigil::central {

struct TlsSettings {
    std::string certificate;
    std::string private_key;
    std::string client_ca;  // the optional shared (KATA-style) client CA; agents enroll with it
    bool require_client_certificate = false;
    std::string min_version = "1.2";  // "1.2" or "1.3"; TLS 1.3 is always offered
    std::string ciphers = "ECDHE+AESGCM:ECDHE+CHACHA20";  // TLS 1.2: ECDHE + AEAD only
};

struct ServerSettings {
    std::string address = "127.0.0.1";
    uint16_t port = 8443;
    // The event-driven server (the default).
    int io_threads = 0;                     // TLS and HTTP I/O; 0 = one per core, at most 4
    int worker_threads = 4;                 // run the API and storage beside the I/O threads
    int max_connections = 20000;            // open connections in total (long-polling agents hold one each)
    int max_connections_per_address = 256;  // from one source address
    int max_handshakes = 1024;              // connections still in the TLS handshake
    int max_handshakes_per_address = 32;
    int handshake_timeout_s = 10;           // accept → TLS established
    int header_timeout_s = 10;              // first byte of a request → end of its head
    int keep_alive_timeout_s = 75;          // idle between requests (> long_poll_max_s)
    int body_timeout_s = 600;               // longest a request body or an answer may take
    uint64_t min_body_rate = 8192;          // bytes/s a body or answer must average (after 10 s)
    uint64_t memory_budget_bytes = 256ull << 20;  // request bodies and parsed batches, all requests together
    // The thread-per-connection Poco server (VIGIL_CENTRAL_SERVER=poco, until it is removed).
    int max_threads = 512;
    int max_queued = 1024;
    int io_timeout_s = 15;
    int64_t task_expiry_s = 86400;  // pending/delivered tasks older than this become expired
};

struct CliSettings {
    std::string url;          // default https://<address>:<port>
    std::string ca;           // default tls.client_ca
    std::string certificate;  // client certificate (PEM) when the server requires one
    std::string private_key;
    std::string token_file;  // operator token (file mode 0600); default: the first operator's token_file
};

// Where the central node keeps its data: one SQLite file (the default), or a PostgreSQL
// database that several central nodes share.
struct StorageSettings {
    std::string engine = "sqlite";  // sqlite | postgresql
    std::string url;                // postgresql: libpq URI or key=value string, no password in it
    std::string password_file;      // postgresql: the password (file mode 0600); else libpq's environment
    int connections = 8;            // postgresql: connections of this node's pool
    int retention_days = 0;         // drop events received longer ago (0: keep)
    int retention_check_s = 60;     // how often retention and the size limit are enforced
    double max_database_gb = 0;     // sqlite: drop the oldest events beyond this (0: no limit)
};

struct CentralConfig {
    std::string path;
    ServerSettings server;
    TlsSettings tls;
    StorageSettings storage;
    std::string database = "central.db";
    std::string files_dir = "files";
    std::string agent_ca_dir;  // default: agent-ca next to the database
    bool text_index = true;
    int cache_mib = 16;  // SQLite page cache per connection (two connections)
    ApiSettings api;
    CliSettings cli;
};

// Throws std::runtime_error naming the file and the offending key.
CentralConfig load_config(const std::string& path);

}  // namespace vigil::central
