// Detector::load: finds rule files, compiles them, and records why a file was
// skipped. Nothing here throws to the caller: a bad file or directory is an
// issue in the stats, never a failed load.
#include <algorithm>
#include <fstream>
#include <sstream>

#include <vigil/sdk.hpp>

#include "ascii.hpp"
#include "behavior_sigma/detector.hpp"
#include "compiled_rule.hpp"
#include "rule_index.hpp"
#include "vigil/common/trusted_path.hpp"

namespace vigil::behavior::sigma {

namespace {

constexpr std::uintmax_t kMaxRuleFileBytes = 1 << 20;

bool is_rule_file(const std::filesystem::path& p) {
    std::string ext = to_lower(p.extension().string());
    return ext == ".yml" || ext == ".yaml";
}

// Rule files under `root`, sorted so load order (and duplicate handling) is stable.
std::vector<std::filesystem::path> find_rule_files(const std::filesystem::path& root, std::vector<LoadIssue>& issues) {
    namespace fs = std::filesystem;
    std::vector<fs::path> files;
    std::error_code ec;
    auto status = fs::status(root, ec);
    if (ec || !fs::exists(status)) {
        issues.push_back({root.string(), "rule directory does not exist"});
        return files;
    }
    if (fs::is_regular_file(status)) {
        files.push_back(root);
        return files;
    }
    if (!fs::is_directory(status)) {
        issues.push_back({root.string(), "not a directory or rule file"});
        return files;
    }
    fs::recursive_directory_iterator it(
        root, fs::directory_options::follow_directory_symlink | fs::directory_options::skip_permission_denied, ec);
    if (ec) {
        issues.push_back({root.string(), "cannot read directory: " + ec.message()});
        return files;
    }
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) {
            issues.push_back({root.string(), "cannot read directory: " + ec.message()});
            break;
        }
        std::error_code fec;
        if (it->is_regular_file(fec) && is_rule_file(it->path())) files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::optional<std::string> read_file(const std::filesystem::path& p, std::string& out) {
    // A rule anyone but root can edit could hide an attack or flood alerts.
    try {
        (void)vigil::common::require_trusted_path(p.string(), "rule file", vigil::common::PathKind::file);
    } catch (const vigil::common::UntrustedPath& e) {
        return e.what();
    }
    std::error_code ec;
    auto size = std::filesystem::file_size(p, ec);
    if (ec) return "cannot stat: " + ec.message();
    if (size > kMaxRuleFileBytes) return "file too large (" + std::to_string(size) + " bytes, limit 1 MiB)";
    std::ifstream in(p, std::ios::binary);
    if (!in) return "cannot open for reading";
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) return "read error";
    out = std::move(ss).str();
    return std::nullopt;
}

}  // namespace

LoadStats Detector::load(const LoadOptions& options, const std::function<void(const LoadIssue&)>& warn) {
    rules_.clear();
    for (auto& b : buckets_) {
        if (b) b->clear();
        else b = std::make_unique<RuleIndex>();
    }
    stats_ = LoadStats{};

    auto skip = [&](std::string file, std::string reason, bool is_rule) {
        if (is_rule) ++stats_.skipped;
        stats_.issues.push_back({std::move(file), std::move(reason)});
        if (warn) warn(stats_.issues.back());
    };

    if (options.builtin_rules) {
        for (const auto& b : builtin_rules()) {
            ++stats_.files;
            std::string origin = "builtin:" + std::string(b.name);
            if (auto err = add_rule(b.yaml, origin)) skip(origin, *err, true);
            else ++stats_.builtin;
        }
    }
    for (const auto& dir : options.rule_dirs) {
        std::vector<LoadIssue> dir_issues;
        auto files = find_rule_files(dir, dir_issues);
        for (auto& i : dir_issues) skip(std::move(i.file), std::move(i.reason), false);
        for (const auto& f : files) {
            ++stats_.files;
            std::string text;
            if (auto err = read_file(f, text)) {
                skip(f.string(), *err, true);
                continue;
            }
            if (auto err = add_rule(text, f.string())) skip(f.string(), *err, true);
        }
    }
    return stats_;
}

std::string LoadStats::to_json() const {
    std::string j = "{\"loaded\":" + std::to_string(loaded) + ",\"skipped\":" + std::to_string(skipped) +
                    ",\"active\":" + std::to_string(active) + ",\"builtin\":" + std::to_string(builtin) +
                    ",\"files\":" + std::to_string(files) + ",\"per_category\":{";
    for (std::size_t i = 0; i < kCategoryCount; ++i) {
        if (i) j += ',';
        j += "\"" + std::string(category_name(static_cast<Category>(i))) + "\":" + std::to_string(per_category[i]);
    }
    j += "},\"issues\":[";
    for (std::size_t i = 0; i < issues.size(); ++i) {
        if (i) j += ',';
        j += "{\"file\":\"" + json_escape(issues[i].file) + "\",\"reason\":\"" + json_escape(issues[i].reason) + "\"}";
    }
    return j + "]}";
}

}  // namespace vigil::behavior::sigma
