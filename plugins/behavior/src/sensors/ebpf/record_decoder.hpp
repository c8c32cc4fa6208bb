// Decodes the records the eBPF programs put in the ring buffer into sensor
// events. Kept apart from the loader (no libbpf) so it can be fuzzed: the
// records come from the kernel, but their strings hold whatever user space
// named its files, arguments and ttys.
#pragma once

#include <cstddef>

#include "sensors/sensor.hpp"

namespace vigil::behavior {

// Hands one record to `sink`; records that are too short or of an unknown
// kind are ignored.
void decode_record(const void* data, size_t size, SensorSink& sink);

}  // namespace vigil::behavior
