#include "completion.hpp"

#include "proc_reader.hpp"

#include <time.h>

namespace vigil::behavior {

uint64_t monotonic_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

void Completion::finish(std::string sha256, uint32_t hash_status, std::optional<std::vector<std::string>> argv) {
    sha256_ = std::move(sha256);
    hash_status_ = hash_status;
    argv_ = std::move(argv);
    if (argv_) cmdline_ = join_argv(*argv_);
    done_.store(true, std::memory_order_release);
}

void Completion::apply(vigil::ProcessInfo& info) const {
    if (!done()) {
        if (wants_hash_) info.hash_status = VIGIL_HASH_PENDING;
        return;
    }
    if (wants_hash_) {
        info.sha256 = sha256_;
        info.hash_status = hash_status_;
    }
    if (wants_argv_ && argv_) {
        info.argv = *argv_;
        info.cmdline = cmdline_;
    }
}

}  // namespace vigil::behavior
