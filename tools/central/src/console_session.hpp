#pragma once
// Web console sessions: after a login with an operator token the browser holds only a random
// session id (256 bits, in the __Host- cookie); the server keeps its SHA-256, the operator
// and role, a CSRF token, and the times that end it (absolute expiry, idle timeout). Sessions
// are stored in the database (Storage), so they survive a restart of vigil-central; removing
// the operator removes them.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::central {

enum class Role;
class Storage;

struct ConsoleSettings {
    int64_t idle_timeout_s = 30 * 60;
    int64_t absolute_timeout_s = 12 * 3600;
    size_t max_sessions = 10000;
    // The origin the browser shows (https://host[:port]) when the console sits behind a
    // name or proxy that differs from the Host header it receives; empty: https://<Host>.
    std::string public_origin;
};

struct ConsoleSession {
    std::string operator_name;
    Role role{};
    std::string token_sha256;  // of the operator token that logged in: rechecked on every use
    std::string csrf_token;
    int64_t created_ns = 0;
    int64_t last_seen_ns = 0;
    int64_t expires_ns = 0;  // absolute end
};

class SessionStore {
public:
    SessionStore(Storage& storage, ConsoleSettings settings = {})
        : storage_(storage), settings_(std::move(settings)) {}

    struct Created {
        std::string id;  // for the cookie; never stored
        ConsoleSession session;
    };
    // A new session (fresh id and CSRF token). When the store is full, expired sessions are
    // dropped first, then the one idle longest.
    Created create(const std::string& operator_name, Role role, const std::string& token_sha256, int64_t now_ns);
    // The live session for a cookie id (its idle time restarts; the stored last use is
    // written at most every few seconds), or nullopt when unknown, expired or idle too long
    // (then it is deleted).
    std::optional<ConsoleSession> touch(std::string_view id, int64_t now_ns);
    // Logout. True when there was such a session.
    bool remove(std::string_view id);
    size_t size();
    const ConsoleSettings& settings() const { return settings_; }

private:
    Storage& storage_;
    ConsoleSettings settings_;
};

}  // namespace vigil::central
