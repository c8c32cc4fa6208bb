#include "resolvers.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace vigil::isolation {

namespace {

bool numeric_address(const std::string& s) {
    unsigned char buf[16];
    if (s.find('\0') != std::string::npos) return false;  // inet_pton would stop at it
    return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

bool loopback(const std::string& s) { return s.rfind("127.", 0) == 0 || s == "::1"; }

std::string read_small(const std::string& path) {
    std::ifstream f(path);
    std::string text(64 * 1024, '\0');
    f.read(text.data(), std::streamsize(text.size()));
    text.resize(size_t(f.gcount()));
    return text;
}

}  // namespace

std::vector<std::string> parse_resolv_conf(std::string_view text) {
    std::vector<std::string> out;
    std::istringstream in{std::string(text)};
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream words(line);
        std::string key, addr;
        if (!(words >> key >> addr) || key != "nameserver") continue;
        if (auto pct = addr.find('%'); pct != std::string::npos) addr.resize(pct);
        if (!numeric_address(addr)) continue;
        if (std::find(out.begin(), out.end(), addr) == out.end()) out.push_back(addr);
    }
    return out;
}

std::vector<std::string> system_resolvers(const ResolverFiles& files) {
    std::vector<std::string> out = parse_resolv_conf(read_small(files.resolv_conf));
    if (std::any_of(out.begin(), out.end(), loopback))
        for (const auto& a : parse_resolv_conf(read_small(files.stub_upstreams)))
            if (std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
    std::erase_if(out, loopback);
    return out;
}

}  // namespace vigil::isolation
