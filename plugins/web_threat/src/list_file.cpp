// Reading a list file: read() in 1 MiB chunks (no mmap: a list truncated
// while it is read must not SIGBUS the agent), lines cut at '\n', a line
// longer than kMaxLineBytes reported and skipped without being kept.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vigil/common/errno_text.hpp>
#include <vigil/common/safe_fs.hpp>

#include "list_parser.hpp"

namespace vigil::web_threat {

namespace {

constexpr size_t kChunk = 1 << 20;

class ChunkedLines {
public:
    explicit ChunkedLines(ListParser& p) : p_(p) {}

    void feed(std::string_view data) {
        while (!data.empty()) {
            const size_t nl = data.find('\n');
            const std::string_view piece = data.substr(0, nl);
            if (!skipping_) {
                if (pending_.size() + piece.size() > kMaxLineBytes) {
                    skipping_ = true;
                    pending_.clear();
                } else {
                    pending_.append(piece);
                }
            }
            if (nl == std::string_view::npos) return;
            end_line();
            data.remove_prefix(nl + 1);
        }
    }
    void finish() {
        if (skipping_ || !pending_.empty()) end_line();
    }

private:
    void end_line() {
        if (skipping_)
            p_.overlong_line();
        else
            p_.line(pending_);
        pending_.clear();
        skipping_ = false;
    }

    ListParser& p_;
    std::string pending_;
    bool skipping_ = false;
};

}  // namespace

LoadReport load_list_file(ListSetBuilder& out, const ListSpec& spec, uint64_t max_bytes) {
    const std::string& path = spec.path;
    auto fail = [&](const std::string& why) -> ListError {
        return ListError("list '" + spec.name + "': " + path + ": " + why);
    };
    // O_NONBLOCK: a FIFO put in place of the list must not hang the agent.
    common::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (!fd.valid()) throw fail(common::errno_text(errno));
    struct stat st{};
    if (::fstat(fd.get(), &st) != 0) throw fail(common::errno_text(errno));
    if (!S_ISREG(st.st_mode)) throw fail("not a regular file");
    if (uint64_t(st.st_size) > max_bytes)
        throw fail("larger than the limit of " + std::to_string(max_bytes) + " bytes");
    ListParser parser(out, spec, path);
    ChunkedLines lines(parser);
    std::string buf(kChunk, '\0');
    uint64_t total = 0;
    for (;;) {
        const ssize_t n = ::read(fd.get(), buf.data(), buf.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw fail(common::errno_text(errno));
        if (n == 0) break;
        total += uint64_t(n);
        // The file may grow while it is read.
        if (total > max_bytes) throw fail("larger than the limit of " + std::to_string(max_bytes) + " bytes");
        lines.feed(std::string_view(buf.data(), size_t(n)));
    }
    lines.finish();
    return parser.finish();
}

}  // namespace vigil::web_threat
