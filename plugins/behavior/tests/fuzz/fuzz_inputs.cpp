// libFuzzer target: the inputs behavior reads that it did not produce in this run. The
// first byte picks the reader: 0 the executable hash cache file a previous run left in
// the state directory, 1 an eBPF ring-buffer record (the decoder behind the sensor
// thread; the kernel writes them, but a decoder bug must not become a crash).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "process/exe_hasher.hpp"
#include "sensors/ebpf/ebpf_sensor.hpp"

namespace {

struct CountingSink : vigil::behavior::SensorSink {
    size_t n = 0;
    void on_exec(vigil::behavior::ExecEvent&& e) override { n += e.snapshot ? e.snapshot->info.argv.size() : 0; }
    void on_fork(const vigil::behavior::ForkEvent&) override { ++n; }
    void on_exit(const vigil::behavior::ExitEvent& e) override { n += e.comm.size(); }
    void on_network(const vigil::behavior::NetEvent&) override { ++n; }
    void on_file(vigil::behavior::FileEvent&& e) override { n += e.path.size() + e.new_path.size(); }
    void on_loss(const char*, uint64_t) override {}
};

std::string cache_path() {
    static const std::string p = [] {
        std::string t = (std::filesystem::temp_directory_path() / "behavior_fuzz_XXXXXX").string();
        if (!::mkdtemp(t.data())) return std::string("/tmp/behavior_fuzz_exe_hashes");
        return t + "/exe_hashes";
    }();
    return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const char* in = reinterpret_cast<const char*>(data) + 1;
    const size_t n = size - 1;
    if (data[0] % 2 == 0) {
        std::ofstream(cache_path(), std::ios::binary | std::ios::trunc).write(in, std::streamsize(n));
        vigil::behavior::ExeHasher h(64, 1 << 20);
        auto r = h.load(cache_path());
        (void)r;
        (void)h.keys();
    } else {
        // Ring-buffer records are 8-byte aligned.
        alignas(8) static char buf[1 << 16];
        size_t len = std::min(n, sizeof buf);
        std::copy(in, in + len, buf);
        CountingSink sink;
        vigil::behavior::EbpfSensor::dispatch(buf, len, sink);
    }
    return 0;
}
