#pragma once
// Prometheus text exposition (format 0.0.4) without a client library: an
// in-memory set of metric families that samples are added to in any order,
// rendered with one HELP/TYPE block per family, escaped label values and
// histograms as _bucket{le=...}/_sum/_count. Used by vigild (agent metrics),
// vigil-central (/metrics) and the tests' parser.

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::common::prom {

using Labels = std::vector<std::pair<std::string, std::string>>;

enum class Type { counter, gauge, histogram };
const char* type_name(Type t);
bool parse_type(std::string_view text, Type& out);

// [a-zA-Z_:][a-zA-Z0-9_:]* (metric names) and [a-zA-Z_][a-zA-Z0-9_]* without a
// leading "__" (label names).
bool valid_metric_name(std::string_view name);
bool valid_label_name(std::string_view name);
// Escapes \ " and newline (label values); \ and newline (HELP text).
std::string escape_label_value(std::string_view v);
std::string escape_help(std::string_view v);
// Shortest text that reads back as the same double; +Inf, -Inf, NaN.
std::string format_value(double v);

struct HistogramData {
    std::vector<double> bounds;      // upper bounds, increasing, without +Inf
    std::vector<uint64_t> cumulative;  // observations <= bounds[i]
    uint64_t count = 0;                // all observations (the +Inf bucket)
    double sum = 0;
};

struct Sample {
    Labels labels;
    double value = 0;
    HistogramData histogram;  // histogram families only
};

struct Family {
    std::string name;
    Type type = Type::gauge;
    std::string help;
    std::vector<Sample> samples;

    void add(Labels labels, double value);
    void add_histogram(Labels labels, HistogramData data);
};

class Exposition {
public:
    // The family `name`, created on first use. nullptr when the name is
    // invalid or the family exists with another type.
    Family* family(std::string_view name, Type type, std::string_view help);
    const Family* find(std::string_view name) const;
    bool empty() const { return families_.empty(); }
    template <class F>
    void for_each(F&& f) const {
        for (const auto& fam : families_) f(fam);
    }

    // Families in creation order. A family without samples is left out
    // (e.g. detections before any rule fired).
    std::string render() const;

private:
    std::deque<Family> families_;
    std::map<std::string, size_t, std::less<>> index_;
};

// The media type to answer scrapes with.
inline constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace vigil::common::prom
