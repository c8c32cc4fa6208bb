// What a background job adds to a process record after its event was taken: the
// executable's SHA-256 (or why there is none) and the full command line. Records in the
// process table share it, so every event built after the job finished carries the result.
#pragma once

#include <vigil/sdk.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace vigil::behavior {

class Completion {
public:
    // `deadline_ns` (CLOCK_MONOTONIC): events stop waiting for the job then.
    Completion(bool wants_hash, bool wants_argv, uint64_t deadline_ns)
        : wants_hash_(wants_hash), wants_argv_(wants_argv), deadline_ns_(deadline_ns) {}

    bool done() const { return done_.load(std::memory_order_acquire); }
    uint64_t deadline_ns() const { return deadline_ns_; }

    // Called once, by the job; `argv` is empty when the command line could not be read.
    // The results are written before `done` is published and never change afterwards, so
    // readers that saw done() read them without a lock (every event reads them).
    void finish(std::string sha256, uint32_t hash_status, std::optional<std::vector<std::string>> argv);

    // Puts what is known into `info`: the digest and its status (pending while the job
    // runs), the full argv once read (otherwise the sensor's copy stays).
    void apply(vigil::ProcessInfo& info) const;

    // The full command line joined once (nullptr until the job read it).
    const std::string* cmdline() const { return done() && argv_ ? &cmdline_ : nullptr; }

private:
    const bool wants_hash_, wants_argv_;
    const uint64_t deadline_ns_;
    std::atomic<bool> done_{false};
    std::string sha256_;
    uint32_t hash_status_ = VIGIL_HASH_PENDING;
    std::optional<std::vector<std::string>> argv_;
    std::string cmdline_;
};

// CLOCK_MONOTONIC now, in ns.
uint64_t monotonic_ns();

}  // namespace vigil::behavior
