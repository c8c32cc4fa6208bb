#include "batch_split.hpp"

#include <stdexcept>
#include <vector>
#include <vigil/common/json_parse.hpp>

#include "gzip.hpp"

namespace vigil::kataedr {

namespace {

constexpr uint64_t kDerived = 1ull << 62;
constexpr int kNodeBits = 20;
constexpr uint64_t kNodeMask = (1ull << kNodeBits) - 1;
constexpr uint64_t kMaxRoot = (1ull << (62 - kNodeBits)) - 1;
constexpr size_t kMaxPlain = size_t(1) << 30;  // a batch body never comes near this

// Byte ranges of the top-level elements of the JSON array starting at text[pos] ('[').
std::vector<std::pair<size_t, size_t>> array_elements(std::string_view text, size_t pos, size_t* end) {
    std::vector<std::pair<size_t, size_t>> out;
    int depth = 0;
    vigil::common::JsonStringSkipper strings;
    size_t start = pos + 1;
    for (size_t i = pos; i < text.size(); ++i) {
        char c = text[i];
        if (strings.in_string(c)) continue;
        if (c == '[' || c == '{') {
            ++depth;
        } else if (c == ']' || c == '}') {
            if (--depth == 0) {
                if (i > start) out.emplace_back(start, i);
                *end = i;
                return out;
            }
        } else if (c == ',' && depth == 1) {
            out.emplace_back(start, i);
            start = i + 1;
        }
    }
    throw std::runtime_error("batch body: the events array is not closed");
}

BatchPart make_part(std::string_view head, std::string_view plain, const std::vector<std::pair<size_t, size_t>>& ev,
                    size_t from, size_t to, uint64_t seq) {
    std::string body = std::string(head) + std::to_string(seq) + ",\"events\":[";
    for (size_t i = from; i < to; ++i) {
        if (i > from) body += ',';
        body.append(plain.substr(ev[i].first, ev[i].second - ev[i].first));
    }
    body += "]}";
    return BatchPart{seq, uint32_t(to - from), gzip_compress(body, 1)};
}

}  // namespace

std::optional<uint64_t> split_seq(uint64_t seq, int which) {
    uint64_t root = seq, node = 1;
    if (seq & kDerived) {
        root = (seq & ~kDerived) >> kNodeBits;
        node = seq & kNodeMask;
    } else if (seq > kMaxRoot) {
        return std::nullopt;
    }
    uint64_t child = node * 2 + uint64_t(which & 1);
    if (child > kNodeMask) return std::nullopt;
    return kDerived | (root << kNodeBits) | child;
}

std::pair<BatchPart, BatchPart> split_batch(std::string_view gzip_body, uint64_t seq) {
    std::string plain = gzip_decompress(gzip_body, kMaxPlain);
    // {"agent_id":"<uuid>","batch_seq":N,"events":[...]} as telemetry_pipeline writes it.
    const std::string_view text(plain);
    size_t seq_at = text.find("\"batch_seq\":");
    size_t events_at = text.find(",\"events\":[");
    if (text.substr(0, 13) != "{\"agent_id\":\"" || seq_at == std::string_view::npos ||
        events_at == std::string_view::npos || events_at < seq_at)
        throw std::runtime_error("batch body: not a telemetry batch of this connector");
    size_t end = 0;
    auto ev = array_elements(text, events_at + 10, &end);
    if (ev.size() < 2) throw std::runtime_error("batch body: fewer than two events, nothing to split");
    auto a = split_seq(seq, 0), b = split_seq(seq, 1);
    if (!a || !b) throw std::runtime_error("batch " + std::to_string(seq) + " cannot be split further");
    std::string_view head = text.substr(0, seq_at + 12);
    size_t half = ev.size() / 2;
    return {make_part(head, text, ev, 0, half, *a), make_part(head, text, ev, half, ev.size(), *b)};
}

}  // namespace vigil::kataedr
