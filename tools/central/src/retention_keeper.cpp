#include "retention_keeper.hpp"

#include "log_limiter.hpp"
#include "time_spec.hpp"

namespace vigil::central {

RetentionKeeper::RetentionKeeper(Storage& storage, int check_s)
    : storage_(storage), thread_(std::chrono::seconds(check_s), [this] { check(); }) {}

RetentionKeeper::~RetentionKeeper() { stopping_ = true; }

void RetentionKeeper::check() {
    try {
        RetentionReport r;
        do {
            r = storage_.enforce_retention(now_ns());
            if (!r.empty())
                log_line("retention: dropped " + std::to_string(r.events) + " events (" + std::to_string(r.over_size) +
                         " of them over the size limit), " + std::to_string(r.batches) + " batch keys, " +
                         std::to_string(r.days) + " whole days");
        } while (r.more && !stopping_);
    } catch (const std::exception& e) {
        log_line(std::string("retention: ") + e.what());
    }
}

}  // namespace vigil::central
