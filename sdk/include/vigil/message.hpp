// Vigil C++ SDK: what callbacks receive (Message, Command, CommandResult) and
// Reply, which answers one command exactly once.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "events.h"
#include "payload.hpp"
#include "plugin.h"

namespace vigil {

// A received message (borrowed for the duration of the callback).
struct Message {
    const vigil_message* raw;
    uint32_t type() const { return raw->type_id; }
    uint64_t sequence() const { return raw->sequence; }
    uint64_t timestamp_ns() const { return raw->timestamp_ns; }
    std::string_view source() const { return {raw->source, raw->source_len}; }
    const void* payload() const { return raw->payload; }
    uint32_t payload_size() const { return raw->payload_size; }
    template <class T>
    PayloadView<T> as() const { return view<T>(raw->payload, raw->payload_size); }
};

// A command received by a handler; the views are borrowed for the call.
struct Command {
    uint64_t correlation_id = 0;
    uint64_t deadline_ns = 0;
    std::string_view name, args_json, origin;
};

// A command with its own copies of the strings, for work that outlives the handler.
struct OwnedCommand {
    uint64_t correlation_id = 0;
    uint64_t deadline_ns = 0;
    std::string name, args_json, origin;
    OwnedCommand() = default;
    explicit OwnedCommand(const Command& c)
        : correlation_id(c.correlation_id),
          deadline_ns(c.deadline_ns),
          name(c.name),
          args_json(c.args_json),
          origin(c.origin) {}
    Command view() const { return Command{correlation_id, deadline_ns, name, args_json, origin}; }
};

struct CommandResult {
    vigil_status status = VIGIL_OK;
    std::string_view name, result_json, error;
    uint64_t correlation_id = 0;
    bool ok() const { return status == VIGIL_OK; }
};

struct OwnedCommandResult {
    vigil_status status = VIGIL_OK;
    std::string name, result_json, error;
    uint64_t correlation_id = 0;
    bool ok() const { return status == VIGIL_OK; }
};

// Answers one command exactly once; later calls are ignored. Copyable and
// safe to move to another thread for asynchronous work.
class Reply {
public:
    Reply(const vigil_host_api* api, vigil_host_handle* h, uint64_t corr)
        : api_(api), h_(h), corr_(corr), done_(std::make_shared<std::atomic<bool>>(false)) {}
    bool ok(std::string_view result_json = "{}") { return send(VIGIL_OK, result_json, {}); }
    bool error(vigil_status status, std::string_view message, std::string_view result_json = {}) {
        return send(status == VIGIL_OK ? VIGIL_EFAILED : status, result_json, message);
    }
    bool replied() const { return done_->load(); }
    uint64_t correlation_id() const { return corr_; }

private:
    bool send(vigil_status st, std::string_view result, std::string_view err) {
        if (done_->exchange(true)) return false;
        return api_->reply(h_, corr_, st, result.data(), uint32_t(result.size()), err.data(),
                           uint32_t(err.size())) == VIGIL_OK;
    }
    const vigil_host_api* api_;
    vigil_host_handle* h_;
    uint64_t corr_;
    std::shared_ptr<std::atomic<bool>> done_;
};

}  // namespace vigil
