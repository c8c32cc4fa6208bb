#include "tree_walk.hpp"

#include <filesystem>

namespace vigil::file_threat {

namespace fs = std::filesystem;

void walk_files(const std::vector<std::string>& roots, bool recursive, const Exclusions& exclusions,
                const std::atomic<bool>& cancel, const std::function<void(const std::string&)>& on_file,
                const std::function<void(const std::string&, const std::string&)>& on_error, WalkCounters& c) {
    for (const auto& root : roots) {
        if (cancel) return;
        std::error_code ec;
        auto st = fs::symlink_status(root, ec);
        if (ec || !fs::exists(st)) {
            c.errors++;
            on_error(root, "no such file or directory");
            continue;
        }
        if (exclusions.excluded(root)) {
            c.excluded++;
            continue;
        }
        if (fs::is_regular_file(st)) {
            c.files++;
            on_file(root);
            continue;
        }
        if (!fs::is_directory(st)) continue;
        auto opts = fs::directory_options::skip_permission_denied;
        if (recursive) {
            fs::recursive_directory_iterator it(root, opts, ec), end;
            if (ec) {
                c.errors++;
                on_error(root, ec.message());
                continue;
            }
            while (it != end && !cancel) {
                const std::string p = it->path().string();
                if (exclusions.excluded(p)) {
                    c.excluded++;
                    if (it->is_directory(ec)) it.disable_recursion_pending();
                } else if (!it->is_symlink(ec) && it->is_regular_file(ec)) {
                    c.files++;
                    on_file(p);
                }
                it.increment(ec);
                if (ec) {  // the iterator cannot go on after an error
                    c.errors++;
                    on_error(p, ec.message());
                    break;
                }
            }
        } else {
            for (fs::directory_iterator it(root, opts, ec), end; !ec && it != end && !cancel; it.increment(ec)) {
                const std::string p = it->path().string();
                if (exclusions.excluded(p)) {
                    c.excluded++;
                    continue;
                }
                if (!it->is_symlink(ec) && it->is_regular_file(ec)) {
                    c.files++;
                    on_file(p);
                }
            }
            if (ec) {
                c.errors++;
                on_error(root, ec.message());
            }
        }
    }
}

}  // namespace vigil::file_threat
