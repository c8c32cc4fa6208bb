#pragma once
// The HTTPS front of the central node: Poco HTTPServer over a SecureServerSocket, with TLS
// floor, optional required client certificates, body limits and graceful shutdown.
#include <memory>

#include "config.hpp"

namespace vigil::central {

// Runs until SIGTERM or SIGINT; returns the process exit code. Prints startup errors
// (bad certificate, port in use, database) to stderr and returns 1. The event-driven server
// (asio_server.cpp) unless VIGIL_CENTRAL_SERVER=poco selects the thread-per-connection one.
int serve(const CentralConfig& config, bool verbose);
int serve_asio(const CentralConfig& config, bool verbose);
int serve_poco(const CentralConfig& config, bool verbose);

}  // namespace vigil::central
