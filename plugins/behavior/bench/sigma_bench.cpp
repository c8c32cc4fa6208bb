// vigil-bench sigma: events/s through the Sigma engine (event_from_message +
// Detector::evaluate) with the default rules, and with the SigmaHQ Linux
// corpus plus the default rules; the ratio is against building the events
// alone, measured in the same run.
#include <cstdlib>

#include "bench.hpp"
#include "sigma_workload.hpp"

namespace {

std::filesystem::path default_corpus() {
    if (const char* env = std::getenv("VIGIL_CORPUS")) return env;
    return std::filesystem::path(VIGIL_SOURCE_DIR) / ".." / "shared" / "corpus";
}

}  // namespace

VIGIL_BENCH(sigma, "sigma", "Sigma engine events/s: default rules, and corpus + default rules [--events N --rounds R --corpus DIR]") {
    using namespace vigil::behavior::sigma;
    const auto events = std::size_t(args.get_int("events", 20000));
    const auto rounds = std::size_t(args.get_int("rounds", 10));
    const std::filesystem::path corpus = args.get("corpus", default_corpus().string());

    auto work = bench::make_workload(events);
    auto base = bench::run_build_only(work, rounds);

    Detector builtin;
    double t0 = vigil::bench::now_s();
    auto builtin_stats = builtin.load(LoadOptions{{}, true});
    double builtin_load_ms = (vigil::bench::now_s() - t0) * 1e3;
    auto with_builtin = bench::run_detector(builtin, work, rounds);

    Detector full;
    t0 = vigil::bench::now_s();
    auto full_stats = full.load(LoadOptions{bench::corpus_rule_dirs(corpus), true});
    double full_load_ms = (vigil::bench::now_s() - t0) * 1e3;
    auto with_full = bench::run_detector(full, work, rounds);

    auto line = [&](const char* name, const bench::RunResult& r, const LoadStats* s, double load_ms) {
        vigil::bench::JsonLine j;
        j.kv("bench", "sigma").kv("scenario", name).kv("events", (long long)r.events)
            .kv("events_per_cpu_second", r.events_per_cpu_second()).kv("cpu_ns_per_event", r.cpu_ns_per_event())
            .kv("wall_seconds", r.seconds)
            .kv("ratio_vs_build_only", base.cpu_seconds > 0 ? r.cpu_seconds / base.cpu_seconds : 0.0)
            .kv("matches", (long long)(s ? r.matches : 0));
        if (s) {
            j.kv("rules_loaded", (long long)s->loaded).kv("rules_active", (long long)s->active)
                .kv("rules_skipped", (long long)s->skipped).kv("load_ms", load_ms);
        }
        j.print();
    };
    line("build_only", base, nullptr, 0);
    line("default_rules", with_builtin, &builtin_stats, builtin_load_ms);
    line("corpus_and_default_rules", with_full, &full_stats, full_load_ms);
    return full_stats.loaded >= 230 ? 0 : 1;
}
