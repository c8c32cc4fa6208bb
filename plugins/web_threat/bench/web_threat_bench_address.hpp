// The address of the web_threat benches' private namespace (10.9.0.2 on its
// loopback device): the origins and the resolver listen there.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstdint>

namespace vigil::bench {

inline sockaddr_in bench_address(uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    inet_pton(AF_INET, "10.9.0.2", &a.sin_addr);
    return a;
}

}  // namespace vigil::bench
