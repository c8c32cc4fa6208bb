// The standard process_* metrics of the Prometheus client libraries (CPU
// seconds, resident and virtual memory, open and maximum descriptors, start
// time, threads), read from /proc/self.
#pragma once
#include <vigil/common/prometheus.hpp>

namespace vigil::core {

void render_process_metrics(common::prom::Exposition& out);

}  // namespace vigil::core
