// libFuzzer target: every reader in kataedr (the connector to the central node) of input
// it did not write itself in this run. The
// first byte picks the reader, the rest is the input:
//   0 server URL, 1 proxy URL, 2 settings JSON, 3 sequence file, 4 task journal entry,
//   5 spool directory entry (name and body), 6 OCSF conversion of a bus payload,
//   7 batch split of a (gzip) body.
// Files are written to a private temporary directory and read back through the real code.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vigil/events.h>

#include "batch_split.hpp"
#include "gzip.hpp"
#include "ocsf_converter.hpp"
#include "sequence_store.hpp"
#include "settings.hpp"
#include "spool.hpp"
#include "task_journal.hpp"
#include "url.hpp"

namespace {

const std::filesystem::path& scratch() {
    static const std::filesystem::path dir = [] {
        std::string t = (std::filesystem::temp_directory_path() / "kataedr_fuzz_XXXXXX").string();
        if (!::mkdtemp(t.data())) throw std::runtime_error("mkdtemp");
        return std::filesystem::path(t);
    }();
    return dir;
}

void write(const std::filesystem::path& p, std::string_view data) {
    std::ofstream(p, std::ios::binary | std::ios::trunc).write(data.data(), std::streamsize(data.size()));
}

void fresh(const std::filesystem::path& p) {
    std::error_code ec;
    std::filesystem::remove_all(p, ec);
    std::filesystem::create_directories(p, ec);
}

void ocsf(std::string_view in) {
    static const uint32_t kTypes[] = {VIGIL_TYPE_PROCESS_START, VIGIL_TYPE_PROCESS_EXIT, VIGIL_TYPE_NETWORK,
                                      VIGIL_TYPE_FILE, VIGIL_TYPE_THREAT, VIGIL_TYPE_ACTION_RESULT};
    if (in.empty()) return;
    uint32_t type = kTypes[uint8_t(in[0]) % 6];
    // The payload must be aligned like a bus message.
    std::string payload(in.substr(1));
    alignas(16) static char buf[1 << 16];
    size_t n = std::min(payload.size(), sizeof buf);
    std::copy(payload.begin(), payload.begin() + std::ptrdiff_t(n), buf);
    vigil::kataedr::EventView ev{type, buf, uint32_t(n), 1, 1, "fuzz"};
    std::string out;
    vigil::kataedr::append_ocsf({"agent", "host", "1"}, ev, 1, out, vigil::kataedr::EventLimits{512, 8192});
    (void)vigil::kataedr::event_kind(ev);
    (void)vigil::kataedr::actor_of(ev);
    (void)vigil::kataedr::process_of(ev);
}

void files(uint8_t which, std::string_view in) {
    const auto dir = scratch() / "d";
    fresh(dir);
    if (which == 3) {
        write(dir / "seq", in);
        vigil::kataedr::SequenceStore s((dir / "seq").string());
        (void)s.next();
    } else if (which == 4) {
        write(dir / "0123abcd.json", in);
        vigil::kataedr::TaskJournal j(dir.string());
        (void)j.unposted();
        (void)j.find("0123abcd");
    } else {
        size_t cut = in.find('\n');
        std::string name(in.substr(0, std::min<size_t>(cut, 64)));
        if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") name = "x";
        write(dir / name, cut == std::string_view::npos ? std::string_view() : in.substr(cut + 1));
        vigil::kataedr::Spool s(dir.string(), 1 << 20);
        if (auto e = s.front()) (void)s.read(*e);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const uint8_t which = data[0] % 8;
    std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
    try {
        switch (which) {
            case 0: (void)vigil::kataedr::parse_server_url(in); break;
            case 1: (void)vigil::kataedr::parse_proxy_url(in); break;
            case 2: (void)vigil::kataedr::parse_settings(in); break;
            case 6: ocsf(in); break;
            case 7: (void)vigil::kataedr::split_batch(vigil::kataedr::gzip_compress(in), 7); break;
            default: files(which, in); break;
        }
    } catch (const std::exception&) {
        // Refusing bad input with an exception is the contract; crashing is not.
    }
    return 0;
}
