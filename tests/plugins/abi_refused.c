/* One source, three broken plugins selected by a macro: a wrong ABI major, a
 * plugin that needs a newer minor than the host has, and (without the entry
 * symbol) a library that is not a plugin at all. */
#include "noop_plugin.h"

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
