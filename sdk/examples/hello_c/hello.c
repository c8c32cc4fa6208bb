/* Example Vigil plugin in plain C (no C++ at all): publishes a file event on
 * a timer and answers the "hello_c.echo" command with its arguments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vigil/events.h>
#include <vigil/plugin.h>

typedef struct hello_state {
    const vigil_host_api* host;
    vigil_host_handle* h;
    uint64_t timer;
    unsigned long ticks;
    char error[256];
} hello_state;

static void on_tick(void* user) {
    hello_state* s = (hello_state*)user;
    char buf[512];
    vigil_builder b;
    vigil_file_event* ev;
    vigil_message msg;
    static const char path[] = "/tmp/hello_c.tick";

    vigil_builder_init(&b, buf, sizeof buf, sizeof(vigil_file_event));
    ev = (vigil_file_event*)buf;
    ev->action = VIGIL_FILE_MODIFY;
    ev->process.struct_size = sizeof(vigil_process_ctx);
    ev->path = vigil_builder_add(&b, path, (uint32_t)strlen(path));
    if (b.overflow) return;
    memset(&msg, 0, sizeof msg);
    msg.struct_size = sizeof msg;
    msg.type_id = VIGIL_TYPE_FILE;
    msg.schema_version = 1;
    msg.payload = buf;
    msg.payload_size = b.used;
    s->host->publish(s->h, &msg);
    s->ticks++;
}

static void on_echo(void* user, const vigil_message* m) {
    hello_state* s = (hello_state*)user;
    const vigil_command* c = (const vigil_command*)m->payload;
    const char* args = vigil_sref_cstr(m->payload, c->args_json);
    char out[1024];
    int n = snprintf(out, sizeof out, "{\"echo\":%s,\"ticks\":%lu}", *args ? args : "{}", s->ticks);
    if (n < 0 || (size_t)n >= sizeof out) {
        static const char err[] = "arguments too long to echo";
        s->host->reply(s->h, m->correlation_id, VIGIL_EINVAL, NULL, 0, err, sizeof err - 1);
        return;
    }
    s->host->reply(s->h, m->correlation_id, VIGIL_OK, out, (uint32_t)n, NULL, 0);
}

static vigil_status hello_create(const vigil_host_api* host, vigil_host_handle* h, vigil_plugin_state** out) {
    hello_state* s = (hello_state*)calloc(1, sizeof *s);
    static const char cmd[] = "hello_c.echo";
    if (!s) return VIGIL_ENOMEM;
    s->host = host;
    s->h = h;
    *out = (vigil_plugin_state*)s;
    if (host->register_command(h, cmd, sizeof cmd - 1, on_echo, s) != VIGIL_OK) {
        snprintf(s->error, sizeof s->error, "cannot register %s", cmd);
        return VIGIL_EFAILED;
    }
    return VIGIL_OK;
}

static vigil_status hello_start(vigil_plugin_state* st) {
    hello_state* s = (hello_state*)st;
    static const char msg[] = "hello_c started";
    s->host->log(s->h, VIGIL_LOG_INFO, msg, sizeof msg - 1);
    return s->host->timer_start(s->h, 1000, 1, on_tick, s, &s->timer);
}

static vigil_status hello_stop(vigil_plugin_state* st) {
    hello_state* s = (hello_state*)st;
    s->host->timer_cancel(s->h, s->timer);
    return VIGIL_OK;
}

static void hello_destroy(vigil_plugin_state* st) { free(st); }

static const char* hello_last_error(vigil_plugin_state* st) {
    return st ? ((hello_state*)st)->error : "create failed";
}

static const vigil_plugin_api hello_api = {
    sizeof(vigil_plugin_api), 0, hello_create, hello_start, hello_stop, NULL /* reconfigure */,
    hello_destroy, hello_last_error};

static const vigil_plugin_info hello_info = {
    sizeof(vigil_plugin_info), VIGIL_ABI_MAJOR, 0, VIGIL_ABI_MINOR, "hello_c", "1.0.0",
    "Example plugin written in plain C", NULL, NULL, &hello_api, "Apache-2.0", NULL};

VIGIL_DECLARE_PLUGIN_ENTRY {
    (void)host;
    return &hello_info;
}
