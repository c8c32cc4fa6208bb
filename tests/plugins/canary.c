/* Records that its code ran: a load-time constructor appends to the file named
 * by VIGIL_CANARY. Proves that an untrusted plugin is refused before dlopen. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <vigil/plugin.h>

__attribute__((constructor)) static void ran(void) {
    const char* path = getenv("VIGIL_CANARY");
    if (!path) return;
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd >= 0) {
        (void)!write(fd, "loaded\n", 7);
        close(fd);
    }
}
static vigil_status create(const vigil_host_api* host, vigil_host_handle* h, vigil_plugin_state** out) {
    (void)host; (void)h; *out = 0; return VIGIL_OK;
}
static vigil_status stop(vigil_plugin_state* s) { (void)s; return VIGIL_OK; }
static void destroy(vigil_plugin_state* s) { (void)s; }
static const vigil_plugin_api api = {sizeof(vigil_plugin_api), 0, create, 0, stop, 0, destroy, 0};
static const vigil_plugin_info info = {sizeof(vigil_plugin_info), VIGIL_ABI_MAJOR, 0, VIGIL_ABI_MINOR,
                                       "canary", "1.0.0", "records that its code ran", 0, 0, &api, 0, 0};
VIGIL_DECLARE_PLUGIN_ENTRY { (void)host; return &info; }
