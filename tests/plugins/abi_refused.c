/* One source, three broken plugins selected by a macro: a wrong ABI major, a
 * plugin that needs a newer minor than the host has, and (without the entry
 * symbol) a library that is not a plugin at all. */
#include <vigil/plugin.h>

static vigil_status create(const vigil_host_api* host, vigil_host_handle* h, vigil_plugin_state** out) {
    (void)host; (void)h; *out = 0;
    return VIGIL_OK;
}
static vigil_status stop(vigil_plugin_state* s) { (void)s; return VIGIL_OK; }
static void destroy(vigil_plugin_state* s) { (void)s; }
static const vigil_plugin_api api = {sizeof(vigil_plugin_api), 0, create, 0, stop, 0, destroy, 0};

#if defined(WRONG_MAJOR)
static const vigil_plugin_info info = {sizeof(vigil_plugin_info), VIGIL_ABI_MAJOR + 1, 0, 0, "abi_wrong_major",
                                       "1.0.0", "built for ABI 2", 0, 0, &api, 0, 0};
VIGIL_DECLARE_PLUGIN_ENTRY { (void)host; return &info; }
#elif defined(NEWER_MINOR)
static const vigil_plugin_info info = {sizeof(vigil_plugin_info), VIGIL_ABI_MAJOR, VIGIL_ABI_MINOR + 5,
                                       VIGIL_ABI_MINOR + 5, "abi_newer_minor", "1.0.0", "needs a newer host", 0, 0,
                                       &api, 0, 0};
VIGIL_DECLARE_PLUGIN_ENTRY { (void)host; return &info; }
#else
/* no entry symbol */
VIGIL_EXPORT int abi_no_entry_marker(void) { return (int)sizeof(api); }
#endif
