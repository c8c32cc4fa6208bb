// Loads a plugin shared object with Boost.DLL and negotiates the ABI through
// its single entry symbol. Libraries are never unloaded while the process
// lives (RTLD_NODELETE and a process-wide registry): many runtimes crash on
// dlclose.
#pragma once
#include <string>
#include <vector>

#include <vigil/plugin.h>

namespace vigil::core {

struct LoadedPlugin {
    std::string path;
    // Zero-extended copies: fields the plugin's (older) header lacks read as 0.
    vigil_plugin_info info{};
    vigil_plugin_api api{};
    uint32_t info_size = 0;  // what the plugin declared
    uint32_t api_size = 0;
    std::string name, version, description, license, homepage, schema;
    std::vector<std::string> requires_plugins;
    std::string abi_text() const;  // "1.0"
};

struct LoadResult {
    bool ok = false;
    LoadedPlugin plugin;
    std::string error;
};

// Finds NAME.so in the directories, in order. Empty when absent.
std::string find_plugin_file(const std::vector<std::string>& dirs, const std::string& name);

// Loads the file and negotiates; `expected_name` must match the plugin's name.
LoadResult load_plugin(const std::string& path, const std::string& expected_name);

}  // namespace vigil::core
