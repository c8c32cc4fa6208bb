// An immutable bus message shared by every subscriber that receives it.
// One allocation holds the envelope, the refcount and the payload bytes, so a
// fan-out to N subscribers costs one copy of the payload and N refcount bumps.
#pragma once
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include <vigil/common/time.hpp>
#include <vigil/events.h>
#include <vigil/payload.hpp>

namespace vigil::core {

struct BusMessage {
    std::atomic<uint32_t> refs{1};
    vigil_message env{};
    char* payload() { return reinterpret_cast<char*>(this + 1); }
};

class MessageRef {
public:
    MessageRef() = default;
    explicit MessageRef(BusMessage* m) : m_(m) {}
    MessageRef(const MessageRef& o) : m_(o.m_) {
        if (m_) m_->refs.fetch_add(1, std::memory_order_relaxed);
    }
    MessageRef(MessageRef&& o) noexcept : m_(o.m_) { o.m_ = nullptr; }
    MessageRef& operator=(MessageRef o) noexcept {
        std::swap(m_, o.m_);
        return *this;
    }
    ~MessageRef() { release(); }
    const vigil_message& env() const { return m_->env; }
    const vigil_message* operator->() const { return &m_->env; }
    explicit operator bool() const { return m_ != nullptr; }
    bool critical() const { return (m_->env.flags & VIGIL_MSG_FLAG_CRITICAL) != 0; }

private:
    void release() {
        if (m_ && m_->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
            m_->~BusMessage();
            ::operator delete(m_);
        }
        m_ = nullptr;
    }
    BusMessage* m_ = nullptr;
};

// Copies envelope fields and payload into a new message. `source` must be an
// interned string (intern_name) because messages can outlive their publisher.
MessageRef make_message(const vigil_message& in, std::string_view source, uint64_t sequence);

// Returns a stable copy of `name` that lives until the process exits.
std::string_view intern_name(std::string_view name);

bool is_critical_type(uint32_t type_id);
inline uint64_t realtime_ns() { return uint64_t(common::realtime_ns()); }

// The envelope of a message the host itself publishes: vigil::envelope (SDK payload.hpp).
using vigil::envelope;

}  // namespace vigil::core
