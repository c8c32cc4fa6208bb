#pragma once
// A strict parser of the Prometheus text exposition format 0.0.4 for tests:
// HELP/TYPE at most once per family and before its samples, samples of a
// family contiguous, valid names, label escapes (\\ \" \n only), values,
// no duplicate series, counters >= 0, histograms with cumulative buckets, a
// +Inf bucket equal to _count, and _sum/_count present. Independent of the
// renderer under test (it shares no code with it).
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace vigil::testing {

struct PromSample {
    std::string name;  // full sample name (e.g. x_bucket)
    std::map<std::string, std::string> labels;
    double value = 0;
};

struct PromFamily {
    std::string type = "untyped";
    std::string help;
    std::vector<PromSample> samples;
};

struct PromParse {
    std::map<std::string, PromFamily> families;
    std::vector<std::string> errors;
    bool ok() const { return errors.empty(); }
    // Value of the sample `name` with exactly these labels; NaN when absent.
    double value(const std::string& name, const std::map<std::string, std::string>& labels = {}) const {
        for (const auto& [fam, f] : families)
            for (const auto& s : f.samples)
                if (s.name == name && s.labels == labels) return s.value;
        return std::nan("");
    }
    bool has(const std::string& family) const { return families.count(family) && !families.at(family).samples.empty(); }
};

namespace prom_detail {
inline bool name_ok(const std::string& n, bool colon) {
    if (n.empty()) return false;
    for (size_t i = 0; i < n.size(); ++i) {
        char c = n[i];
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
        if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
    }
    return true;
}

inline bool parse_value(const std::string& t, double& v) {
    if (t == "+Inf" || t == "Inf") return v = HUGE_VAL, true;
    if (t == "-Inf") return v = -HUGE_VAL, true;
    if (t == "NaN") return v = std::nan(""), true;
    char* end = nullptr;
    v = std::strtod(t.c_str(), &end);
    return !t.empty() && end && *end == 0;
}

inline std::string family_of(const std::string& sample, const std::map<std::string, PromFamily>& fams) {
    for (const char* suf : {"_bucket", "_sum", "_count"}) {
        std::string s(suf);
        if (sample.size() > s.size() && sample.compare(sample.size() - s.size(), s.size(), s) == 0) {
            std::string base = sample.substr(0, sample.size() - s.size());
            if (fams.count(base) && fams.at(base).type == "histogram") return base;
        }
    }
    return sample;
}

// Parses `name{a="b",...} value`; false with `err` on a syntax error.
inline bool parse_sample(const std::string& line, PromSample& s, std::string& err) {
    size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    s.name = line.substr(0, i);
    if (!name_ok(s.name, true)) return err = "bad metric name '" + s.name + "'", false;
    if (i < line.size() && line[i] == '{') {
        ++i;
        while (i < line.size() && line[i] != '}') {
            size_t eq = line.find('=', i);
            if (eq == std::string::npos) return err = "label without =", false;
            std::string k = line.substr(i, eq - i);
            if (!name_ok(k, false) || k.rfind("__", 0) == 0) return err = "bad label name '" + k + "'", false;
            if (eq + 1 >= line.size() || line[eq + 1] != '"') return err = "label value not quoted", false;
            std::string v;
            size_t j = eq + 2;
            for (; j < line.size() && line[j] != '"'; ++j) {
                if (line[j] != '\\') { v += line[j]; continue; }
                if (++j >= line.size()) return err = "dangling escape", false;
                if (line[j] == 'n') v += '\n';
                else if (line[j] == '\\' || line[j] == '"') v += line[j];
                else return err = std::string("bad escape \\") + line[j], false;
            }
            if (j >= line.size()) return err = "unterminated label value", false;
            if (!s.labels.emplace(k, v).second) return err = "label '" + k + "' twice", false;
            i = j + 1;
            if (i < line.size() && line[i] == ',') ++i;
        }
        if (i >= line.size()) return err = "unterminated label set", false;
        ++i;
    }
    std::istringstream rest(line.substr(i));
    std::string value, ts, extra;
    rest >> value >> ts >> extra;
    if (!extra.empty()) return err = "trailing text", false;
    if (!parse_value(value, s.value)) return err = "bad value '" + value + "'", false;
    return true;
}

inline void check_histogram(const std::string& name, const PromFamily& f, std::vector<std::string>& errors) {
    std::map<std::map<std::string, std::string>, std::vector<std::pair<double, double>>> buckets;
    std::map<std::map<std::string, std::string>, double> counts;
    std::set<std::map<std::string, std::string>> sums;
    for (const auto& s : f.samples) {
        auto l = s.labels;
        if (s.name == name + "_bucket") {
            double le;
            if (!l.count("le") || !parse_value(l["le"], le)) { errors.push_back(name + ": bucket without le"); continue; }
            l.erase("le");
            buckets[l].push_back({le, s.value});
        } else if (s.name == name + "_count") {
            counts[l] = s.value;
        } else if (s.name == name + "_sum") {
            sums.insert(l);
        } else {
            errors.push_back(name + ": unexpected sample " + s.name);
        }
    }
    for (const auto& [l, b] : buckets) {
        for (size_t i = 1; i < b.size(); ++i)
            if (b[i].first <= b[i - 1].first || b[i].second < b[i - 1].second)
                errors.push_back(name + ": buckets not increasing/cumulative");
        if (b.empty() || !std::isinf(b.back().first)) errors.push_back(name + ": no +Inf bucket");
        else if (!counts.count(l) || counts[l] != b.back().second) errors.push_back(name + ": _count != +Inf bucket");
        if (!sums.count(l)) errors.push_back(name + ": no _sum");
    }
}
}  // namespace prom_detail

inline PromParse parse_prometheus_text(const std::string& text) {
    using namespace prom_detail;
    PromParse out;
    std::set<std::string> closed;  // families whose samples ended
    std::set<std::string> series;
    std::string current;
    std::istringstream in(text);
    std::string line;
    int n = 0;
    auto fail = [&](const std::string& e) { out.errors.push_back("line " + std::to_string(n) + ": " + e); };
    while (std::getline(in, line)) {
        ++n;
        if (line.empty()) continue;
        if (line[0] == '#') {
            std::istringstream w(line.substr(1));
            std::string kw, name, rest;
            w >> kw >> name;
            std::getline(w, rest);
            if (!rest.empty() && rest[0] == ' ') rest.erase(0, 1);
            if (kw != "HELP" && kw != "TYPE") continue;
            if (!name_ok(name, true)) { fail("bad name in # " + kw); continue; }
            PromFamily& f = out.families[name];
            if (!f.samples.empty() || closed.count(name)) fail("# " + kw + " " + name + " after its samples");
            if (kw == "TYPE") {
                static const std::set<std::string> types{"counter", "gauge", "histogram", "summary", "untyped"};
                if (!types.count(rest)) fail("unknown type " + rest);
                f.type = rest;
            } else {
                f.help = rest;
            }
            continue;
        }
        PromSample s;
        std::string err;
        if (!parse_sample(line, s, err)) { fail(err); continue; }
        std::string fam = family_of(s.name, out.families);
        if (fam != current) {
            if (!current.empty()) closed.insert(current);
            if (closed.count(fam)) fail("samples of " + fam + " are not contiguous");
            current = fam;
        }
        std::ostringstream key;
        key << s.name;
        for (const auto& [k, v] : s.labels) key << '\x1f' << k << '=' << v;
        if (!series.insert(key.str()).second) fail("duplicate series " + key.str());
        PromFamily& f = out.families[fam];
        if (f.type == "counter" && (s.value < 0 || std::isnan(s.value))) fail(s.name + ": negative counter");
        f.samples.push_back(std::move(s));
    }
    for (const auto& [name, f] : out.families)
        if (f.type == "histogram") check_histogram(name, f, out.errors);
    return out;
}

}  // namespace vigil::testing
