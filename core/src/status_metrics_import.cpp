#include "status_metrics_import.hpp"

#include <algorithm>
#include <cmath>
#include <set>

namespace vigil::core {

namespace prom = common::prom;

namespace {

struct Importer {
    std::string_view plugin;
    prom::Exposition& out;
    const std::function<bool(std::string_view)>& is_host_family;
    const MetricsImportLimits& limits;
    MetricsImportResult result;
    size_t samples = 0;

    void reject(const std::string& why) {
        ++result.rejected;
        if (result.first_error.empty()) result.first_error = why;
    }

    bool labels_of(const rapidjson::Value& s, prom::Labels& labels, const std::string& name) {
        labels.clear();
        if (s.HasMember("labels")) {
            const auto& l = s["labels"];
            if (!l.IsObject() || l.MemberCount() > limits.max_labels) {
                reject(name + ": labels must be an object with at most " + std::to_string(limits.max_labels) +
                       " members");
                return false;
            }
            for (auto it = l.MemberBegin(); it != l.MemberEnd(); ++it) {
                std::string_view k(it->name.GetString(), it->name.GetStringLength());
                if (!prom::valid_label_name(k) || k == "le" || k == "plugin" || !it->value.IsString() ||
                    it->value.GetStringLength() > limits.max_label_value) {
                    reject(name + ": label '" + std::string(k.substr(0, 64)) +
                           "' is reserved, invalid, not a string or too long");
                    return false;
                }
                labels.emplace_back(std::string(k), std::string(it->value.GetString(), it->value.GetStringLength()));
            }
        }
        std::sort(labels.begin(), labels.end());
        labels.insert(labels.begin(), {"plugin", std::string(plugin)});
        return true;
    }

    bool histogram_of(const rapidjson::Value& s, prom::HistogramData& h, const std::string& name) {
        if (!s.HasMember("buckets") || !s["buckets"].IsArray() || s["buckets"].Size() > limits.max_buckets ||
            !s.HasMember("count") || !s["count"].IsUint64() || !s.HasMember("sum") || !s["sum"].IsNumber()) {
            reject(name + ": a histogram sample needs buckets (at most " + std::to_string(limits.max_buckets) +
                   "), count and sum");
            return false;
        }
        h.count = s["count"].GetUint64();
        h.sum = s["sum"].GetDouble();
        for (const auto& b : s["buckets"].GetArray()) {
            if (!b.IsArray() || b.Size() != 2 || !b[0].IsNumber() || !b[1].IsUint64() ||
                !std::isfinite(b[0].GetDouble()) ||
                (!h.bounds.empty() && (b[0].GetDouble() <= h.bounds.back() || b[1].GetUint64() < h.cumulative.back())) ||
                b[1].GetUint64() > h.count) {
                reject(name + ": buckets must be [le, cumulative count] with increasing le and counts <= count");
                return false;
            }
            h.bounds.push_back(b[0].GetDouble());
            h.cumulative.push_back(b[1].GetUint64());
        }
        return true;
    }

    bool family_header(const rapidjson::Value& fam, std::string& name, prom::Type& type, std::string& help) {
        if (!fam.IsObject() || !fam.HasMember("name") || !fam["name"].IsString() || !fam.HasMember("type") ||
            !fam["type"].IsString() || !fam.HasMember("samples") || !fam["samples"].IsArray()) {
            reject("a metric family needs name, type and samples");
            return false;
        }
        name.assign(fam["name"].GetString(), fam["name"].GetStringLength());
        if (name.size() > 100 || name.rfind("vigil_", 0) != 0 || !prom::valid_metric_name(name) ||
            name.find(':') != std::string::npos) {
            reject("metric name '" + name.substr(0, 100) + "' must be vigil_[a-z0-9_]+ (at most 100 characters)");
            return false;
        }
        if (!prom::parse_type(fam["type"].GetString(), type)) {
            reject(name + ": type must be counter, gauge or histogram");
            return false;
        }
        if (type == prom::Type::counter && (name.size() < 6 || name.compare(name.size() - 6, 6, "_total") != 0)) {
            reject(name + ": a counter's name must end in _total");
            return false;
        }
        if (is_host_family(name)) {
            reject(name + ": the host renders this family itself");
            return false;
        }
        if (fam.HasMember("help") && fam["help"].IsString())
            help.assign(fam["help"].GetString(), std::min<size_t>(fam["help"].GetStringLength(), limits.max_help));
        return true;
    }

    void add_sample(prom::Family& f, const rapidjson::Value& s, std::set<prom::Labels>& seen) {
        if (++samples > limits.max_samples) {
            reject(f.name + ": more than " + std::to_string(limits.max_samples) + " samples from one plugin");
            return;
        }
        prom::Labels labels;
        if (!s.IsObject() || !labels_of(s, labels, f.name)) {
            if (!s.IsObject()) reject(f.name + ": a sample must be an object");
            return;
        }
        if (!seen.insert(labels).second) return reject(f.name + ": the same labels twice");
        if (f.type == prom::Type::histogram) {
            prom::HistogramData h;
            if (histogram_of(s, h, f.name)) f.add_histogram(std::move(labels), std::move(h));
            else return;
        } else {
            if (!s.HasMember("value") || !s["value"].IsNumber() || !std::isfinite(s["value"].GetDouble()) ||
                (f.type == prom::Type::counter && s["value"].GetDouble() < 0))
                return reject(f.name + ": value must be a finite number (>= 0 for a counter)");
            f.add(std::move(labels), s["value"].GetDouble());
        }
        ++result.accepted;
    }

    void run(const rapidjson::Value& metrics) {
        if (!metrics.IsArray()) return reject("\"metrics\" must be an array of metric families");
        size_t families = 0;
        for (const auto& fam : metrics.GetArray()) {
            if (++families > limits.max_families) {
                reject("more than " + std::to_string(limits.max_families) + " metric families");
                break;
            }
            std::string name, help;
            prom::Type type;
            if (!family_header(fam, name, type, help)) continue;
            prom::Family* f = out.family(name, type, help);
            if (!f) {
                reject(name + ": another plugin declared this family with another type");
                continue;
            }
            std::set<prom::Labels> seen;
            for (const auto& s : fam["samples"].GetArray()) add_sample(*f, s, seen);
        }
    }
};

}  // namespace

MetricsImportResult import_status_metrics(std::string_view plugin, const rapidjson::Value& metrics,
                                          prom::Exposition& out,
                                          const std::function<bool(std::string_view)>& is_host_family,
                                          const MetricsImportLimits& limits) {
    Importer imp{plugin, out, is_host_family, limits, {}};
    imp.run(metrics);
    return imp.result;
}

}  // namespace vigil::core
