#include "console_session.hpp"

#include <openssl/rand.h>
#include <vigil/common/hex.hpp>

#include <algorithm>
#include <stdexcept>

#include "api.hpp"
#include "auth_tokens.hpp"

namespace vigil::central {

namespace {

constexpr int64_t kNsPerS = 1000000000;

std::string random_hex(size_t bytes) {
    std::string raw(bytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1)
        throw std::runtime_error("RAND_bytes failed");
    return common::to_hex(raw);
}

}  // namespace

bool SessionStore::live(const ConsoleSession& s, int64_t now_ns) const {
    return now_ns < s.expires_ns && now_ns - s.last_seen_ns < settings_.idle_timeout_s * kNsPerS;
}

void SessionStore::make_room(int64_t now_ns) {
    std::erase_if(by_hash_, [&](const auto& entry) { return !live(entry.second, now_ns); });
    if (by_hash_.size() < settings_.max_sessions) return;
    auto idlest = std::min_element(by_hash_.begin(), by_hash_.end(), [](const auto& a, const auto& b) {
        return a.second.last_seen_ns < b.second.last_seen_ns;
    });
    if (idlest != by_hash_.end()) by_hash_.erase(idlest);
}

SessionStore::Created SessionStore::create(const std::string& operator_name, Role role,
                                           const std::string& token_sha256, int64_t now_ns) {
    Created c;
    c.id = random_hex(32);
    c.session.operator_name = operator_name;
    c.session.role = role;
    c.session.token_sha256 = token_sha256;
    c.session.csrf_token = random_hex(32);
    c.session.created_ns = c.session.last_seen_ns = now_ns;
    c.session.expires_ns = now_ns + settings_.absolute_timeout_s * kNsPerS;
    std::lock_guard lock(mu_);
    if (by_hash_.size() >= settings_.max_sessions) make_room(now_ns);
    by_hash_[token_hash(c.id)] = c.session;
    return c;
}

std::optional<ConsoleSession> SessionStore::touch(std::string_view id, int64_t now_ns) {
    if (id.size() != 64) return std::nullopt;
    const std::string key = token_hash(id);
    std::lock_guard lock(mu_);
    auto it = by_hash_.find(key);
    if (it == by_hash_.end()) return std::nullopt;
    if (!live(it->second, now_ns)) {
        by_hash_.erase(it);
        return std::nullopt;
    }
    it->second.last_seen_ns = now_ns;
    return it->second;
}

bool SessionStore::remove(std::string_view id) {
    const std::string key = token_hash(id);
    std::lock_guard lock(mu_);
    return by_hash_.erase(key) > 0;
}

size_t SessionStore::size() {
    std::lock_guard lock(mu_);
    return by_hash_.size();
}

}  // namespace vigil::central
