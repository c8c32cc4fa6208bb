// Renders a bus message as one JSON object (`vigilctl events`): the envelope,
// and for core types every payload field under its C name, enums as words,
// addresses as text and the process context as a nested object.
#pragma once
#include <string>

#include <vigil/events.h>

namespace vigil::core {

class Bus;
std::string message_to_json(const vigil_message& m, const std::string& type_name);

const char* network_action_name(uint32_t a);
const char* file_action_name(uint32_t a);
const char* severity_name(uint32_t s);
const char* plugin_state_name(uint32_t s);

}  // namespace vigil::core
