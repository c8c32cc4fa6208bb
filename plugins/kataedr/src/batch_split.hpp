// Splitting a telemetry batch the central node refused as a whole: too large (413) or
// holding an event it cannot store (400, 422). The halves are sent instead, and split
// again if refused again, so one bad or oversized event costs only itself, never the
// detections next to it.
//
// A half gets a batch_seq derived from its parent's, the same on every attempt, so a
// retry after some halves were stored is deduplicated by the server like any retried
// batch. Derived numbers have bit 62 set: (1 << 62) | (root << 20) | node, where node
// numbers the halves as a binary heap (root 1, children 2n and 2n+1), so a batch splits
// down to single events (at most 2^19 levels deep... far more than 100,000 events need).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace vigil::kataedr {

struct BatchPart {
    uint64_t seq = 0;
    uint32_t events = 0;
    std::string body;  // gzip
};

// batch_seq of half `which` (0 or 1) of batch `seq`; nullopt when it cannot split further.
std::optional<uint64_t> split_seq(uint64_t seq, int which);

// The two halves of a batch body this connector wrote (`events` >= 2). Throws
// std::runtime_error naming what is wrong when the body is not such a batch.
std::pair<BatchPart, BatchPart> split_batch(std::string_view gzip_body, uint64_t seq);

}  // namespace vigil::kataedr
