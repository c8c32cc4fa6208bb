// The plugin's side of the DNS forwarder's reports ({"type":"dns",...}):
// records that lost their ECH keys and upstream answers replaced by
// SERVFAIL because they could not be rewritten safely (dns_ech.hpp);
// counted in the status object "interception.dns".
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vigil/host.hpp>
#include <vigil/json_writer.hpp>

namespace vigil::web_threat {

class DnsNotes {
public:
    // True when `report_json` is one of the forwarder's reports (handled here).
    bool handle(const Host& host, const std::string& report_json);
    void write_status(JsonWriter& w) const;

private:
    std::atomic<uint64_t> ech_stripped_{0}, servfail_{0};
};

}  // namespace vigil::web_threat
