// JSON form of our telemetry payloads (the triggering event of a detection):
// C field names, enums as strings, addresses as text, the process nested.
#pragma once

#include <vigil/sdk.hpp>

#include <cstdint>
#include <string>

namespace vigil::behavior {

std::string process_json(const vigil::ProcessInfo& p);
// "" for types other than process/network/file.
std::string event_json(uint32_t type, const void* payload, uint32_t size);
std::string address_text(uint8_t family, const uint8_t* addr);

}  // namespace vigil::behavior
