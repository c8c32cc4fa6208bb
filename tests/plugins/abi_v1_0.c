/* Built against the frozen ABI 1.0 header (smaller structs, minor 0): the
 * current host must load it and run its command. */
#include <string.h>
#include <vigil/events.h>
#include <vigil/plugin.h>

static const vigil_host_api* g_host;
static vigil_host_handle* g_h;

static void on_ping(void* user, const struct vigil_message* m) {
    static const char out[] = "{\"abi\":\"1.0\"}";
    (void)user;
    g_host->reply(g_h, m->correlation_id, VIGIL_OK, out, sizeof out - 1, NULL, 0);
}

static vigil_status create(const vigil_host_api* host, vigil_host_handle* h, vigil_plugin_state** out) {
    static const char cmd[] = "abi_v1_0.ping";
    g_host = host;
    g_h = h;
    *out = (vigil_plugin_state*)&g_host;
    /* A 1.0 plugin checks the host table size before using anything newer. */
    if (host->struct_size < sizeof(vigil_host_api)) return VIGIL_EUNSUPPORTED;
    return host->register_command(h, cmd, sizeof cmd - 1, on_ping, NULL);
}
static vigil_status start(vigil_plugin_state* s) { (void)s; return VIGIL_OK; }
static vigil_status stop(vigil_plugin_state* s) { (void)s; return VIGIL_OK; }
static void destroy(vigil_plugin_state* s) { (void)s; }

static const vigil_plugin_api api = {sizeof(vigil_plugin_api), 0, create, start, stop, NULL, destroy, NULL};
static const vigil_plugin_info info = {sizeof(vigil_plugin_info), 1, 0, 0, "abi_v1_0", "1.0.0",
                                       "plugin built with ABI 1.0 headers", NULL, NULL, &api};

VIGIL_DECLARE_PLUGIN_ENTRY { (void)host; return &info; }
