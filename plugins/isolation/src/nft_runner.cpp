#include "nft_runner.hpp"

#include <nftables/libnftables.h>

#include <stdexcept>

namespace vigil::isolation {

NftRunner::NftRunner() : ctx_(nft_ctx_new(NFT_CTX_DEFAULT)) {
    if (!ctx_) throw std::runtime_error("nft_ctx_new failed");
    nft_ctx_buffer_output(ctx_);
    nft_ctx_buffer_error(ctx_);
}

NftRunner::~NftRunner() {
    if (ctx_) nft_ctx_free(ctx_);
}

NftRunner::Result NftRunner::run(std::string_view text, bool dry_run) {
    std::lock_guard<std::mutex> g(mu_);
    nft_ctx_set_dry_run(ctx_, dry_run);
    const std::string buf(text);
    Result r;
    r.ok = nft_run_cmd_from_buffer(ctx_, buf.c_str()) == 0;
    if (const char* o = nft_ctx_get_output_buffer(ctx_)) r.output = o;
    if (const char* e = nft_ctx_get_error_buffer(ctx_)) r.error = e;
    nft_ctx_set_dry_run(ctx_, false);
    while (!r.error.empty() && (r.error.back() == '\n' || r.error.back() == ' ')) r.error.pop_back();
    return r;
}

bool NftRunner::table_exists(std::string_view table) {
    // "list tables" stays cheap however many rules the table holds.
    const Result r = run("list tables");
    const std::string needle = "table inet " + std::string(table);
    for (size_t pos = r.output.find(needle); pos != std::string::npos; pos = r.output.find(needle, pos + 1)) {
        const size_t end = pos + needle.size();
        if ((pos == 0 || r.output[pos - 1] == '\n') && (end == r.output.size() || r.output[end] == '\n'))
            return true;
    }
    return false;
}

}  // namespace vigil::isolation
