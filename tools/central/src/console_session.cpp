#include "console_session.hpp"

#include <openssl/rand.h>
#include <vigil/common/hex.hpp>

#include <stdexcept>

#include "api.hpp"
#include "auth_tokens.hpp"
#include "storage.hpp"

namespace vigil::central {

namespace {

constexpr int64_t kNsPerS = 1000000000;
constexpr int64_t kTouchEveryNs = 5 * kNsPerS;

std::string random_hex(size_t bytes) {
    std::string raw(bytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1)
        throw std::runtime_error("RAND_bytes failed");
    return common::to_hex(raw);
}

}  // namespace

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
    storage_.insert_session(SessionRecord{token_hash(c.id), operator_name, to_string(role), token_sha256,
                                          c.session.csrf_token, now_ns, now_ns, c.session.expires_ns},
                            now_ns - settings_.idle_timeout_s * kNsPerS, settings_.max_sessions);
    return c;
}

std::optional<ConsoleSession> SessionStore::touch(std::string_view id, int64_t now_ns) {
    if (id.size() != 64) return std::nullopt;
    const std::string key = token_hash(id);
    auto stored = storage_.find_session(key);
    if (!stored) return std::nullopt;
    const auto role = role_from_string(stored->role);
    if (!role || now_ns >= stored->expires_ns || now_ns - stored->last_seen_ns >= settings_.idle_timeout_s * kNsPerS) {
        storage_.delete_session(key);
        return std::nullopt;
    }
    // A write per request would serialize every console call on the database writer.
    if (now_ns - stored->last_seen_ns >= kTouchEveryNs) storage_.touch_session(key, now_ns);
    return ConsoleSession{stored->operator_name, *role, stored->token_sha256, stored->csrf_token,
                          stored->created_ns, now_ns, stored->expires_ns};
}

bool SessionStore::remove(std::string_view id) { return storage_.delete_session(token_hash(id)); }

size_t SessionStore::size() { return static_cast<size_t>(storage_.count_sessions()); }

}  // namespace vigil::central
