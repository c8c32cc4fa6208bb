#include "modifiers.hpp"

#include <cstdint>

#include "rule_error.hpp"

namespace vigil::behavior::sigma {

namespace {

bool is_time_modifier(std::string_view m) {
    return m == "minute" || m == "hour" || m == "day" || m == "week" || m == "month" || m == "year";
}

}  // namespace

Modifiers parse_modifiers(std::span<const std::string_view> names) {
    Modifiers m;
    bool after_re = false;
    for (std::string_view n : names) {
        // `re` takes the single-letter sub-modifiers i, m, s right after it.
        if (after_re && (n == "i" || n == "m" || n == "s")) {
            (n == "i" ? m.re_i : n == "m" ? m.re_m : m.re_s) = true;
            continue;
        }
        after_re = false;
        if (n == "contains") m.contains = true;
        else if (n == "startswith") m.startswith = true;
        else if (n == "endswith") m.endswith = true;
        else if (n == "all") m.all = true;
        else if (n == "cased") m.cased = true;
        else if (n == "windash") m.windash = true;
        else if (n == "re") m.re = after_re = true;
        else if (n == "cidr") m.cidr = true;
        else if (n == "exists") m.exists = true;
        else if (n == "neq") m.neq = true;
        else if (n == "fieldref") m.fieldref = true;
        else if (n == "base64") m.encoders.push_back(Modifiers::Encoder::Base64);
        else if (n == "base64offset") m.encoders.push_back(Modifiers::Encoder::Base64Offset);
        else if (n == "wide" || n == "utf16le") m.encoders.push_back(Modifiers::Encoder::Utf16Le);
        else if (n == "utf16be") m.encoders.push_back(Modifiers::Encoder::Utf16Be);
        else if (n == "utf16") m.encoders.push_back(Modifiers::Encoder::Utf16Bom);
        else if (n == "lt") m.compare = Modifiers::Compare::Lt;
        else if (n == "lte") m.compare = Modifiers::Compare::Lte;
        else if (n == "gt") m.compare = Modifiers::Compare::Gt;
        else if (n == "gte") m.compare = Modifiers::Compare::Gte;
        else if (n == "expand")
            throw RuleError("modifier 'expand' needs placeholder values from a processing pipeline (not supported)");
        else if (is_time_modifier(n))
            throw RuleError("time modifier '" + std::string(n) + "' is not supported (events carry no date fields)");
        else if (n.empty())
            throw RuleError("empty modifier (stray '|')");
        else
            throw RuleError("unknown modifier '" + std::string(n) + "'");
    }

    int positions = int(m.contains) + int(m.startswith) + int(m.endswith);
    bool string_shape = positions > 0 || !m.encoders.empty() || m.windash;
    auto conflict = [](std::string_view what) { throw RuleError("conflicting modifiers: " + std::string(what)); };
    if (positions > 1) conflict("only one of contains, startswith, endswith");
    if (m.re && (string_shape || m.cidr || m.cased)) conflict("re cannot combine with string or cidr modifiers");
    if (m.cidr && (string_shape || m.cased)) conflict("cidr cannot combine with string modifiers");
    if (m.exists && (names.size() != 1)) conflict("exists stands alone");
    if (m.compare != Modifiers::Compare::None && (string_shape || m.re || m.cidr || m.cased || m.fieldref))
        conflict("lt/lte/gt/gte compare numbers and take no other value modifiers");
    if (m.fieldref && (!m.encoders.empty() || m.windash || m.re || m.cidr))
        conflict("fieldref takes only contains/startswith/endswith/cased/neq");
    if (m.windash && !m.encoders.empty()) conflict("windash with base64/utf16 encoders");
    if (m.neq && m.all) conflict("neq with all");
    return m;
}

std::string base64_encode(std::string_view bytes) {
    static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    auto byte = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[k])); };
    for (; i + 2 < bytes.size(); i += 3) {
        std::uint32_t v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
        out += kAlphabet[v >> 18 & 63];
        out += kAlphabet[v >> 12 & 63];
        out += kAlphabet[v >> 6 & 63];
        out += kAlphabet[v & 63];
    }
    if (std::size_t rest = bytes.size() - i; rest > 0) {
        std::uint32_t v = byte(i) << 16 | (rest == 2 ? byte(i + 1) << 8 : 0);
        out += kAlphabet[v >> 18 & 63];
        out += kAlphabet[v >> 12 & 63];
        out += rest == 2 ? kAlphabet[v >> 6 & 63] : '=';
        out += '=';
    }
    return out;
}

std::vector<std::string> base64_offsets(std::string_view bytes) {
    // Shift the value by 0, 1, 2 bytes and keep only the characters that do
    // not depend on the unknown neighbouring bytes.
    static constexpr std::size_t kStart[3] = {0, 2, 3};
    static constexpr std::size_t kEndTrim[3] = {0, 3, 2};  // indexed by (len + shift) % 3
    std::vector<std::string> out;
    for (std::size_t shift = 0; shift < 3; ++shift) {
        std::string shifted(shift, ' ');
        shifted.append(bytes);
        std::string enc = base64_encode(shifted);
        std::size_t trim = kEndTrim[(bytes.size() + shift) % 3];
        if (enc.size() < kStart[shift] + trim) continue;
        out.push_back(enc.substr(kStart[shift], enc.size() - trim - kStart[shift]));
    }
    return out;
}

std::string utf16_encode(std::string_view utf8, Utf16Form form) {
    std::string out;
    auto unit = [&](std::uint16_t u) {
        if (form == Utf16Form::Be) {
            out += static_cast<char>(u >> 8);
            out += static_cast<char>(u & 0xFF);
        } else {
            out += static_cast<char>(u & 0xFF);
            out += static_cast<char>(u >> 8);
        }
    };
    if (form == Utf16Form::Bom) unit(0xFEFF);
    for (std::size_t i = 0; i < utf8.size();) {
        auto b = static_cast<unsigned char>(utf8[i]);
        std::uint32_t cp = b;
        std::size_t n = 1;
        if (b >= 0xF0) cp = b & 0x07, n = 4;
        else if (b >= 0xE0) cp = b & 0x0F, n = 3;
        else if (b >= 0xC0) cp = b & 0x1F, n = 2;
        if (i + n > utf8.size()) n = 1, cp = b;  // truncated sequence: take the byte as is
        for (std::size_t k = 1; k < n; ++k) cp = cp << 6 | (static_cast<unsigned char>(utf8[i + k]) & 0x3F);
        i += n;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            unit(static_cast<std::uint16_t>(0xD800 + (cp >> 10)));
            unit(static_cast<std::uint16_t>(0xDC00 + (cp & 0x3FF)));
        } else {
            unit(static_cast<std::uint16_t>(cp));
        }
    }
    return out;
}

}  // namespace vigil::behavior::sigma
