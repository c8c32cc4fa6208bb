#include "batch_document.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cctype>

namespace vigil::central {
namespace {

using Stream = rapidjson::MemoryStream;

// Forwards every SAX event to the document under construction and, on the way, tracks the
// nesting depth to find the elements of the root object's first "events" array. The
// iterative reader calls StartObject and EndObject before it takes the bracket, so the
// stream position then is the bracket itself (checked, so a reader that behaved otherwise
// would only cost the verbatim copy, never store a wrong one).
class SpanRecorder {
public:
    SpanRecorder(BatchDocument& out, const Stream& stream, std::string_view text)
        : out_(out), doc_(out.doc), stream_(stream), text_(text) {}

    bool Null() { return scalar(), doc_.Null(); }
    bool Bool(bool b) { return scalar(), doc_.Bool(b); }
    bool Int(int i) { return scalar(), doc_.Int(i); }
    bool Uint(unsigned u) { return scalar(), doc_.Uint(u); }
    bool Int64(int64_t i) { return scalar(), doc_.Int64(i); }
    bool Uint64(uint64_t u) { return scalar(), doc_.Uint64(u); }
    bool Double(double d) { return scalar(), doc_.Double(d); }
    bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) {
        return scalar(), doc_.RawNumber(s, n, copy);
    }
    bool String(const char* s, rapidjson::SizeType n, bool copy) { return scalar(), doc_.String(s, n, copy); }

    bool Key(const char* s, rapidjson::SizeType n, bool copy) {
        if (depth_ == 1 && state_ == State::before) key_is_events_ = std::string_view(s, n) == "events";
        return doc_.Key(s, n, copy);
    }

    bool StartObject() {
        if (at_event_level()) event_start_ = stream_.Tell();
        ++depth_;
        return doc_.StartObject();
    }
    bool EndObject(rapidjson::SizeType members) {
        --depth_;
        if (at_event_level()) out_.event_sources.push_back(source(event_start_, stream_.Tell() + 1));
        return doc_.EndObject(members);
    }
    bool StartArray() {
        if (at_event_level()) out_.event_sources.emplace_back();  // not an object: no source kept
        if (depth_ == 1 && key_is_events_ && state_ == State::before) state_ = State::inside;
        ++depth_;
        return doc_.StartArray();
    }
    bool EndArray(rapidjson::SizeType elements) {
        --depth_;
        if (depth_ == 1 && state_ == State::inside) state_ = State::after;
        return doc_.EndArray(elements);
    }

private:
    enum class State { before, inside, after };  // relative to the first root "events" array

    // Elements of the events array sit at depth 2 (root object 1, the array 2).
    bool at_event_level() const { return state_ == State::inside && depth_ == 2; }
    std::string_view source(size_t begin, size_t end) const {
        if (begin >= end || end > text_.size() || text_[begin] != '{' || text_[end - 1] != '}') return {};
        return text_.substr(begin, end - begin);
    }
    void scalar() {
        if (at_event_level()) out_.event_sources.emplace_back();
        if (depth_ == 1) key_is_events_ = false;
    }

    BatchDocument& out_;
    rapidjson::Document& doc_;
    const Stream& stream_;
    std::string_view text_;
    int depth_ = 0;
    State state_ = State::before;
    bool key_is_events_ = false;
    size_t event_start_ = 0;
};

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

}  // namespace

std::optional<std::string> parse_batch_document(BatchDocument& out, std::string_view text) {
    out.doc.SetNull();
    out.event_sources.clear();
    Stream stream(text.data(), text.size());
    rapidjson::ParseResult result;
    // Populate hands the generator the document as SAX handler and, when it succeeds, moves
    // the root value the handler built into the document (and clears up on failure).
    auto generate = [&](rapidjson::Document&) {
        SpanRecorder recorder(out, stream, text);
        rapidjson::Reader reader;
        // Iterative: no recursion on hostile nesting. The default flags reject trailing garbage.
        result = reader.Parse<rapidjson::kParseIterativeFlag>(stream, recorder);
        return !result.IsError();
    };
    out.doc.Populate(generate);
    if (result.IsError()) {
        out.doc.SetNull();
        out.event_sources.clear();
        return std::string("malformed JSON at offset ") + std::to_string(result.Offset()) + ": " +
               rapidjson::GetParseError_En(result.Code());
    }
    return std::nullopt;
}

bool is_compact_canonical(std::string_view json) {
    bool in_string = false;
    for (size_t i = 0; i < json.size(); ++i) {
        char c = json[i];
        if (!in_string) {
            if (c == '"') in_string = true;
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') return false;
            continue;
        }
        if (c == '"') {
            in_string = false;
        } else if (c == '\\') {
            if (++i >= json.size()) return false;
            switch (json[i]) {
                case '"': case '\\': case 'b': case 'f': case 'n': case 'r': case 't':
                    break;
                case 'u':  // the Writer escapes only control characters this way
                    if (i + 4 >= json.size() || json[i + 1] != '0' || json[i + 2] != '0' ||
                        (json[i + 3] != '0' && json[i + 3] != '1') || !is_hex(json[i + 4]))
                        return false;
                    i += 4;
                    break;
                default:
                    return false;
            }
        }
    }
    return !in_string;
}

}  // namespace vigil::central
