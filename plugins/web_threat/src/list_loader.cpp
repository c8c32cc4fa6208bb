#include "list_loader.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <filesystem>
#include <vigil/common/atomic_file.hpp>
#include <vigil/common/small_file.hpp>
#include <vigil/common/time.hpp>
#include <vigil/common/trusted_path.hpp>
#include <vigil/json_reader.hpp>
#include <vigil/json_writer.hpp>

namespace vigil::web_threat {

namespace {

void add_file_lists(ListSetBuilder& b, const std::vector<ListSpec>& files, uint64_t max_bytes, bool require_trusted,
                    LoadOutcome& out) {
    for (const auto& spec : files) {
        const size_t lists_before = b.list_count();
        try {
            if (require_trusted) {
                const std::string warning = common::require_trusted_path(spec.path, "block list", common::PathKind::file);
                if (!warning.empty()) out.problems.push_back(warning);
            }
            const LoadReport r = load_list_file(b, spec, max_bytes);
            out.problems.insert(out.problems.end(), r.problems.begin(), r.problems.end());
        } catch (const std::exception& e) {
            // A list refused half-way contributes nothing.
            if (b.list_count() > lists_before) b.abandon_list();
            out.errors.push_back(e.what());
        }
    }
}

}  // namespace

std::vector<ListSpec> CentralLists::kept() const {
    const std::string index = dir_ + "/index.json";
    auto text = common::read_small_file(index, {.max_bytes = 1 << 20});
    if (!text) return {};
    std::vector<ListSpec> out;
    try {
        const json::Value v = json::parse(*text);
        if (!v.is_array()) throw std::runtime_error("not a list");
        for (size_t i = 0; i < v.items().size(); ++i) {
            const auto& item = v.items()[i];
            auto field = [&](const char* k) -> std::optional<std::string> {
                const json::Value* f = item.is_object() ? item.find(k) : nullptr;
                if (!f || !f->is_string()) return std::nullopt;
                return f->as_string();
            };
            const auto name = field("name"), format = field("format");
            if (!name || !format) throw std::runtime_error("entry " + std::to_string(i) + " lacks name or format");
            out.push_back(make_list_spec("[" + std::to_string(i) + "]", *name, dir_ + "/" + *name + ".list", *format,
                                         field("category"), field("match")));
        }
    } catch (const std::exception& e) {
        throw std::runtime_error("the central lists index " + index + " is damaged: " + e.what());
    }
    return out;
}

void CentralLists::replace(const std::vector<SentList>& lists) const {
    std::filesystem::create_directories(dir_);
    ::chmod(dir_.c_str(), 0700);
    JsonWriter w;
    w.begin_array();
    for (const auto& l : lists) {
        common::write_file_atomic(dir_ + "/" + l.spec.name + ".list", l.content, {.mode = 0600});
        w.begin_object()
            .field("name", l.spec.name)
            .field("format", format_name(l.spec.format))
            .field("category", category_name(l.spec.category))
            .field("match", l.spec.suffix ? "suffix" : "exact")
            .end_object();
    }
    w.end_array();
    common::write_file_atomic(dir_ + "/index.json", w.text(), {.mode = 0600});
    // Lists no longer named by the index are removed.
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
        const std::string name = entry.path().filename().string();
        if (name == "index.json") continue;
        bool keep = false;
        for (const auto& l : lists) keep = keep || name == l.spec.name + ".list";
        if (!keep) std::filesystem::remove(entry.path());
    }
}

LoadOutcome load_lists(const std::vector<ListSpec>& files, const std::vector<ListSpec>& central,
                       const std::vector<SentList>& sent, uint64_t max_bytes, bool require_trusted) {
    const int64_t t0 = common::monotonic_ns();
    LoadOutcome out;
    ListSetBuilder b;
    add_file_lists(b, files, max_bytes, require_trusted, out);
    // Kept central lists are in the agent's own state directory.
    add_file_lists(b, central, max_bytes, false, out);
    for (const auto& l : sent) {
        const LoadReport r = parse_list_text(b, l.spec, l.content, l.source.empty() ? "set_lists:" + l.spec.name : l.source);
        out.problems.insert(out.problems.end(), r.problems.begin(), r.problems.end());
    }
    out.set = b.finish();
    out.load_ms = (common::monotonic_ns() - t0) / 1000000;
    return out;
}

}  // namespace vigil::web_threat
