/* The lifecycle of a test plugin that does nothing but load: create (no state), stop and
 * destroy succeed; `api` is its vigil_plugin_api for the vigil_plugin_info it declares. */
#ifndef VIGIL_TEST_NOOP_PLUGIN_H
#define VIGIL_TEST_NOOP_PLUGIN_H
#include <vigil/plugin.h>

static vigil_status create(const vigil_host_api* host, vigil_host_handle* h, vigil_plugin_state** out) {
    (void)host; (void)h; *out = 0; return VIGIL_OK;
}
static vigil_status stop(vigil_plugin_state* s) { (void)s; return VIGIL_OK; }
static void destroy(vigil_plugin_state* s) { (void)s; }
static const vigil_plugin_api api = {sizeof(vigil_plugin_api), 0, create, 0, stop, 0, destroy, 0};
#endif
