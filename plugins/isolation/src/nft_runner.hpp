// Thin RAII wrapper over libnftables: runs one buffer as one transaction.
#pragma once

#include <mutex>
#include <string>
#include <string_view>

struct nft_ctx;

namespace vigil::isolation {

class NftRunner {
public:
    NftRunner();
    ~NftRunner();
    NftRunner(const NftRunner&) = delete;
    NftRunner& operator=(const NftRunner&) = delete;

    struct Result {
        bool ok = false;
        std::string output;  // listing output
        std::string error;   // nft's error text when !ok
    };

    // Runs the commands in `text` (nft syntax) atomically in the caller's
    // network namespace. dry_run checks them with the kernel without commit.
    Result run(std::string_view text, bool dry_run = false);

    // Whether `inet <table>` exists in the kernel now.
    bool table_exists(std::string_view table);

private:
    std::mutex mu_;
    nft_ctx* ctx_ = nullptr;
};

}  // namespace vigil::isolation
