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
    int max_threads = 512;          // connections served at once (each long-polling agent holds one)
    int max_queued = 1024;          // accepted connections waiting for a thread
    int keep_alive_timeout_s = 75;  // > long_poll_max_s so a poll never races the idle timeout
    int io_timeout_s = 15;          // a stalled TLS handshake or request body is dropped after this
    int64_t task_expiry_s = 86400;  // pending/delivered tasks older than this become expired
};

struct CliSettings {
    std::string url;          // default https://<address>:<port>
    std::string ca;           // default tls.client_ca
    std::string certificate;  // client certificate (PEM) when the server requires one
    std::string private_key;
    std::string token_file;  // operator token (file mode 0600); default: the first operator's token_file
};

struct CentralConfig {
    std::string path;
    ServerSettings server;
    TlsSettings tls;
    std::string database = "central.db";
    std::string files_dir = "files";
    std::string agent_ca_dir;  // default: agent-ca next to the database
    bool text_index = true;
    ApiSettings api;
    CliSettings cli;
};

// Throws std::runtime_error naming the file and the offending key.
CentralConfig load_config(const std::string& path);

}  // namespace vigil::central
