/*
 * A do-nothing plugin named "behavior" for the kataedr integration tests.
 * kataedr declares that it requires `behavior` (no sensors, no telemetry);
 * the tests feed events with test_source instead, so they need a "behavior"
 * that loads without sensors and without noise. It lives in its own plugin
 * directory (build/test-plugins/kataedr) that the tests list first.
 */
#include <stddef.h>
#include <vigil/plugin.h>

static vigil_status create(const vigil_host_api* host, vigil_host_handle* h, vigil_plugin_state** out) {
    (void)host;
    (void)h;
    *out = (vigil_plugin_state*)1; /* no state needed */
    return VIGIL_OK;
}
static vigil_status start(vigil_plugin_state* s) {
    (void)s;
    return VIGIL_OK;
}
static vigil_status stop(vigil_plugin_state* s) {
    (void)s;
    return VIGIL_OK;
}
static void destroy(vigil_plugin_state* s) { (void)s; }

static const vigil_plugin_api api = {sizeof(vigil_plugin_api), 0, create, start, stop, NULL, destroy, NULL};

VIGIL_EXPORT const vigil_plugin_info* vigil_plugin_entry(const vigil_host_info* host) {
    static vigil_plugin_info info;
    (void)host;
    info.struct_size = sizeof info;
    info.abi_major = VIGIL_ABI_MAJOR;
    info.abi_min_minor = 0;
    info.abi_built_minor = VIGIL_ABI_MINOR;
    info.name = "behavior";
    info.version = "0.0.0-test";
    info.description = "stand-in for behavior in kataedr tests (no sensors)";
    info.api = &api;
    return &info;
}
