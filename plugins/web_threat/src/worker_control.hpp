// The worker's side of list changes: a thread reads the plugin's messages on
// the report socket (fd 4, a SOCK_SEQPACKET pair: reports go one way, these
// the other). {"type":"lists","generation":N} carries a sealed memfd with a
// list snapshot (list_snapshot.hpp); the worker swaps it into its
// ListHolder whole — connections and queries judged after that see the new
// lists, none sees a mix — and answers {"type":"lists_applied",
// "generation":N,...} or {"type":"lists_failed","generation":N,"message":..}.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "list_set.hpp"
#include "worker_report.hpp"

namespace vigil::web_threat {

// The largest snapshot the worker takes (a million domains take ~17 MiB).
inline constexpr size_t kMaxSnapshotBytes = size_t(1) << 30;

// The plugin's message announcing a snapshot.
std::string lists_message(uint64_t generation);

// Handles one message (and the fd that came with it, or -1; closed here);
// returns the answer to send back ("" for a message that is not ours).
std::string handle_control_message(const std::string& msg, int fd, ListHolder& holder);

// Sends one message on the SOCK_SEQPACKET socket `sock`, with `fd` passed
// along when >= 0 (SCM_RIGHTS); true when the whole message went.
bool send_message(int sock, const std::string& msg, int fd, int flags);

// Serves messages on `fd` until the plugin closes its end.
void serve_control(int fd, ListHolder& holder, Reporter& reporter);

}  // namespace vigil::web_threat
