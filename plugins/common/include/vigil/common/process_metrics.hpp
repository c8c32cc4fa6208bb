#pragma once
// The standard process_* metrics of the Prometheus client libraries (CPU
// seconds, resident and virtual memory, open and maximum descriptors, start
// time, threads), read from /proc/self. Used by vigild and vigil-central.
#include <vigil/common/prometheus.hpp>

namespace vigil::common {

void render_process_metrics(prom::Exposition& out);

}  // namespace vigil::common
