#pragma once
// One way to talk to the kernel's nftables: a thread-safe RAII runner over
// libnftables that applies, lists and deletes rulesets (nft text or JSON) as
// single transactions and captures nft's own error text.
//
// Link target: vigil_common_nft (pulls in libnftables; kept out of
// vigil_plugin_common so plugins without nftables do not link it).

#include <mutex>
#include <string>
#include <string_view>

struct nft_ctx;

namespace vigil::common::nft {

struct Result {
    bool ok = false;
    std::string output;  // what nft printed (listings), text or JSON
    std::string error;   // nft's error text when !ok, trailing blanks trimmed
};

struct RunOptions {
    // Let the kernel check the transaction without committing it.
    bool dry_run = false;
    // Print listings as JSON (libnftables' schema) and accept JSON input;
    // nft text input is still accepted in this mode.
    bool json = false;
};

// Names (tables, chains, sets) nft accepts as bare words and that cannot
// inject syntax: a letter, then letters, digits or '_', at most 64 chars.
bool valid_name(std::string_view name);

// Families a table can belong to.
bool valid_family(std::string_view family);

// "add table F T\ndelete table F T\n": deleting a table that may not exist,
// in one transaction (the add makes the delete always valid). Throws
// std::invalid_argument for an invalid family or name.
std::string delete_table_text(std::string_view family, std::string_view table);

class Runner {
public:
    Runner();  // throws std::runtime_error when libnftables cannot start
    ~Runner();
    Runner(const Runner&) = delete;
    Runner& operator=(const Runner&) = delete;

    // Runs every command in `commands` as one transaction in the caller's
    // network namespace: all of it applies or none of it.
    Result run(std::string_view commands, RunOptions options = {});

    // The whole table, as nft text or JSON; !ok when it does not exist.
    Result list_table(std::string_view family, std::string_view table, bool json = false);

    // Whether table `family table` exists now ("list tables" stays cheap
    // however many rules the table holds). False for names nft cannot hold.
    bool table_exists(std::string_view family, std::string_view table);

    // Deletes the table if present; ok when it is gone afterwards.
    Result delete_table(std::string_view family, std::string_view table);

private:
    std::mutex mu_;
    nft_ctx* ctx_ = nullptr;
};

}  // namespace vigil::common::nft
