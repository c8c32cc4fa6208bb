#include <vigil/common/prometheus.hpp>

#include <charconv>
#include <cmath>

namespace vigil::common::prom {

const char* type_name(Type t) {
    switch (t) {
    case Type::counter: return "counter";
    case Type::gauge: return "gauge";
    case Type::histogram: return "histogram";
    }
    return "untyped";
}

bool parse_type(std::string_view text, Type& out) {
    if (text == "counter") out = Type::counter;
    else if (text == "gauge") out = Type::gauge;
    else if (text == "histogram") out = Type::histogram;
    else return false;
    return true;
}

namespace {
bool name_char(char c, bool first, bool colon) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return true;
    if (colon && c == ':') return true;
    return !first && c >= '0' && c <= '9';
}

void render_labels(std::string& out, const Labels& labels, const char* le = nullptr) {
    if (labels.empty() && !le) return;
    out += '{';
    bool first = true;
    for (const auto& [k, v] : labels) {
        if (!first) out += ',';
        first = false;
        out += k + "=\"" + escape_label_value(v) + "\"";
    }
    if (le) out += std::string(first ? "" : ",") + "le=\"" + le + "\"";
    out += '}';
}

void render_histogram(std::string& out, const Family& f, const Sample& s) {
    const auto& h = s.histogram;
    for (size_t i = 0; i < h.bounds.size() && i < h.cumulative.size(); ++i) {
        out += f.name + "_bucket";
        std::string le = format_value(h.bounds[i]);
        render_labels(out, s.labels, le.c_str());
        out += ' ' + std::to_string(h.cumulative[i]) + '\n';
    }
    out += f.name + "_bucket";
    render_labels(out, s.labels, "+Inf");
    out += ' ' + std::to_string(h.count) + '\n';
    out += f.name + "_sum";
    render_labels(out, s.labels);
    out += ' ' + format_value(h.sum) + '\n';
    out += f.name + "_count";
    render_labels(out, s.labels);
    out += ' ' + std::to_string(h.count) + '\n';
}
}  // namespace

bool valid_metric_name(std::string_view n) {
    if (n.empty()) return false;
    for (size_t i = 0; i < n.size(); ++i)
        if (!name_char(n[i], i == 0, true)) return false;
    return true;
}

bool valid_label_name(std::string_view n) {
    if (n.empty() || n.substr(0, 2) == "__") return false;
    for (size_t i = 0; i < n.size(); ++i)
        if (!name_char(n[i], i == 0, false)) return false;
    return true;
}

namespace {
// Backslash and newline escaped (and '"' with `quote`), as the text format wants.
std::string escape(std::string_view v, bool quote) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (c == '\\') out += "\\\\";
        else if (quote && c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}
}  // namespace

std::string escape_label_value(std::string_view v) { return escape(v, true); }

std::string escape_help(std::string_view v) { return escape(v, false); }

std::string format_value(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

void Family::add(Labels labels, double value) { samples.push_back(Sample{std::move(labels), value, {}}); }

void Family::add_histogram(Labels labels, HistogramData data) {
    samples.push_back(Sample{std::move(labels), 0, std::move(data)});
}

Family* Exposition::family(std::string_view name, Type type, std::string_view help) {
    if (!valid_metric_name(name)) return nullptr;
    if (auto it = index_.find(name); it != index_.end()) {
        Family& f = families_[it->second];
        return f.type == type ? &f : nullptr;
    }
    index_.emplace(std::string(name), families_.size());
    families_.push_back(Family{std::string(name), type, std::string(help), {}});
    return &families_.back();
}

const Family* Exposition::find(std::string_view name) const {
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : &families_[it->second];
}

std::string Exposition::render() const {
    std::string out;
    for (const auto& f : families_) {
        if (f.samples.empty()) continue;
        out += "# HELP " + f.name + ' ' + escape_help(f.help) + '\n';
        out += "# TYPE " + f.name + ' ' + type_name(f.type) + '\n';
        for (const auto& s : f.samples) {
            if (f.type == Type::histogram) {
                render_histogram(out, f, s);
                continue;
            }
            out += f.name;
            render_labels(out, s.labels);
            out += ' ' + format_value(s.value) + '\n';
        }
    }
    return out;
}

}  // namespace vigil::common::prom
