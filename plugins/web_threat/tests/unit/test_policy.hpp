// What the worker's unit tests share: a DNS query for `name` (type A) with
// `id`, and a policy whose one list holds `domains`.
#pragma once

#include <cstdint>
#include <string>

#include "inspector.hpp"
#include "list_parser.hpp"

inline std::string a_query(uint16_t id, const std::string& name) {
    std::string m{char(id >> 8), char(id & 255), 1, 0, 0, 1, 0, 0, 0, 0, 0, 0};
    for (size_t pos = 0; pos <= name.size();) {
        const size_t end = std::min(name.find('.', pos), name.size());
        m.push_back(char(end - pos));
        m.append(name, pos, end - pos);
        pos = end + 1;
    }
    return m + std::string("\0\0\1\0\1", 5);
}

inline vigil::web_threat::Policy test_policy(const char* domains = "blocked.test\n") {
    using namespace vigil::web_threat;
    ListSetBuilder b;
    ListSpec s;
    s.name = "bad";
    s.format = ListFormat::domains;
    parse_list_text(b, s, domains, "d");
    Policy p;
    p.blocked = b.finish();
    p.trusted = build_trusted({});
    return p;
}
