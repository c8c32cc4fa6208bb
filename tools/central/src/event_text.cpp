#include "event_text.hpp"

#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <stdexcept>

namespace vigil::central {

// Keys whose values are the same boilerplate in every event (class names, product
// metadata, the device block that repeats the agent): indexing them costs ingest time
// and finds nothing an operator would search for.
bool skipped_for_index(std::string_view key) {
    static constexpr std::string_view kSkip[] = {"metadata",      "device",    "class_name", "activity_name",
                                                 "category_name", "type_name", "severity",   "algorithm",
                                                 "type",          "status"};
    for (auto k : kSkip)
        if (k == key) return true;
    return false;
}

namespace {

// The same rule as the batch reader's (batch_parser.cpp): a string value is indexed unless
// its own key, or the key of a container around it, is skipped.
class IndexTextHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, IndexTextHandler> {
public:
    bool Default() {
        pending_skip_ = false;
        return true;
    }
    bool String(const char* s, rapidjson::SizeType n, bool) {
        if (skip_depth_ < 0 && !pending_skip_) {
            if (!text.empty()) text += ' ';
            text.append(s, n);
        }
        pending_skip_ = false;
        return true;
    }
    bool Key(const char* s, rapidjson::SizeType n, bool) {
        pending_skip_ = skip_depth_ < 0 && skipped_for_index(std::string_view(s, n));
        return true;
    }
    bool StartObject() { return start(); }
    bool StartArray() { return start(); }
    bool EndObject(rapidjson::SizeType) { return end(); }
    bool EndArray(rapidjson::SizeType) { return end(); }

    std::string text;

private:
    bool start() {
        if (pending_skip_ && skip_depth_ < 0) skip_depth_ = depth_;
        pending_skip_ = false;
        ++depth_;
        return true;
    }
    bool end() {
        --depth_;
        if (depth_ == skip_depth_) skip_depth_ = -1;
        return true;
    }
    int depth_ = 0;
    int skip_depth_ = -1;
    bool pending_skip_ = false;
};

}  // namespace

std::string event_index_text(std::string_view event_json) {
    IndexTextHandler handler;
    rapidjson::MemoryStream in(event_json.data(), event_json.size());
    rapidjson::Reader reader;
    if (reader.Parse<rapidjson::kParseIterativeFlag>(in, handler).IsError())
        throw std::runtime_error("stored event is not JSON");
    return std::move(handler.text);
}

}  // namespace vigil::central
