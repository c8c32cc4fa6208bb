#pragma once
// Where vigil-central takes the web console's files from: the copies compiled into the binary
// (tools/central/ui at build time), or — for console development without rebuilding — the
// folder named by VIGIL_CENTRAL_UI_DIR.
#include <cstddef>
#include <span>
#include <string>

#include "api.hpp"

namespace vigil::central {

struct EmbeddedFile {
    const char* path;  // relative to tools/central/ui, '/'-separated
    const unsigned char* data;
    size_t size;
};

// Generated at build time (ui_embed.cmake).
std::span<const EmbeddedFile> embedded_ui_files();

UiSource embedded_ui();
UiSource directory_ui(std::string dir);
// directory_ui($VIGIL_CENTRAL_UI_DIR) when set, else embedded_ui(); `log` hears which.
UiSource ui_from_environment(std::string* log);

}  // namespace vigil::central
