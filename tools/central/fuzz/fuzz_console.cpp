// libFuzzer target: the web console's parsers of untrusted request text — the Cookie header
// (cookie_value), console file paths (valid_ui_path, ui_content_type), the CSRF/Origin checks
// (csrf_refusal with fuzzed headers), CSV cells, and the agents page's query parameters
// (agents_page over a temporary SQLite database whose two agents carry fuzzed host names and
// sync JSON, read by the database's derived-column triggers). Input: NUL-separated fields
// cookie, path, origin, host, csrf, content-type, then key=value query pairs. Invariants:
// no crash; a path accepted by valid_ui_path has no ".." or empty segment; a CSV cell never
// starts with a formula character; agents_page answers 200 or throws ApiError 400.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "api_error.hpp"
#include "console_agents.hpp"
#include "console_http.hpp"
#include "fuzz_central.hpp"

using namespace vigil::central;

namespace {

std::vector<std::string> fields(const uint8_t* data, size_t size) {
    std::vector<std::string> out(1);
    for (size_t i = 0; i < size; ++i) {
        if (data[i] == 0) {
            out.emplace_back();
        } else {
            out.back() += static_cast<char>(data[i]);
        }
    }
    out.resize(std::max<size_t>(out.size(), 6));
    return out;
}

void check_path(const std::string& path) {
    if (!valid_ui_path(path)) return;
    if (path.find("..") == 0 || path.find("/..") != std::string::npos || path.find("//") != std::string::npos ||
        path.front() == '/' || path.back() == '/')
        std::abort();
    (void)ui_content_type(path);
}

void check_csrf(const std::vector<std::string>& f) {
    Request r;
    r.method = f[2].size() % 2 ? "POST" : "DELETE";
    r.headers["cookie"] = f[0];
    r.headers["origin"] = f[2];
    r.headers["host"] = f[3];
    r.headers["x-vigil-csrf"] = f[4];
    r.headers["content-type"] = f[5];
    r.content_length = f[5].size();
    const auto refusal = csrf_refusal(r, "0123456789abcdef", f[3].size() % 3 ? "" : "https://console.example");
    if (!refusal && f[4] != "0123456789abcdef") std::abort();  // a wrong token always refused
}

void check_agents_page(const std::vector<std::string>& f) {
    Request r;
    for (size_t i = 6; i < f.size(); ++i) {
        const size_t eq = f[i].find('=');
        r.query[f[i].substr(0, eq)] = eq == std::string::npos ? std::string() : f[i].substr(eq + 1);
    }
    static fuzz::FuzzCentral central("central_fuzz_console", ApiSettings{}, false, false);
    central.storage->upsert_agent({"a-1", f[0], "linux", "6.1", "0.1",
                                   R"({"ips":["10.0.0.1"],"isolation":{"isolated":true}})", 1, 2});
    central.storage->upsert_agent({"a-2", f[1], "", "", "", f[2], 0, 0});
    try {
        const Response resp = agents_page(r, *central.storage, 1000);
        if (resp.status != 200) std::abort();
    } catch (const ApiError& e) {
        if (e.status() != 400) std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto f = fields(data, size);
    (void)cookie_value(f[0], kSessionCookie);
    check_path(f[1]);
    check_csrf(f);
    const std::string cell = csv_cell(f[1]);
    if (!cell.empty() && std::string("=+-@\t\r").find(cell.front()) != std::string::npos) std::abort();
    check_agents_page(f);
    return 0;
}
