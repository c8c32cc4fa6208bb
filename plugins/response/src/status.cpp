#include "status.hpp"

#include "json_util.hpp"

namespace vigil::response {

std::string status_json(const StatusCounts& s) {
    JsonOut o;
    o.begin_object();
    o.field("running_actions", s.running_actions);
    o.field("completed", s.completed).field("failed", s.failed);
    o.field("staging_dir", s.staging_dir);
    o.end_object();
    return o.take();
}

}  // namespace vigil::response
