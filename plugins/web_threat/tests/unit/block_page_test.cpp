#include <doctest/doctest.h>

#include <string>

#include "block_page.hpp"

using namespace vigil::web_threat;

TEST_CASE("the block page escapes what it shows and loads nothing from outside") {
    const BlockInfo info{.url = "http://evil.test/<script>alert('x')</script>?a=1&b=\"2\"",
                         .category = "phishing", .list = "central<b>", .entry = "evil.test", .event_id = "42"};
    const std::string html = block_page_html(info);
    CHECK(html.find("<script>") == std::string::npos);
    CHECK(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;?a=1&amp;b=&quot;2&quot;") != std::string::npos);
    CHECK(html.find("central&lt;b&gt;") != std::string::npos);
    CHECK(html.find("id=\"vigil-block-page\"") != std::string::npos);
    for (const char* external : {"src=", "href=", "url(", "@import", "https://"}) CHECK(html.find(external) == std::string::npos);
    CHECK(html_escape(std::string("a\x01\nb", 4)) == "ab");

    const std::string resp = block_page_response(info);
    CHECK(resp.rfind("HTTP/1.1 403 Forbidden\r\n", 0) == 0);
    const size_t split = resp.find("\r\n\r\n");
    REQUIRE(split != std::string::npos);
    CHECK(resp.find("Content-Length: " + std::to_string(html.size()) + "\r\n") != std::string::npos);
    CHECK(resp.substr(split + 4) == html);
    CHECK(resp.find("Cache-Control: no-store") != std::string::npos);
    CHECK(resp.find("Connection: close") != std::string::npos);
}
