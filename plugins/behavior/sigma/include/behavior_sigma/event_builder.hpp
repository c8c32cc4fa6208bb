// Builds the SigmaEvent for one bus message, so the plugin glue is one call:
//
//   if (auto ev = vigil::behavior::sigma::event_from_message(m.type(), m.payload(), m.payload_size()))
//       for (auto& match : detector.evaluate(*ev, ancestors)) ...
//
// Payloads are read through vigil::view<T> (bounds-checked, tolerant of older,
// shorter structs). The field mapping is documented in sigma/README.md.
#pragma once

#include <cstdint>
#include <optional>

#include <vigil/events.h>

#include "behavior_sigma/event.hpp"

namespace vigil::behavior::sigma {

// nullopt for messages the engine does not evaluate: other types, network
// listen/close, file chmod/chown, and malformed payloads. With `wanted`
// (Detector::fields_read()), only the fields the loaded rules read are built.
std::optional<SigmaEvent> event_from_message(std::uint32_t type_id, const void* payload, std::uint32_t size,
                                             const FieldsByCategory* wanted = nullptr);

// The same into an existing event, which is reset first: its strings keep their memory, so
// a caller that reuses one event (one per thread) allocates nothing per message. False
// where event_from_message gives nullopt (`ev` is then not to be evaluated).
bool event_into(SigmaEvent& ev, std::uint32_t type_id, const void* payload, std::uint32_t size,
                const FieldsByCategory* wanted = nullptr);

// process_start (exit == false) -> process_creation; process_exit -> process_termination.
std::optional<SigmaEvent> event_from_process(const void* payload, std::uint32_t size, bool exit,
                                             const FieldsByCategory* wanted = nullptr);
// connect -> network_connection (Initiated true); accept -> (Initiated false).
std::optional<SigmaEvent> event_from_network(const void* payload, std::uint32_t size,
                                             const FieldsByCategory* wanted = nullptr);
// create/modify -> file_event, delete -> file_delete, rename -> file_rename,
// open -> file_access.
std::optional<SigmaEvent> event_from_file(const void* payload, std::uint32_t size,
                                          const FieldsByCategory* wanted = nullptr);

// Adds the acting process's fields (Image, CommandLine, ParentImage, ...).
// `base`/`size` is the payload that holds the context's strings.
void add_process_fields(SigmaEvent& event, const void* base, std::uint32_t size, const vigil_process_ctx& ctx);

}  // namespace vigil::behavior::sigma
