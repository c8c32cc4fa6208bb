// libFuzzer: ioc_scanner.scan arguments (server tasks, vigilctl) are parsed
// into a scan request or refused with std::invalid_argument naming the field;
// the inline IOCs and the path hint regex they carry are compiled and used.
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "compiled_ioc.hpp"
#include "ioc_parser.hpp"
#include "regex.hpp"
#include "scan_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    bool wait = true;
    try {
        const vigil::ioc_scanner::ScanRequest req =
            vigil::ioc_scanner::parse_scan_args(std::string_view(reinterpret_cast<const char*>(data), size), wait);
        for (const auto& xml : req.ioc_xml) (void)vigil::ioc_scanner::compile(vigil::ioc_scanner::parse_ioc(xml, "inline"));
        if (!req.path_hint_regex.empty())
            (void)vigil::ioc_scanner::Regex(req.path_hint_regex, false).search("/home/user/.cache/x/evil.sh");
    } catch (const std::invalid_argument&) {
    } catch (const vigil::ioc_scanner::ParseError&) {
    }
    return 0;
}
