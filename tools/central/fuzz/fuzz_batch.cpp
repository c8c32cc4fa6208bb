// libFuzzer target: POST /api/v1/agent/telemetry through Api::handle — gunzip, JSON parsing,
// batch/event validation and storage into a temporary SQLite database.
// Input layout: byte 0 selects whether the rest is sent as is (bit 0 clear: exercises the
// gzip decoder) or gzip-compressed first (bit 0 set: exercises the JSON/validation path).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "api.hpp"
#include "api_error.hpp"
#include "json.hpp"
#include "telemetry.hpp"
#include "gzip.hpp"
#include "sqlite_storage.hpp"

using namespace vigil::central;

namespace {

constexpr const char* kAgent = "fuzz-agent-0001";

struct Fixture {
    std::string dir;
    std::unique_ptr<SqliteStorage> storage;
    TaskBroker broker;
    std::unique_ptr<FileStore> files;
    std::unique_ptr<Api> api;

    Fixture() {
        // Under $TMPDIR: libFuzzer may end the process without running destructors, so the
        // runner (run_fuzz.sh) points TMPDIR at a directory it removes.
        const char* tmp = std::getenv("TMPDIR");
        std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/central_fuzz_db.XXXXXX";
        if (!mkdtemp(tmpl.data())) {
            std::perror("mkdtemp");
            std::abort();
        }
        dir = tmpl;
        storage = std::make_unique<SqliteStorage>(SqliteOptions{dir + "/fuzz.db", true, 10000});
        files = std::make_unique<FileStore>(dir + "/files");
        ApiSettings settings;
        settings.max_decompressed_bytes = 1 << 20;  // small, so decompression limits are hit
        settings.batch.max_events = 1000;
        api = std::make_unique<Api>(*storage, broker, *files, settings);
        storage->upsert_agent(AgentRecord{kAgent, "fuzz-host", "linux", "6.1", "0.1.0", "{}", 1, 1});
    }
    ~Fixture() {
        api.reset();
        storage.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
    }
};

Fixture& fixture() {
    static Fixture f;
    return f;
}

// Every event's stored JSON (kept verbatim when compact, else re-serialized) must be valid
// JSON that serializes exactly like the event inside the batch.
void check_stored_form(const std::string& json) {
    ParsedBatch batch;
    try {
        batch = parse_batch(json, kAgent, BatchLimits{1000, 64});
    } catch (const ApiError&) {
        return;
    }
    rapidjson::Document whole;
    whole.Parse(json.data(), json.size());
    if (whole.HasParseError()) abort();  // parse_batch accepted what RapidJSON refuses
    const rapidjson::Value& events = whole["events"];
    if (events.Size() != batch.events.size()) abort();
    for (rapidjson::SizeType i = 0; i < events.Size(); ++i) {
        rapidjson::Document stored;
        stored.Parse(batch.events[i].raw.data(), batch.events[i].raw.size());
        if (stored.HasParseError() || json::to_string(stored) != json::to_string(events[i])) abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    Fixture& f = fixture();
    std::string payload(reinterpret_cast<const char*>(data + 1), size - 1);
    Request r;
    r.method = "POST";
    r.path = "/api/v1/agent/telemetry";
    r.headers["content-type"] = "application/json";
    r.headers["content-encoding"] = "gzip";
    r.headers["x-vigil-agent-id"] = kAgent;
    r.body = (data[0] & 1) ? gzip(payload, 1) : payload;
    Response resp = f.api->handle(r);
    // Bad input must be a client error with a reason, never an internal error.
    if (resp.status != 200 && resp.status != 400 && resp.status != 403 && resp.status != 413) abort();
    if (resp.body.empty() || resp.body.front() != '{') abort();
    if (data[0] & 1) check_stored_form(payload);
    return 0;
}
