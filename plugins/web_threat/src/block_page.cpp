#include "block_page.hpp"

namespace vigil::web_threat {

std::string html_escape(std::string_view text) {
    static constexpr std::string_view kSpecial = "&<>\"'";
    static constexpr std::string_view kRefs[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
    std::string out;
    out.reserve(text.size() + 16);
    for (char c : text) {
        if (const size_t i = kSpecial.find(c); i != std::string_view::npos)
            out += kRefs[i];
        else if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f)
            out.push_back(c);
    }
    return out;
}

std::string block_page_html(const BlockInfo& info) {
    std::string h;
    h += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         "<meta name=\"viewport\" content=\"width=device-width\">"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
         "<title>Blocked by Vigil</title><style>"
         "body{font-family:sans-serif;margin:3em auto;max-width:44em;color:#222}"
         "h1{color:#b00020;font-size:1.6em}code{word-break:break-all;background:#f4f4f4;padding:.1em .3em}"
         "td{padding:.2em 1em .2em 0;vertical-align:top}</style></head>\n"
         "<body><main id=\"vigil-block-page\"><h1>This site is blocked</h1>"
         "<p>Vigil web threat protection stopped this request because the address is on a ";
    h += html_escape(info.category);
    h += " list.</p><table><tr><td>Address</td><td><code>";
    h += html_escape(info.url);
    h += "</code></td></tr><tr><td>Category</td><td>";
    h += html_escape(info.category);
    h += "</td></tr><tr><td>List</td><td>";
    h += html_escape(info.list);
    h += "</td></tr><tr><td>Entry</td><td><code>";
    h += html_escape(info.entry);
    h += "</code></td></tr><tr><td>Event</td><td><code>";
    h += html_escape(info.event_id);
    h += "</code></td></tr></table><p>If you think this is a mistake, contact your administrator and quote the "
         "event.</p></main></body></html>\n";
    return h;
}

std::string block_page_response(const BlockInfo& info) {
    const std::string body = block_page_html(info);
    std::string r = "HTTP/1.1 403 Forbidden\r\n"
                    "Content-Type: text/html; charset=utf-8\r\n"
                    "Cache-Control: no-store\r\n"
                    "X-Content-Type-Options: nosniff\r\n"
                    "Connection: close\r\n"
                    "Content-Length: ";
    r += std::to_string(body.size());
    r += "\r\n\r\n";
    r += body;
    return r;
}

}  // namespace vigil::web_threat
