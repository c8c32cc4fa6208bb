// JSON at the plugin's edges: command arguments -> ScanRequest, ScanReport ->
// result JSON, evidence -> threat details.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "scan_engine.hpp"

namespace vigil::ioc_scanner {

// Parses ioc_scanner.scan arguments. Throws std::invalid_argument naming the
// offending argument. `wait` receives the "wait" flag (default true).
ScanRequest parse_scan_args(std::string_view json, bool& wait);

std::string report_json(const ScanReport& r);
// One indicator's evidence as a JSON array (threat details, result).
std::string evidence_json(const ScanReport& r, const IndicatorMatch& m);
std::string progress_json(uint64_t scan_id, const Progress& p);

}  // namespace vigil::ioc_scanner
