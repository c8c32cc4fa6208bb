// libFuzzer: an OpenIOC document (server-supplied ioc_xml or an IOC file) is
// parsed and compiled, or refused with ParseError; every compiled matcher is
// then run against a few values of the kinds collectors produce.
#include <cstdint>
#include <string>
#include <string_view>

#include "compiled_ioc.hpp"
#include "ioc_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view xml(reinterpret_cast<const char*>(data), size);
    try {
        const vigil::ioc_scanner::CompiledIoc c = vigil::ioc_scanner::compile(vigil::ioc_scanner::parse_ioc(xml, "fuzz"));
        static const char* const values[] = {"",         "/usr/bin/curl", "44d88612fea8a8f36de82e1278abb02f",
                                             "10.1.2.3", "2001:db8::1",   "2024-01-02T03:04:05Z",
                                             "12345",    "true",          "P1DT2H"};
        for (const auto& leaf : c.leaves)
            if (leaf.matcher)
                for (const char* v : values) (void)leaf.matcher->matches(v);
    } catch (const vigil::ioc_scanner::ParseError&) {
    }
    return 0;
}
