// JSON results of the four actions (the command replies; documented in README).
#pragma once

#include <cstdint>
#include <string>

#include "delete_file.hpp"
#include "get_file.hpp"
#include "process_runner.hpp"
#include "terminate_process.hpp"

namespace vigil::response {

std::string get_file_result_json(const StagedFile& f);
std::string delete_file_result_json(const DeleteOutcome& d);
// output_cap limits the stdout/stderr text included (the action event uses a
// small cap; the reply includes everything captured).
std::string run_process_result_json(const RunOutcome& r, double timeout_s, bool timeout_limited_by_deadline,
                                    uint64_t output_cap = UINT64_MAX);
std::string terminate_result_json(const TerminateOutcome& t);

// "SIGTERM" for 15, "SIG42" for unnamed ones.
std::string signal_name(int sig);

}  // namespace vigil::response
