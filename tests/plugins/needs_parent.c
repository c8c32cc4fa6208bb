/* Requires test_behaviors: proves dependency ordering and refusal. */
#include <vigil/plugin.h>
static vigil_status create(const vigil_host_api* host, vigil_host_handle* h, vigil_plugin_state** out) {
    (void)host; (void)h; *out = 0; return VIGIL_OK;
}
static vigil_status stop(vigil_plugin_state* s) { (void)s; return VIGIL_OK; }
static void destroy(vigil_plugin_state* s) { (void)s; }
static const vigil_plugin_api api = {sizeof(vigil_plugin_api), 0, create, 0, stop, 0, destroy, 0};
static const vigil_plugin_info info = {sizeof(vigil_plugin_info), VIGIL_ABI_MAJOR, 0, VIGIL_ABI_MINOR,
                                       "needs_parent", "1.0.0", "depends on test_behaviors", "test_behaviors", 0,
                                       &api, 0, 0};
VIGIL_DECLARE_PLUGIN_ENTRY { (void)host; return &info; }
