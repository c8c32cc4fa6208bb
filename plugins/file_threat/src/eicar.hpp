#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::file_threat {

// The 68-byte EICAR anti-virus test string. Kept obfuscated in the binary so
// that neither the source tree nor the plugin itself looks like a test virus.
const std::string& eicar_string();

// Built-in EICAR detection, per the EICAR definition: the file starts with the
// string, optionally followed by white space (space, tab, CR, LF, Ctrl-Z), and
// is at most 128 bytes long (larger files are never the test file).
constexpr uint64_t kMaxEicarFileSize = 128;
bool is_eicar(std::string_view content);

}  // namespace vigil::file_threat
