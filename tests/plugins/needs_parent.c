/* Requires test_behaviors: proves dependency ordering and refusal. */
#include "noop_plugin.h"
static const vigil_plugin_info info = {sizeof(vigil_plugin_info), VIGIL_ABI_MAJOR, 0, VIGIL_ABI_MINOR,
                                       "needs_parent", "1.0.0", "depends on test_behaviors", "test_behaviors", 0,
                                       &api, 0, 0};
VIGIL_DECLARE_PLUGIN_ENTRY { (void)host; return &info; }
