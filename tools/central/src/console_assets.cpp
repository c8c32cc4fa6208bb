#include "console_assets.hpp"

#include <cstdlib>
#include <exception>
#include <vigil/common/small_file.hpp>

namespace vigil::central {

UiSource embedded_ui() {
    return [](std::string_view relative) -> std::optional<std::string> {
        for (const auto& f : embedded_ui_files())
            if (relative == f.path) return std::string(reinterpret_cast<const char*>(f.data), f.size);
        return std::nullopt;
    };
}

UiSource directory_ui(std::string dir) {
    // The API has already refused every path with an empty, dot-led or odd segment, so the
    // path stays below `dir`; a symlink as the file itself is refused too.
    return [dir = std::move(dir)](std::string_view relative) -> std::optional<std::string> {
        common::ReadOptions options;
        options.max_bytes = 8u << 20;
        options.nofollow = true;
        try {
            return common::read_small_file(dir + "/" + std::string(relative), options);
        } catch (const std::exception&) {
            return std::nullopt;  // a directory, a FIFO, too large: not a console file
        }
    };
}

UiSource ui_from_environment(std::string* log) {
    const char* dir = std::getenv("VIGIL_CENTRAL_UI_DIR");
    if (dir && *dir) {
        if (log) *log = std::string("web console served from ") + dir + " (VIGIL_CENTRAL_UI_DIR)";
        return directory_ui(dir);
    }
    if (log)
        *log = "web console at /ui/ (" + std::to_string(embedded_ui_files().size()) + " files built in)";
    return embedded_ui();
}

}  // namespace vigil::central
