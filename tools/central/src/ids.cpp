#include "ids.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <stdexcept>
#include <vigil/common/hex.hpp>

namespace vigil::central {
namespace {
bool all_of(std::string_view s, bool (*ok)(char)) { return std::all_of(s.begin(), s.end(), ok); }
bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
}  // namespace

bool valid_agent_id(std::string_view id) {
    return !id.empty() && id.size() <= 64 && all_of(id, [](char c) {
        return lower_alnum(c) || (c >= 'A' && c <= 'Z') || c == '.' || c == '_' || c == ':' || c == '-';
    });
}

bool valid_task_id(std::string_view id) {
    return id.size() == 32 &&
           all_of(id, [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string new_task_id() {
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("RAND_bytes failed");
    return common::to_hex(bytes, sizeof bytes);
}

bool valid_task_type(std::string_view type) {
    return !type.empty() && type.size() <= 64 && type.front() != '.' && type.back() != '.' &&
           all_of(type, [](char c) { return lower_alnum(c) || c == '_' || c == '.'; });
}

bool valid_event_type(std::string_view type) {
    return !type.empty() && type.size() <= 32 && type.front() >= 'a' && type.front() <= 'z' &&
           all_of(type, [](char c) { return lower_alnum(c) || c == '_'; });
}

bool valid_sha256_hex(std::string_view hex) { return common::is_hex(hex, 64); }

}  // namespace vigil::central
