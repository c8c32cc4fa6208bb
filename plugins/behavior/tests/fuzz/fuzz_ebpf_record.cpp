// libFuzzer: ring-buffer records of the eBPF sensor. The kernel writes their
// layout, but their strings (paths, argv, tty, cgroup, comm) are whatever user
// space chose; the decoder must stay inside each record whatever its bytes.
#include <linux/types.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "sensors/ebpf/record_decoder.hpp"
#include "sensors/ebpf/sensor_events.h"

namespace {

struct CountingSink : vigil::behavior::SensorSink {
    size_t n = 0, bytes = 0;
    void on_exec(vigil::behavior::ExecEvent&& e) override {
        ++n;
        if (e.snapshot) bytes += e.snapshot->info.cmdline.size() + e.snapshot->info.exe.size();
    }
    void on_fork(const vigil::behavior::ForkEvent&) override { ++n; }
    void on_exit(const vigil::behavior::ExitEvent& e) override { bytes += e.comm.size(); }
    void on_network(const vigil::behavior::NetEvent&) override { ++n; }
    void on_file(vigil::behavior::FileEvent&& e) override { bytes += e.path.size() + e.new_path.size(); }
    void on_loss(const char*, uint64_t) override {}
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // Byte 0 chooses the kind so every decoder gets full-size records.
    if (size < 1) return 0;
    static const size_t sizes[] = {sizeof(vb_exec), sizeof(vb_fork), sizeof(vb_exit), sizeof(vb_net),
                                   sizeof(vb_file)};
    const uint32_t kind = 1 + data[0] % 5;
    std::vector<uint8_t> rec(std::max(sizes[kind - 1], size - 1));
    std::memcpy(rec.data(), data + 1, size - 1);
    auto* h = reinterpret_cast<vb_header*>(rec.data());
    h->kind = kind;
    CountingSink sink;
    vigil::behavior::decode_record(rec.data(), rec.size(), sink);
    // Short records are ignored, never read past their end (ring-buffer
    // records are 8-byte aligned, so is this copy).
    std::vector<uint64_t> exact((size - 1 + 7) / 8 + 1);
    std::memcpy(exact.data(), data + 1, size - 1);
    if (size - 1 >= sizeof(vb_header)) reinterpret_cast<vb_header*>(exact.data())->kind = kind;
    vigil::behavior::decode_record(exact.data(), size - 1, sink);
    return 0;
}
