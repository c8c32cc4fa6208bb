#include "file_type.hpp"

#include <cctype>

namespace vigil::file_threat {

std::string detect_file_type(std::string_view h) {
    auto starts = [&](std::string_view magic) { return h.substr(0, magic.size()) == magic; };
    if (starts("MZ")) return "EXE";
    if (starts("\x7f" "ELF")) return "ELF";
    if (starts("PK\x03\x04")) return "ZIP";
    if (starts("%PDF")) return "PDF";
    if (starts("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")) return "OLE";
    if (starts("Rar!")) return "RAR";
    if (starts("\x1f\x8b")) return "GZIP";
    if (starts("7z\xbc\xaf\x27\x1c")) return "7Z";
    if (starts("\xca\xfe\xba\xbe")) return "CLASS";
    if (starts("\xcf\xfa\xed\xfe") || starts("\xce\xfa\xed\xfe")) return "MACHO";
    if (starts("#!")) return "SCRIPT";
    if (starts("<?php") || starts("<?PHP")) return "PHP";
    return "";
}

std::string file_extension(std::string_view path) {
    size_t slash = path.rfind('/');
    std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    size_t dot = name.rfind('.');
    if (dot == std::string_view::npos || dot == 0) return "";
    std::string ext(name.substr(dot));
    for (char& c : ext) c = char(std::tolower(static_cast<unsigned char>(c)));
    return ext;
}

}  // namespace vigil::file_threat
