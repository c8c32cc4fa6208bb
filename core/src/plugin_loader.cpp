#include "plugin_loader.hpp"

#include <dlfcn.h>
#include <sys/stat.h>

#include <boost/dll/shared_library.hpp>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>

#include "version.hpp"

namespace vigil::core {

namespace {

std::mutex g_mu;
// Keeps every library mapped until exit.
std::map<std::string, std::shared_ptr<boost::dll::shared_library>>& registry() {
    static auto* r = new std::map<std::string, std::shared_ptr<boost::dll::shared_library>>();
    return *r;
}

std::string cstr(const char* p) { return p ? std::string(p) : std::string(); }

}  // namespace

std::string LoadedPlugin::abi_text() const {
    return std::to_string(info.abi_major) + "." + std::to_string(info.abi_built_minor);
}

std::string find_plugin_file(const std::vector<std::string>& dirs, const std::string& name) {
    for (const auto& d : dirs) {
        std::string p = d + "/" + name + ".so";
        struct stat st{};
        if (::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode)) return p;
    }
    return {};
}

namespace {

// The library at `path`, loaded once per process and never unloaded.
std::shared_ptr<boost::dll::shared_library> open_library(const std::string& path, std::string& error) {
    std::lock_guard<std::mutex> g(g_mu);
    auto& reg = registry();
    if (auto it = reg.find(path); it != reg.end()) return it->second;
    boost::dll::fs::error_code ec;
    auto mode = static_cast<boost::dll::load_mode::type>(RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
    auto lib = std::make_shared<boost::dll::shared_library>(path, mode, ec);
    if (ec || !lib->is_loaded()) {
        const char* dl = dlerror();
        error = "cannot load " + path + ": " + (dl ? std::string(dl) : ec.message());
        return nullptr;
    }
    reg[path] = lib;
    return lib;
}

std::string host_abi() { return "ABI " + std::to_string(VIGIL_ABI_MAJOR) + "." + std::to_string(VIGIL_ABI_MINOR); }

// Refuses what this host cannot run: "" when the info is acceptable.
std::string negotiate(const std::string& path, const vigil_plugin_info* info) {
    if (!info) return path + ": the plugin declined host " + host_abi();
    const uint32_t min_size = offsetof(vigil_plugin_info, api) + sizeof(info->api);
    if (info->struct_size < offsetof(vigil_plugin_info, abi_min_minor) + sizeof(uint32_t))
        return path + ": plugin info too small (" + std::to_string(info->struct_size) + " bytes)";
    if (info->abi_major != VIGIL_ABI_MAJOR)
        return path + ": ABI major mismatch: plugin is built for ABI " + std::to_string(info->abi_major) +
               ".x, host provides " + host_abi();
    if (info->abi_min_minor > VIGIL_ABI_MINOR)
        return path + ": plugin needs ABI " + std::to_string(info->abi_major) + "." +
               std::to_string(info->abi_min_minor) + " or newer, host provides " + host_abi();
    if (info->struct_size < min_size)
        return path + ": plugin info too small for ABI " + std::to_string(VIGIL_ABI_MAJOR) + " (" +
               std::to_string(info->struct_size) + " < " + std::to_string(min_size) + " bytes)";
    return {};
}

// Copies the plugin's info and function table, zero-extended to this
// host's struct sizes; "" on success.
std::string copy_tables(const std::string& path, const vigil_plugin_info* info, LoadedPlugin& p) {
    p.info_size = info->struct_size;
    std::memcpy(&p.info, info, std::min<size_t>(info->struct_size, sizeof p.info));
    p.info.struct_size = sizeof p.info;
    p.name = cstr(p.info.name);
    p.version = cstr(p.info.version);
    p.description = cstr(p.info.description);
    p.schema = cstr(p.info.config_schema);
    p.license = cstr(p.info.license);
    p.homepage = cstr(p.info.homepage);
    std::stringstream req(cstr(p.info.requires_plugins));
    for (std::string item; std::getline(req, item, ',');) {
        auto b = item.find_first_not_of(" \t");
        auto e = item.find_last_not_of(" \t");
        if (b != std::string::npos) p.requires_plugins.push_back(item.substr(b, e - b + 1));
    }
    if (!p.info.api) return path + ": plugin has no function table";
    const vigil_plugin_api* api = p.info.api;
    const uint32_t api_min = offsetof(vigil_plugin_api, destroy) + sizeof(api->destroy);
    if (api->struct_size < api_min)
        return path + ": plugin function table too small (" + std::to_string(api->struct_size) + " bytes)";
    p.api_size = api->struct_size;
    std::memcpy(&p.api, api, std::min<size_t>(api->struct_size, sizeof p.api));
    p.api.struct_size = sizeof p.api;
    if (!p.api.create || !p.api.stop || !p.api.destroy)
        return path + ": plugin function table lacks create, stop or destroy";
    return {};
}

}  // namespace

LoadResult load_plugin(const std::string& path, const std::string& expected_name) {
    LoadResult r;
    r.plugin.path = path;
    auto lib = open_library(path, r.error);
    if (!lib) return r;
    if (!lib->has(VIGIL_PLUGIN_ENTRY_SYMBOL)) {
        r.error = path + " has no entry symbol '" VIGIL_PLUGIN_ENTRY_SYMBOL "' (not a Vigil plugin?)";
        return r;
    }
    auto& entry = lib->get<const vigil_plugin_info*(const vigil_host_info*)>(VIGIL_PLUGIN_ENTRY_SYMBOL);
    vigil_host_info host{};
    host.struct_size = sizeof host;
    host.abi_major = VIGIL_ABI_MAJOR;
    host.abi_minor = VIGIL_ABI_MINOR;
    host.host_version = kVersion;
    const vigil_plugin_info* info = entry(&host);
    r.error = negotiate(path, info);
    if (r.error.empty()) r.error = copy_tables(path, info, r.plugin);
    // The name check follows the copy, as before: the name comes from the info.
    if (r.error.empty() && r.plugin.name != expected_name)
        r.error = path + ": plugin calls itself '" + r.plugin.name + "', expected '" + expected_name + "'";
    r.ok = r.error.empty();
    return r;
}

}  // namespace vigil::core
