// libFuzzer: hash list text (LOKI / signature-base lines, md5sum/sha256sum
// output). Every input either loads or yields line errors; nothing crashes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hash_list.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    vigil::file_threat::HashList list;
    auto errors = list.add_text(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
    for (const auto& e : errors) (void)e.message();
    vigil::file_threat::Sha256 probe{};
    (void)list.find_sha256(probe);
    return 0;
}
