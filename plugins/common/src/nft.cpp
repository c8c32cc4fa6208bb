#include "vigil/common/nft.hpp"

#include <nftables/libnftables.h>

#include <cctype>
#include <stdexcept>

namespace vigil::common::nft {

bool valid_name(std::string_view name) {
    if (name.empty() || name.size() > 64 || !std::isalpha(static_cast<unsigned char>(name[0]))) return false;
    for (char c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
    return true;
}

bool valid_family(std::string_view family) {
    return family == "inet" || family == "ip" || family == "ip6" || family == "arp" || family == "bridge" ||
           family == "netdev";
}

namespace {

std::string table_ref(std::string_view family, std::string_view table) {
    if (!valid_family(family)) throw std::invalid_argument("nft: '" + std::string(family) + "' is not a family");
    if (!valid_name(table))
        throw std::invalid_argument("nft: '" + std::string(table) + "' is not a valid table name");
    return std::string(family) + " " + std::string(table);
}

void trim_trailing_blanks(std::string& s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
}

}  // namespace

std::string delete_table_text(std::string_view family, std::string_view table) {
    const std::string ref = table_ref(family, table);
    return "add table " + ref + "\ndelete table " + ref + "\n";
}

Runner::Runner() : ctx_(nft_ctx_new(NFT_CTX_DEFAULT)) {
    if (!ctx_) throw std::runtime_error("nft_ctx_new failed");
    nft_ctx_buffer_output(ctx_);
    nft_ctx_buffer_error(ctx_);
}

Runner::~Runner() {
    if (ctx_) nft_ctx_free(ctx_);
}

Result Runner::run(std::string_view commands, RunOptions options) {
    std::lock_guard<std::mutex> g(mu_);
    const unsigned int flags = nft_ctx_output_get_flags(ctx_);
    nft_ctx_output_set_flags(ctx_, options.json ? (flags | NFT_CTX_OUTPUT_JSON) : (flags & ~NFT_CTX_OUTPUT_JSON));
    nft_ctx_set_dry_run(ctx_, options.dry_run);
    const std::string buf(commands);
    Result r;
    r.ok = nft_run_cmd_from_buffer(ctx_, buf.c_str()) == 0;
    if (const char* o = nft_ctx_get_output_buffer(ctx_)) r.output = o;
    if (const char* e = nft_ctx_get_error_buffer(ctx_)) r.error = e;
    nft_ctx_set_dry_run(ctx_, false);
    nft_ctx_output_set_flags(ctx_, flags);
    trim_trailing_blanks(r.error);
    if (!r.ok && r.error.empty()) r.error = "nft failed without a message";
    return r;
}

Result Runner::list_table(std::string_view family, std::string_view table, bool json) {
    return run("list table " + table_ref(family, table), RunOptions{.dry_run = false, .json = json});
}

bool Runner::table_exists(std::string_view family, std::string_view table) {
    if (!valid_family(family) || !valid_name(table)) return false;  // nft cannot hold such a table
    const std::string needle = "table " + table_ref(family, table);
    const Result r = run("list tables");
    for (size_t pos = r.output.find(needle); pos != std::string::npos; pos = r.output.find(needle, pos + 1)) {
        const size_t end = pos + needle.size();
        if ((pos == 0 || r.output[pos - 1] == '\n') && (end == r.output.size() || r.output[end] == '\n'))
            return true;
    }
    return false;
}

Result Runner::delete_table(std::string_view family, std::string_view table) {
    return run(delete_table_text(family, table));
}

}  // namespace vigil::common::nft
