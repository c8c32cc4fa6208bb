#include "ioc_parser.hpp"

#include <Poco/SAX/Attributes.h>
#include <Poco/SAX/ContentHandler.h>
#include <Poco/SAX/Locator.h>
#include <Poco/SAX/SAXException.h>
#include <Poco/SAX/SAXParser.h>
#include <Poco/SAX/XMLReader.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <optional>
#include <sstream>
#include <vector>

#include "vigil/common/trusted_path.hpp"

namespace vigil::ioc_scanner {

ParseError::ParseError(std::string source, int line, std::string reason)
    : std::runtime_error(source + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " + reason),
      source_(std::move(source)),
      line_(line),
      reason_(std::move(reason)) {}

namespace {

using Poco::XML::XMLString;

// Thrown inside the SAX callbacks, converted to ParseError outside.
struct StructureError {
    int line;
    std::string reason;
};

bool parse_bool(const std::string& v, bool& out) {
    if (v == "true" || v == "1" || v == "True" || v == "TRUE") return out = true, true;
    if (v == "false" || v == "0" || v.empty() || v == "False" || v == "FALSE") return out = false, true;
    return false;
}

// Maps a condition attribute to the normalized condition and its negation.
bool parse_condition(std::string v, Condition& c, bool& negated) {
    std::transform(v.begin(), v.end(), v.begin(), [](unsigned char ch) { return char(std::tolower(ch)); });
    negated = false;
    if (v == "is") return c = Condition::Is, true;
    if (v == "isnot") return c = Condition::Is, negated = true, true;
    if (v == "contains") return c = Condition::Contains, true;
    if (v == "containsnot") return c = Condition::Contains, negated = true, true;
    if (v == "matches") return c = Condition::Matches, true;
    if (v == "starts-with" || v == "startswith") return c = Condition::StartsWith, true;
    if (v == "ends-with" || v == "endswith") return c = Condition::EndsWith, true;
    if (v == "greater-than" || v == "greaterthan") return c = Condition::GreaterThan, true;
    if (v == "less-than" || v == "lessthan") return c = Condition::LessThan, true;
    return false;
}

// The schema fixes the order of the metadata elements (1.1: inside
// <metadata>; 1.0: directly under <ioc>, followed by <definition>).
constexpr std::array<std::string_view, 7> kMetadataOrder = {
    "short_description", "description", "keywords", "authored_by", "authored_date", "links", "definition"};

int metadata_rank(const std::string& name) {
    for (size_t i = 0; i < kMetadataOrder.size(); ++i)
        if (kMetadataOrder[i] == name) return int(i);
    return -1;
}

class Handler : public Poco::XML::ContentHandler {
public:
    explicit Handler(Ioc& out) : ioc_(out) {}

    // The first structural error. Handlers never throw into expat: unwinding
    // through its C frames leaks what it had allocated for the element being
    // started (found by the fuzzer); later events are ignored instead.
    const std::optional<StructureError>& error() const { return error_; }

    void setDocumentLocator(const Poco::XML::Locator* loc) override { locator_ = loc; }
    void startDocument() override {}
    void endDocument() override {
        guarded([&] { end_document(); });
    }
    void characters(const XMLString::value_type ch[], int start, int length) override {
        if (collect_ && !error_) text_.append(ch + start, size_t(length));
    }
    void startElement(const XMLString& uri, const XMLString& local, const XMLString& qname,
                      const Poco::XML::Attributes& attrs) override {
        guarded([&] { start_element(uri, local, qname, attrs); });
    }
    void endElement(const XMLString& uri, const XMLString& local, const XMLString& qname) override {
        guarded([&] { end_element(uri, local, qname); });
    }
    void startPrefixMapping(const XMLString&, const XMLString&) override {}
    void endPrefixMapping(const XMLString&) override {}
    void ignorableWhitespace(const XMLString::value_type*, int, int) override {}
    void processingInstruction(const XMLString&, const XMLString&) override {}
    void skippedEntity(const XMLString&) override {}

private:
    template <class F>
    void guarded(F&& f) {
        if (error_) return;
        try {
            f();
        } catch (const StructureError& e) {
            error_ = e;
        }
    }

    void end_document() {
        if (!saw_root_) throw StructureError{0, "empty document"};
        if (!saw_criteria_)
            throw StructureError{0,
                                 ioc_.version == "1.1" ? "no <criteria> element" : "no <definition> element"};
        if (ioc_.roots.empty()) throw StructureError{0, "the IOC has no Indicator to evaluate"};
    }

    void start_element(const XMLString&, const XMLString& local, const XMLString&,
                       const Poco::XML::Attributes& attrs) {
        const int line = locator_ ? locator_->getLineNumber() : 0;
        const std::string parent = path_.empty() ? std::string() : path_.back();
        path_.push_back(local);
        text_.clear();
        collect_ = false;

        if (path_.size() == 1) {
            saw_root_ = true;
            if (local == "ioc") {
                ioc_.version = "1.0";
            } else if (local == "OpenIOC") {
                ioc_.version = "1.1";
            } else {
                throw StructureError{line,
                                     "root element <" + local +
                                         "> is neither <ioc> (OpenIOC 1.0) nor <OpenIOC> (OpenIOC 1.1)"};
            }
            ioc_.id = attr(attrs, "id");
            ioc_.last_modified = attr(attrs, "last-modified");
            return;
        }

        const bool in_metadata_parent = (ioc_.version == "1.0" && path_.size() == 2) ||
                                        (ioc_.version == "1.1" && parent == "metadata" && path_.size() == 3);
        if (in_metadata_parent) {
            check_metadata_order(local, line);
            if (local == "short_description" || local == "description" || local == "authored_by" ||
                local == "authored_date")
                collect_ = true;
        }
        if (ioc_.version == "1.1" && path_.size() == 2) check_top_order(local, line);

        if (local == "definition" || local == "criteria") {
            if (path_.size() != 2 && !(ioc_.version == "1.0" && path_.size() == 2))
                throw StructureError{line, "<" + local + "> must be a child of the root element"};
            saw_criteria_ = true;
            return;
        }
        if (local == "Indicator") {
            if (parent != "definition" && parent != "criteria" && parent != "Indicator")
                throw StructureError{line, "<Indicator> inside <" + parent + ">"};
            auto ind = std::make_unique<Indicator>();
            ind->id = attr(attrs, "id");
            ind->line = line;
            const std::string op = attr(attrs, "operator");
            if (op == "AND" || op == "and")
                ind->op = Operator::And;
            else if (op == "OR" || op == "or")
                ind->op = Operator::Or;
            else
                throw StructureError{line, "Indicator " + quote(ind->id) + " has operator " + quote(op) +
                                               " (expected AND or OR)"};
            Indicator* raw = ind.get();
            if (parent == "Indicator")
                indicators_.back()->children.push_back(std::move(ind));
            else
                ioc_.roots.push_back(std::move(ind));
            indicators_.push_back(raw);
            return;
        }
        if (local == "IndicatorItem") {
            if (parent != "Indicator") throw StructureError{line, "<IndicatorItem> outside an <Indicator>"};
            item_ = IndicatorItem{};
            item_.id = attr(attrs, "id");
            item_.line = line;
            item_.condition_text = attr(attrs, "condition");
            bool negated = false;
            if (!parse_condition(item_.condition_text, item_.condition, negated))
                throw StructureError{line,
                                     "IndicatorItem " + quote(item_.id) + " has unknown condition " +
                                         quote(item_.condition_text) +
                                         " (expected is, isnot, contains, containsnot, matches, starts-with, "
                                         "ends-with, greater-than or less-than)"};
            bool negate = false, preserve = false;
            const std::string n = attr(attrs, "negate"), p = attr(attrs, "preserve-case");
            if (!parse_bool(n, negate))
                throw StructureError{
                    line, "IndicatorItem " + quote(item_.id) + ": negate=" + quote(n) + " is not a boolean"};
            if (!parse_bool(p, preserve))
                throw StructureError{line, "IndicatorItem " + quote(item_.id) +
                                               ": preserve-case=" + quote(p) + " is not a boolean"};
            item_.negate = negate != negated;  // "isnot" with negate="true" is a double negation
            item_.preserve_case = preserve;
            in_item_ = true;
            saw_context_ = saw_content_ = false;
            return;
        }
        if (local == "Context" && in_item_ && parent == "IndicatorItem") {
            saw_context_ = true;
            item_.document = attr(attrs, "document");
            item_.search = attr(attrs, "search");
            item_.context_type = attr(attrs, "type");
            if (item_.search.empty())
                throw StructureError{
                    line, "IndicatorItem " + quote(item_.id) + ": <Context> has no search attribute"};
            return;
        }
        if (local == "Content" && in_item_ && parent == "IndicatorItem") {
            saw_content_ = true;
            item_.content_type = attr(attrs, "type");
            collect_ = true;
            return;
        }
    }

    void end_element(const XMLString&, const XMLString& local, const XMLString&) {
        if (!path_.empty()) path_.pop_back();
        if (local == "Content" && in_item_) {
            item_.content = trim(text_);
        } else if (local == "IndicatorItem" && in_item_) {
            in_item_ = false;
            if (!saw_context_)
                throw StructureError{item_.line, "IndicatorItem " + quote(item_.id) + " has no <Context>"};
            if (!saw_content_)
                throw StructureError{item_.line, "IndicatorItem " + quote(item_.id) + " has no <Content>"};
            indicators_.back()->items.push_back(std::move(item_));
        } else if (local == "Indicator") {
            indicators_.pop_back();
        } else if (local == "short_description") {
            if (ioc_.short_description.empty()) ioc_.short_description = trim(text_);
        } else if (local == "description") {
            if (ioc_.description.empty()) ioc_.description = trim(text_);
        } else if (local == "authored_by") {
            ioc_.authored_by = trim(text_);
        } else if (local == "authored_date") {
            ioc_.authored_date = trim(text_);
        }
        collect_ = false;
    }

private:
    static std::string attr(const Poco::XML::Attributes& a, const char* name) {
        // Attributes are unqualified in OpenIOC; look them up by local name.
        for (int i = 0; i < a.getLength(); ++i)
            if (a.getLocalName(i) == name || a.getQName(i) == name) return a.getValue(i);
        return {};
    }
    static std::string quote(const std::string& s) { return "\"" + s + "\""; }
    static std::string trim(const std::string& s) {
        size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
        return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
    }
    void check_metadata_order(const std::string& name, int line) {
        int rank = metadata_rank(name);
        if (rank < 0) return;  // other elements (e.g. 1.0 extensions) are tolerated
        if (rank <= last_meta_rank_) {
            const std::string where = ioc_.version == "1.1" ? "<metadata>" : "<ioc>";
            std::string order;
            for (size_t i = 0; i < kMetadataOrder.size() - (ioc_.version == "1.1" ? 1 : 0); ++i)
                order += (i ? ", " : "") + std::string(kMetadataOrder[i]);
            throw StructureError{
                line, "<" + name + "> " +
                          (rank == last_meta_rank_ ? std::string("appears twice")
                                                   : "comes after <" + last_meta_name_ + ">") +
                          " in " + where + "; OpenIOC " + ioc_.version + " requires the order " + order};
        }
        last_meta_rank_ = rank;
        last_meta_name_ = name;
    }
    void check_top_order(const std::string& name, int line) {
        static const std::array<std::string_view, 3> order = {"metadata", "criteria", "parameters"};
        int rank = -1;
        for (size_t i = 0; i < order.size(); ++i)
            if (order[i] == name) rank = int(i);
        if (rank < 0) return;
        if (rank <= last_top_rank_)
            throw StructureError{
                line, "<" + name +
                          "> out of order in <OpenIOC>; OpenIOC 1.1 requires metadata, criteria, parameters"};
        last_top_rank_ = rank;
    }

    Ioc& ioc_;
    std::optional<StructureError> error_;
    const Poco::XML::Locator* locator_ = nullptr;
    std::vector<std::string> path_;
    std::vector<Indicator*> indicators_;
    IndicatorItem item_;
    bool in_item_ = false, saw_context_ = false, saw_content_ = false;
    bool collect_ = false, saw_root_ = false, saw_criteria_ = false;
    std::string text_;
    int last_meta_rank_ = -1, last_top_rank_ = -1;
    std::string last_meta_name_;
};

}  // namespace

Ioc parse_ioc(std::string_view xml, const std::string& source) {
    if (xml.size() > kMaxIocBytes)
        throw ParseError(source, 0, "document is larger than " + std::to_string(kMaxIocBytes >> 20) + " MB");
    Ioc out;
    out.source = source;
    Handler handler(out);
    Poco::XML::SAXParser parser;
    parser.setFeature(Poco::XML::XMLReader::FEATURE_NAMESPACES, true);
    parser.setFeature(Poco::XML::XMLReader::FEATURE_NAMESPACE_PREFIXES, false);
    parser.setContentHandler(&handler);
    // A structural error comes first in the document, so it wins over an
    // XML error expat meets later.
    std::optional<ParseError> xml_error;
    try {
        parser.parseMemoryNP(xml.data(), xml.size());
    } catch (const Poco::XML::SAXParseException& e) {
        // Poco's message already carries "(line N, column M)"; keep the reason only.
        std::string msg = e.message();
        if (auto p = msg.find(" [in line"); p != std::string::npos) msg.resize(p);
        xml_error.emplace(source, e.getLineNumber(), "invalid XML: " + msg);
    } catch (const Poco::Exception& e) {
        xml_error.emplace(source, 0, "invalid XML: " + e.displayText());
    }
    if (const auto& e = handler.error()) throw ParseError(source, e->line, e->reason);
    if (xml_error) throw *xml_error;
    return out;
}

Ioc load_ioc_file(const std::string& path) {
    // What an IOC says decides what gets quarantined or killed: only files
    // root alone controls (the developer override is logged by vigild).
    try {
        (void)vigil::common::require_trusted_path(path, "IOC file", vigil::common::PathKind::file);
    } catch (const vigil::common::UntrustedPath& e) {
        throw ParseError(path, 0, e.what());
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ParseError(path, 0, "cannot open file");
    in.seekg(0, std::ios::end);
    const auto size = in.tellg();
    if (size < 0) throw ParseError(path, 0, "cannot read file");
    if (size_t(size) > kMaxIocBytes)
        throw ParseError(path, 0, "file is larger than " + std::to_string(kMaxIocBytes >> 20) + " MB");
    in.seekg(0);
    std::string data(size_t(size), '\0');
    in.read(data.data(), size);
    if (!in) throw ParseError(path, 0, "cannot read file");
    return parse_ioc(data, path);
}

}  // namespace vigil::ioc_scanner
