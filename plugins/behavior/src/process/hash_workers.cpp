#include "hash_workers.hpp"

#include "completion.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <list>
#include <mutex>
#include <thread>
#include <vector>

namespace vigil::behavior {

struct HashWorkers::State {
    struct Slot {
        std::thread thread;
        uint64_t busy_since = 0;  // monotonic ns; 0 when idle
        uint64_t tag = 0;
        bool given_up = false;
    };
    Options opt;
    OnStuck on_stuck;
    mutable std::mutex mu;
    std::condition_variable cv;
    std::deque<std::pair<uint64_t, Job>> queue;
    std::list<Slot> slots;  // stable addresses
    bool stopping = false;
    unsigned replacements = 0;
    uint64_t done = 0, refused = 0, stuck = 0;
};

namespace {

void run_worker(std::shared_ptr<HashWorkers::State> s, HashWorkers::State::Slot* slot) {
    std::unique_lock l(s->mu);
    for (;;) {
        s->cv.wait(l, [&] { return s->stopping || !s->queue.empty(); });
        if (s->stopping) return;
        auto [tag, job] = std::move(s->queue.front());
        s->queue.pop_front();
        slot->busy_since = monotonic_ns();
        slot->tag = tag;
        l.unlock();
        try {
            job();
        } catch (...) {
            // A failed job only loses its own result.
        }
        job = nullptr;
        l.lock();
        slot->busy_since = 0;
        ++s->done;
        if (slot->given_up) return;
    }
}

void spawn(const std::shared_ptr<HashWorkers::State>& s) {
    s->slots.emplace_back();
    auto* slot = &s->slots.back();
    slot->thread = std::thread(run_worker, s, slot);
}

// Gives up on workers busy for too long (caller holds the lock); returns their tags.
std::vector<uint64_t> give_up_stuck(HashWorkers::State& s) {
    std::vector<uint64_t> tags;
    uint64_t now = monotonic_ns();
    for (auto& slot : s.slots) {
        if (slot.given_up || slot.busy_since == 0 || now - slot.busy_since < s.opt.stuck_after_ns) continue;
        slot.given_up = true;
        ++s.stuck;
        tags.push_back(slot.tag);
    }
    return tags;
}

}  // namespace

HashWorkers::HashWorkers(Options o, OnStuck on_stuck) : s_(std::make_shared<State>()) {
    s_->opt = o;
    s_->on_stuck = std::move(on_stuck);
    std::lock_guard g(s_->mu);
    for (unsigned i = 0; i < std::max(1u, o.workers); ++i) spawn(s_);
}

HashWorkers::~HashWorkers() { stop(); }

bool HashWorkers::submit(uint64_t tag, Job job) {
    std::vector<uint64_t> stuck;
    bool accepted = false;
    {
        std::lock_guard g(s_->mu);
        if (s_->stopping) return false;
        stuck = give_up_stuck(*s_);
        for (size_t i = 0; i < stuck.size() && s_->replacements < s_->opt.max_replacements; ++i) {
            ++s_->replacements;
            spawn(s_);
        }
        if (s_->queue.size() < s_->opt.queue_max) {
            s_->queue.emplace_back(tag, std::move(job));
            accepted = true;
        } else {
            ++s_->refused;
        }
    }
    if (accepted) s_->cv.notify_one();
    for (uint64_t t : stuck)
        if (s_->on_stuck) s_->on_stuck(t);
    return accepted;
}

void HashWorkers::stop() {
    {
        std::lock_guard g(s_->mu);
        if (s_->stopping) return;
        s_->stopping = true;
        s_->queue.clear();
    }
    s_->cv.notify_all();
    // Running jobs get a short grace; a thread still busy after it may be stuck in the
    // kernel for good and is left to end on its own (it exits when its job returns).
    const uint64_t grace_end = monotonic_ns() + 2000000000ull;
    std::unique_lock l(s_->mu);
    for (auto& slot : s_->slots) {
        while (slot.busy_since != 0 && !slot.given_up && monotonic_ns() < grace_end) {
            l.unlock();
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
            l.lock();
        }
        if (slot.busy_since != 0) slot.given_up = true;
    }
    std::vector<std::thread> to_join;
    for (auto& slot : s_->slots) {
        if (!slot.thread.joinable()) continue;
        if (slot.given_up) slot.thread.detach();
        else to_join.push_back(std::move(slot.thread));
    }
    l.unlock();
    for (auto& t : to_join) t.join();
}

HashWorkers::Stats HashWorkers::stats() const {
    std::lock_guard g(s_->mu);
    Stats st;
    st.done = s_->done;
    st.refused = s_->refused;
    st.stuck = s_->stuck;
    st.queued = s_->queue.size();
    for (const auto& slot : s_->slots) {
        if (slot.busy_since != 0) ++st.busy;
        if (!slot.given_up) ++st.threads;
    }
    return st;
}

}  // namespace vigil::behavior
