// The encrypted connections scan's part of vigil-bench web-threat-traffic:
// a TLS origin in the bench's namespace (a certificate for ok.test from its
// own CA, given to the worker as mitm.upstream_ca_file), reached directly and
// through the worker with the scan on (the client trusts the Vigil CA), in
// alternating rounds: a new TLS connection (connect, handshake, one request,
// its response) and a request on one keep-alive TLS connection.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vigil::bench {

struct MitmBench {
    std::string ca_cert, ca_key;  // the Vigil CA for the worker (PEM)
    std::string origin_ca_file;   // the origin's CA, for mitm.upstream_ca_file
    std::string error;            // set when the origin could not start
};

// Makes both CAs and the origin certificate (files in `dir`) and starts the
// TLS origin on 10.9.0.2:`port` (and `direct_port`).
MitmBench start_mitm_origin(const std::string& dir, uint16_t port, uint16_t direct_port);

struct TlsSamples {
    std::vector<double> conn_ms, req_ms;
    int errors = 0;
    double cpu_s = 0;  // the worker's CPU time over these rounds (through it)
};

// `rounds` rounds alternating direct and through the worker.
void measure_mitm(const MitmBench& b, uint16_t port, uint16_t direct_port, int conns, int requests, int rounds,
                  TlsSamples& direct, TlsSamples& via);

// {"direct":{..},"worker":{..},"added_conn_p50_ms":..} for the JSON report.
std::string mitm_json(const TlsSamples& direct, const TlsSamples& via);

}  // namespace vigil::bench
