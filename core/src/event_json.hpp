// Renders a bus message as one JSON object (`vigilctl events`): the envelope,
// and for core types every payload field under its C name, enums as words,
// addresses as text and the process context as a nested object.
#pragma once
#include <string>

#include <vigil/events.h>

namespace vigil::core {

class Bus;
std::string message_to_json(const vigil_message& m, const std::string& type_name);

}  // namespace vigil::core
