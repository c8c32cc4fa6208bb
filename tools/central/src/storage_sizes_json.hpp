#pragma once
// The "storage" object of GET /api/v1/stats?sizes=1 (vigil-central stats): database, WAL
// and free bytes, events per receive day, what retention dropped since start, files_dir.
#include <cstdint>
#include <string>

#include "storage.hpp"

namespace vigil::central {

std::string storage_sizes_json(const StorageSizes& sizes, uint64_t files_bytes);

}  // namespace vigil::central
