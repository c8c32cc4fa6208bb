#include "sequence_store.hpp"

#include <charconv>
#include <stdexcept>
#include <vigil/common/atomic_file.hpp>
#include <vigil/common/small_file.hpp>


namespace vigil::kataedr {

SequenceStore::SequenceStore(std::string path, uint64_t block)
    : path_(std::move(path)), block_(block ? block : 1) {
    if (auto text = vigil::common::read_small_file(path_, {.max_bytes = 64})) {
        uint64_t v = 0;
        auto first = text->data(), last = text->data() + text->size();
        while (last > first && (last[-1] == '\n' || last[-1] == ' ')) --last;
        auto [p, ec] = std::from_chars(first, last, v);
        if (ec != std::errc() || p != last || v == 0)
            throw std::runtime_error("corrupt batch sequence file " + path_ +
                                     " (expected a positive number)");
        next_ = v;
    }
    reserve_locked();
}

void SequenceStore::reserve_locked() {
    reserved_until_ = next_ + block_;
    vigil::common::write_file_atomic(path_, std::to_string(reserved_until_) + "\n");
}

uint64_t SequenceStore::next() {
    std::lock_guard<std::mutex> g(mu_);
    if (next_ >= reserved_until_) reserve_locked();
    return next_++;
}

void SequenceStore::ensure_above(uint64_t value) {
    std::lock_guard<std::mutex> g(mu_);
    if (next_ > value) return;
    next_ = value + 1;
    reserve_locked();
}

uint64_t SequenceStore::peek() const {
    std::lock_guard<std::mutex> g(mu_);
    return next_;
}

}  // namespace vigil::kataedr
