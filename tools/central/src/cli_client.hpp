#pragma once
// HTTPS client of the operator API, used by the admin CLI (Poco HTTPSClientSession).
#include <cstdint>
#include <ostream>
#include <string>

namespace vigil::central {

struct ClientOptions {
    std::string url;          // https://host:port
    std::string ca;           // CA file that signed the server certificate ("" = system CAs)
    std::string certificate;  // client certificate + key when the server requires them
    std::string private_key;
    std::string token;
    int timeout_s = 30;
};

struct HttpReply {
    int status = 0;
    std::string body;
    std::string sha256_header;
};

class CentralClient {
public:
    explicit CentralClient(ClientOptions options);
    // Throws std::runtime_error on connection/TLS failure (message says which).
    HttpReply request(const std::string& method, const std::string& path_and_query,
                      const std::string& body = {}, const std::string& content_type = "application/json");
    // Streams a response body into `out` (for file downloads); the reply body stays empty on 2xx.
    HttpReply download(const std::string& path, std::ostream& out);

private:
    ClientOptions options_;
};

// Percent-encodes a query parameter value.
std::string url_encode(const std::string& s);

}  // namespace vigil::central
