#pragma once

#include <string>
#include <string_view>

namespace vigil::file_threat {

// Short file type name from the leading magic bytes, in the style of the
// LOKI/THOR `filetype` external variable that public YARA rules test
// ("EXE", "ELF", "ZIP", ...). Empty when unknown.
std::string detect_file_type(std::string_view head);

// File name extension with its dot, lower case (".php"; "" when none), as LOKI
// defines the `extension` external variable.
std::string file_extension(std::string_view path);

}  // namespace vigil::file_threat
