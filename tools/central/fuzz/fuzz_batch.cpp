// libFuzzer target: POST /api/v1/agent/telemetry through Api::handle — streaming gunzip,
// the counting SAX batch reader, batch/event validation and storage into a temporary SQLite
// database — plus a differential check of the reader: the same text fed in chunks of any
// size (bits 1-7 of byte 0) must give the same events as in one piece, and those events must
// match what RapidJSON's DOM makes of the whole document; and the word index text derived
// again from each stored event (what retention removes from the index) is the text the
// reader gathered (what ingestion put there).
// Input layout: byte 0 bit 0 selects whether the rest is sent as is (clear: exercises the
// gzip decoder) or gzip-compressed first (set: exercises the JSON/validation path).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "api_error.hpp"
#include "batch_parser.hpp"
#include "event_text.hpp"
#include "fuzz_central.hpp"
#include "gzip.hpp"
#include "json.hpp"
#include "telemetry.hpp"

using namespace vigil::central;

namespace {

using fuzz::kFuzzAgent;
// Small limits, so the fuzzer reaches every one of them within its input sizes.
const BatchLimits kLimits{1000, 64, 20000, 4096};

fuzz::FuzzCentral& fixture() {
    static fuzz::FuzzCentral f("central_fuzz_db", [] {
        ApiSettings settings;
        settings.max_decompressed_bytes = 1 << 20;  // small, so decompression limits are hit
        settings.batch = kLimits;
        return settings;
    }(), true, true);
    return f;
}

// Hands out the text in pieces of `step` bytes, so event captures and tokens cross chunk ends.
class SplitSource final : public ChunkSource {
public:
    SplitSource(std::string_view data, size_t step) : data_(data), step_(step) {}
    bool next(std::string_view& chunk) override {
        if (pos_ >= data_.size()) return false;
        chunk = data_.substr(pos_, step_);
        pos_ += chunk.size();
        return true;
    }

private:
    std::string_view data_;
    size_t step_;
    size_t pos_ = 0;
};

int try_parse(ChunkSource& source, ParsedBatch& out) {
    try {
        out = parse_batch_source(source, kFuzzAgent, kLimits, nullptr);
    } catch (const ApiError& e) {
        if (e.status() != 400 && e.status() != 403 && e.status() != 413) abort();
        return e.status();
    }
    return 200;
}

// The chunked reader agrees with the one-piece reader: the same events when both accept;
// when only one refuses, it is for a size limit (which chunking may catch at another point).
void check_chunked(const std::string& json, size_t step) {
    ParsedBatch whole, split;
    MemorySource one(json);
    SplitSource pieces(json, step);
    const int a = try_parse(one, whole);
    const int b = try_parse(pieces, split);
    if (a == 200 && b == 200) {
        if (whole.events.size() != split.events.size() || whole.batch_seq != split.batch_seq) abort();
        for (size_t i = 0; i < whole.events.size(); ++i) {
            const auto& x = whole.events[i];
            const auto& y = split.events[i];
            if (x.raw != y.raw || x.text != y.text || x.type != y.type || x.time_ns != y.time_ns) abort();
        }
    } else if ((a == 200) != (b == 200) && a != 413 && b != 413) {
        abort();
    }
}

// Every event's stored JSON (kept verbatim when compact, else re-serialized) must be valid
// JSON that serializes exactly like the event inside the batch.
void check_stored_form(const std::string& json) {
    ParsedBatch batch;
    try {
        batch = parse_batch(json, kFuzzAgent, kLimits);
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
        if (event_index_text(batch.events[i].raw) != batch.events[i].text) abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    auto& f = fixture();
    std::string payload(reinterpret_cast<const char*>(data + 1), size - 1);
    Request r;
    r.method = "POST";
    r.path = "/api/v1/agent/telemetry";
    r.headers["content-type"] = "application/json";
    r.headers["content-encoding"] = "gzip";
    r.peer = PeerIdentity{"127.0.0.1", true, true, kFuzzAgent, "01", INT64_MAX};  // an enrolled agent
    r.body = (data[0] & 1) ? gzip(payload, 1) : payload;
    Response resp = f.api->handle(r);
    // Bad input must be a client error with a reason, never an internal error.
    if (resp.status != 200 && resp.status != 400 && resp.status != 403 && resp.status != 413) abort();
    if (resp.body.empty() || resp.body.front() != '{') abort();
    if (data[0] & 1) {
        check_stored_form(payload);
        check_chunked(payload, 1 + (data[0] >> 1));
    }
    return 0;
}
