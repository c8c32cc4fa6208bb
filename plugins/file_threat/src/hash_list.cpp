#include "hash_list.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "vigil/common/trusted_path.hpp"

namespace vigil::file_threat {

std::string HashList::ParseError::message() const {
    return line ? source + ":" + std::to_string(line) + ": " + reason : source + ": " + reason;
}

namespace {
std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}
bool is_hex(std::string_view s) {
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
    return !s.empty();
}
}  // namespace

std::vector<HashList::ParseError> HashList::add_text(std::string_view text, const std::string& source) {
    std::vector<ParseError> errors;
    size_t line_no = 0;
    while (!text.empty()) {
        size_t nl = text.find('\n');
        std::string_view raw = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        ++line_no;
        std::string_view line = trim(raw);
        if (line.empty() || line.front() == '#') continue;

        std::string_view hash, comment;
        if (size_t semi = line.find(';'); semi != std::string_view::npos) {
            hash = trim(line.substr(0, semi));
            comment = trim(line.substr(semi + 1));
        } else if (size_t sp = line.find_first_of(" \t"); sp != std::string_view::npos) {
            hash = line.substr(0, sp);
            comment = trim(line.substr(sp));
            if (!comment.empty() && comment.front() == '*') comment.remove_prefix(1);  // binary-mode marker
        } else {
            hash = line;
        }
        if (!is_hex(hash)) {
            std::string shown(hash.substr(0, 80));
            errors.push_back({source, line_no, "'" + shown + "' is not a hexadecimal hash"});
            continue;
        }
        std::string c(comment);
        bool ok = false;
        switch (hash.size()) {
        case 32: ok = true; ++md5_lines_; md5_.insert_or_assign(*from_hex<16>(hash), std::move(c)); break;
        case 40: ok = true; ++sha1_lines_; sha1_.insert_or_assign(*from_hex<20>(hash), std::move(c)); break;
        case 64: ok = true; ++sha256_lines_; sha256_.insert_or_assign(*from_hex<32>(hash), std::move(c)); break;
        default: break;
        }
        if (!ok)
            errors.push_back({source, line_no,
                              "hash of " + std::to_string(hash.size()) +
                                  " hex digits is neither MD5 (32), SHA-1 (40) nor SHA-256 (64)"});
    }
    return errors;
}

std::vector<HashList::ParseError> HashList::add_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {{path, 0, std::string("cannot read hash list: ") + std::strerror(errno)}};
    // A hash list decides what is blocked and quarantined: root's files only.
    try {
        (void)vigil::common::require_trusted_path(path, "hash list", vigil::common::PathKind::file);
    } catch (const vigil::common::UntrustedPath& e) {
        return {{path, 0, e.what()}};
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return add_text(ss.str(), path);
}

const std::string* HashList::find_md5(const Md5& h) const {
    auto it = md5_.find(h);
    return it == md5_.end() ? nullptr : &it->second;
}
const std::string* HashList::find_sha1(const Sha1& h) const {
    auto it = sha1_.find(h);
    return it == sha1_.end() ? nullptr : &it->second;
}
const std::string* HashList::find_sha256(const Sha256& h) const {
    auto it = sha256_.find(h);
    return it == sha256_.end() ? nullptr : &it->second;
}

}  // namespace vigil::file_threat
