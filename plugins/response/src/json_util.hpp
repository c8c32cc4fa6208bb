// JSON helpers of the response actions: the SDK's UTF-8-safe writer (file
// paths and process output are arbitrary bytes) and sanitizer, a serializer
// for parsed values, and the octal text of a file mode.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <string>

#include <vigil/json_writer.hpp>

namespace vigil::response {

using vigil::sanitize_utf8;
using JsonOut = vigil::JsonWriter;

// Serializes a parsed value.
std::string to_json(const rapidjson::Value& v);

// Octal text of a file mode's permission bits, e.g. "0644" or "4755".
std::string mode_octal(uint32_t mode);

}  // namespace vigil::response
