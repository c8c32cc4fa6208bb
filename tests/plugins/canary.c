/* Records that its code ran: a load-time constructor appends to the file named
 * by VIGIL_CANARY. Proves that an untrusted plugin is refused before dlopen. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include "noop_plugin.h"

__attribute__((constructor)) static void ran(void) {
    const char* path = getenv("VIGIL_CANARY");
    if (!path) return;
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd >= 0) {
        (void)!write(fd, "loaded\n", 7);
        close(fd);
    }
}
static const vigil_plugin_info info = {sizeof(vigil_plugin_info), VIGIL_ABI_MAJOR, 0, VIGIL_ABI_MINOR,
                                       "canary", "1.0.0", "records that its code ran", 0, 0, &api, 0, 0};
VIGIL_DECLARE_PLUGIN_ENTRY { (void)host; return &info; }
