// parse_batch: validation, and the stored form of each event — its source text when that is
// already compact, a compact re-serialization otherwise.
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <string>

#include "api_error.hpp"
#include "event_text.hpp"
#include "gzip.hpp"
#include "json.hpp"
#include "telemetry.hpp"

using namespace vigil::central;

namespace {

constexpr const char* kAgent = "agent-0001";

std::string batch(const std::string& events_json, const std::string& extra = "") {
    return std::string("{\"agent_id\":\"") + kAgent + "\",\"batch_seq\":1," + extra + "\"events\":" + events_json +
           "}";
}

// The event as RapidJSON's compact Writer prints it.
std::string canonical(const std::string& event_json) {
    rapidjson::Document d;
    d.Parse(event_json.c_str());
    REQUIRE_FALSE(d.HasParseError());
    return json::to_string(d);
}

int status_of(const std::string& body) {
    try {
        parse_batch(body, kAgent, {});
    } catch (const ApiError& e) {
        return e.status();
    }
    return 200;
}

}  // namespace

TEST_CASE("a compact event is stored byte for byte as the agent sent it") {
    const std::string e1 = R"({"type":"process","class_uid":1007,"time":1700000000123,"process":{"cmd_line":"curl -s http://x/a b"}})";
    const std::string e2 = R"({"type":"file","class_uid":1001,"time":12.5,"file":{"path":"/tmp/\"q\"\\b\n"}})";
    auto b = parse_batch(batch("[" + e1 + "," + e2 + "]"), kAgent, {});
    REQUIRE(b.events.size() == 2);
    CHECK(b.events[0].raw == e1);
    CHECK(b.events[1].raw == e2);
    CHECK(b.events[0].time_ns == 1700000000123 * 1000000);
    CHECK(b.events[1].time_ns == 12500000);
    CHECK(b.events[0].text.find("curl -s http://x/a b") != std::string::npos);
    CHECK(b.events[1].text.find("/tmp/\"q\"\\b\n") != std::string::npos);  // decoded for the word index
}

TEST_CASE("pretty-printed or unusually escaped events are stored compactly") {
    const std::string pretty = "{\n  \"type\": \"process\",\n\t\"class_uid\": 1007, \"time\": 1,\r\n \"x\": [1, 2]\n}";
    const std::string escaped = R"({"type":"file","class_uid":1001,"time":2,"p":"\/etc\/shadow","u":"caf\u00e9"})";
    auto b = parse_batch(batch("[ " + pretty + " ,\n" + escaped + " ]"), kAgent, {});
    REQUIRE(b.events.size() == 2);
    CHECK(b.events[0].raw == canonical(pretty));
    CHECK(b.events[0].raw.find_first_of("\n\r\t ") == std::string::npos);
    CHECK(b.events[1].raw == canonical(escaped));
    CHECK(b.events[1].raw.find("/etc/shadow") != std::string::npos);  // searchable as written
    CHECK(b.events[1].raw.find("caf\xc3\xa9") != std::string::npos);
}

TEST_CASE("the events array is found only at the root, and only the first one counts") {
    // An "events" key inside an event, and a second root "events" member (RapidJSON keeps
    // both; member lookup takes the first), must not shift which source belongs to which event.
    const std::string inner = R"({"type":"process","class_uid":1007,"time":1,"events":[{"a":1}]})";
    const std::string later = R"({"type":"file","class_uid":1001,"time":2})";
    auto b = parse_batch(batch("[" + inner + "," + later + "]", "\"meta\":{\"events\":[{\"z\":0}]},") +
                             "", kAgent, {});
    REQUIRE(b.events.size() == 2);
    CHECK(b.events[0].raw == inner);
    CHECK(b.events[1].raw == later);

    std::string twice = std::string("{\"agent_id\":\"") + kAgent + "\",\"batch_seq\":1,\"events\":[" + later +
                        "],\"events\":[" + inner + "," + inner + "]}";
    auto d = parse_batch(twice, kAgent, {});
    REQUIRE(d.events.size() == 1);
    CHECK(d.events[0].raw == later);
}

TEST_CASE("bad batches are refused with a 4xx naming the place") {
    CHECK(status_of("{") == 400);
    CHECK(status_of(batch("[{\"type\":\"process\",\"class_uid\":1007,\"time\":1}] trailing")) == 400);
    CHECK(status_of(batch("[{\"type\":\"process\",\"class_uid\":1007,\"time\":1}, 5]")) == 400);
    CHECK(status_of(batch("[[1]]")) == 400);
    CHECK(status_of(batch("{}")) == 400);
    try {
        parse_batch(batch(R"([{"type":"process","class_uid":1007,"time":1},{"type":"process","class_uid":1007}])"),
                    kAgent, {});
        FAIL("accepted an event without time");
    } catch (const ApiError& e) {
        CHECK(std::string(e.what()).find("events[1].time") != std::string::npos);
    }
}

TEST_CASE("compact canonical check") {
    CHECK(json::is_compact_canonical(R"({"a":"b c","d":[1,2.5,true,null],"e":"\"\\\b\f\n\r\t\u001f\u0000"})"));
    CHECK_FALSE(json::is_compact_canonical(R"({"a": 1})"));
    CHECK_FALSE(json::is_compact_canonical("{\"a\":1\n}"));
    CHECK_FALSE(json::is_compact_canonical(R"({"a":"\/"})"));
    CHECK_FALSE(json::is_compact_canonical(R"({"a":"\u00e9"})"));
    CHECK_FALSE(json::is_compact_canonical(R"({"a":"\u002"})"));
    CHECK_FALSE(json::is_compact_canonical(R"({"a":"unterminated)"));
}

TEST_CASE("a malformed document reports the offset") {
    try {
        parse_batch(batch(R"([{"type":"file","class_uid":1001,"time":1},])"), kAgent, {});
        FAIL("accepted a trailing comma");
    } catch (const ApiError& e) {
        CHECK(e.status() == 400);
        CHECK(std::string(e.what()).find("offset") != std::string::npos);
    }
}

TEST_CASE("the index text derived again from a stored event is what the reader gathered") {
    // Skipped keys at any depth, arrays and objects under them, escapes, strings in arrays.
    const std::string e1 =
        R"({"type":"process","class_uid":1007,"time":1,"metadata":{"product":{"name":"vigil"}},"status":"ok",)"
        R"("process":{"cmd_line":"curl \"x\"","args":["-s","http://x"],"type":"exec","user":{"name":"root"}}})";
    const std::string e2 = "{\n \"type\": \"file\", \"class_uid\": 1001, \"time\": 2, \"device\": [\"h\"], \"p\": \"\\/etc\"}";
    auto b = parse_batch(batch("[" + e1 + "," + e2 + "]"), kAgent, {});
    REQUIRE(b.events.size() == 2);
    for (const auto& e : b.events) CHECK(event_index_text(e.raw) == e.text);
    CHECK(b.events[0].text == "curl \"x\" -s http://x root");
    CHECK(b.events[1].text == "/etc");
    CHECK_THROWS_AS(event_index_text("{\"a\":"), std::runtime_error);
}

TEST_CASE("without a word index to feed, no text is gathered") {
    BatchLimits limits;
    limits.gather_text = false;
    auto b = parse_batch(batch(R"([{"type":"process","class_uid":1007,"time":1,"cmd":"curl"}])"), kAgent, limits);
    REQUIRE(b.events.size() == 1);
    CHECK(b.events[0].text.empty());
    CHECK(b.events[0].raw.find("curl") != std::string::npos);
}
