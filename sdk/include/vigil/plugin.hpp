// Vigil C++ SDK: the plugin base class and the entry-point macro.
//
//   class Hello : public vigil::Plugin {
//   public:
//     explicit Hello(vigil::Host& host) : Plugin(host) { ... register handlers ... }
//     void start() override {}
//     void stop() override {}
//   };
//   VIGIL_PLUGIN(Hello, "hello", "1.0.0", "says hello", nullptr, kSchema,
//                "Apache-2.0", "https://example.org/hello")
//
// No exception ever crosses the boundary: a lifecycle call that throws returns
// VIGIL_EFAILED with the message in last_error() (the host logs it with the
// plugin's name); the constructor runs inside create().
#pragma once

#include <memory>
#include <new>
#include <string>

#include "host.hpp"
#include "plugin.h"

namespace vigil {

class Plugin {
public:
    explicit Plugin(Host& host) : host_(host) {}
    virtual ~Plugin() = default;
    virtual void start() {}
    virtual void stop() {}
    // Apply host().config_json() while running; return false to ask the host
    // for a restart of the instance instead.
    virtual bool reconfigure() { return false; }
    Host& host() { return host_; }

private:
    Host& host_;
};

namespace detail {

struct Instance {
    std::unique_ptr<Host> host;
    std::unique_ptr<Plugin> plugin;
    std::string last_error;
};

// Runs a lifecycle step; an exception becomes VIGIL_EFAILED plus last_error
// (the host reports it) and is counted once the Host exists.
template <class F>
vigil_status lifecycle(Instance* inst, F&& f) {
    try {
        f();
        return VIGIL_OK;
    } catch (const std::exception& e) {
        inst->last_error = e.what();
    } catch (...) {
        inst->last_error = "an exception that is not a std::exception";
    }
    if (inst->host) inst->host->counter_add("callback_exceptions");
    return VIGIL_EFAILED;
}

template <class P>
struct Adapter {
    static Instance* I(vigil_plugin_state* s) { return reinterpret_cast<Instance*>(s); }
    static vigil_status create(const vigil_host_api* api, vigil_host_handle* h, vigil_plugin_state** out) {
        auto* inst = new (std::nothrow) Instance;
        if (!inst) return VIGIL_ENOMEM;
        *out = reinterpret_cast<vigil_plugin_state*>(inst);
        return lifecycle(inst, [&] {
            inst->host = std::make_unique<Host>(api, h);
            inst->plugin = std::make_unique<P>(*inst->host);
        });
    }
    static vigil_status start(vigil_plugin_state* s) {
        auto* i = I(s);
        if (!i || !i->plugin) return VIGIL_ESTATE;
        return lifecycle(i, [&] { i->plugin->start(); });
    }
    static vigil_status stop(vigil_plugin_state* s) {
        auto* i = I(s);
        if (!i || !i->plugin) return VIGIL_OK;
        return lifecycle(i, [&] { i->plugin->stop(); });
    }
    static vigil_status reconfigure(vigil_plugin_state* s) {
        auto* i = I(s);
        if (!i || !i->plugin) return VIGIL_ESTATE;
        bool applied = false;
        vigil_status st = lifecycle(i, [&] { applied = i->plugin->reconfigure(); });
        if (st != VIGIL_OK) return st;
        if (!applied) {
            i->last_error = "plugin asks for a restart to apply settings";
            return VIGIL_EUNSUPPORTED;
        }
        return VIGIL_OK;
    }
    static void destroy(vigil_plugin_state* s) {
        auto* i = I(s);
        if (!i) return;
        // destroy() cannot fail; a throwing destructor is still reported.
        if (i->host)
            i->host->guarded("plugin destructor", [&] { i->plugin.reset(); });
        else
            i->plugin.reset();
        delete i;
    }
    static const char* last_error(vigil_plugin_state* s) {
        auto* i = I(s);
        return i ? i->last_error.c_str() : "";
    }
    static const vigil_plugin_api* table() {
        static const vigil_plugin_api api = {sizeof(vigil_plugin_api), 0, &create, &start, &stop,
                                             &reconfigure, &destroy, &last_error};
        return &api;
    }
};

}  // namespace detail
}  // namespace vigil

// Exports the entry symbol for plugin class CLASS.
//   REQUIRES  comma-separated plugin names that must run first, or nullptr
//   SCHEMA    the settings' JSON Schema (draft 4) as a string, or nullptr
//   LICENSE   SPDX identifier ("Apache-2.0", "MIT", ...), or nullptr
//   HOMEPAGE  URL, or nullptr
// The plugin needs ABI 1.1 or newer of major 1 (it may use quarantine_put;
// newer services are checked with VIGIL_HAS_FIELD by the SDK before use).
// The six-argument form of earlier SDKs still compiles and states no licence.
#define VIGIL_PLUGIN_8(CLASS, NAME, VERSION, DESCRIPTION, REQUIRES, SCHEMA, LICENSE, HOMEPAGE)      \
    extern "C" VIGIL_EXPORT const vigil_plugin_info* vigil_plugin_entry(const vigil_host_info*) { \
        static const vigil_plugin_info info = {sizeof(vigil_plugin_info),                         \
                                               VIGIL_ABI_MAJOR,                                   \
                                               1,                                                 \
                                               VIGIL_ABI_MINOR,                                   \
                                               NAME,                                              \
                                               VERSION,                                           \
                                               DESCRIPTION,                                       \
                                               REQUIRES,                                          \
                                               SCHEMA,                                            \
                                               ::vigil::detail::Adapter<CLASS>::table(),          \
                                               LICENSE,                                           \
                                               HOMEPAGE};                                         \
        return &info;                                                                             \
    }
#define VIGIL_PLUGIN_6(CLASS, NAME, VERSION, DESCRIPTION, REQUIRES, SCHEMA) \
    VIGIL_PLUGIN_8(CLASS, NAME, VERSION, DESCRIPTION, REQUIRES, SCHEMA, nullptr, nullptr)
#define VIGIL_PLUGIN_PICK(_1, _2, _3, _4, _5, _6, _7, _8, WHICH, ...) WHICH
#define VIGIL_PLUGIN(...) \
    VIGIL_PLUGIN_PICK(__VA_ARGS__, VIGIL_PLUGIN_8, VIGIL_PLUGIN_7_IS_NOT_A_FORM, VIGIL_PLUGIN_6, )(__VA_ARGS__)
