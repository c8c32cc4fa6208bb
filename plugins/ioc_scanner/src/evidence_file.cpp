#include "evidence_file.hpp"

#include <fcntl.h>

#include <cerrno>

namespace vigil::ioc_scanner {

vigil::common::FileRef evidence_file(const Evidence& e) {
    namespace common = vigil::common;
    static const std::string proc = "/proc/";
    common::FileRef ref;
    const size_t root = e.open_path.find("/root/");
    if (e.open_path.rfind(proc, 0) == 0 && root != std::string::npos) {
        // The magic link to the other namespace's root is followed on purpose
        // (by root, set by the walker); everything beneath is not.
        common::UniqueFd base(::open(e.open_path.substr(0, root + 5).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
        if (!base.valid())
            throw common::SafeFsError("cannot open the root of " + e.open_path.substr(0, root), errno);
        ref = common::resolve_file_at(base.get(), e.open_path.substr(root + 6), e.open_path);
    } else {
        ref = common::resolve_file(e.open_path);
    }
    if (e.stamp.ino != 0) ref.expect = e.stamp;
    return ref;
}

}  // namespace vigil::ioc_scanner
