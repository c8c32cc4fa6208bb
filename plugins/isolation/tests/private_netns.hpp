// Tests that talk to the kernel's nftables run in a network namespace of
// their own, so they never touch the host's ruleset (tests/support helpers).
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "vigil/testing/private_netns.hpp"

namespace vigil::isolation::test {

// Moves this test process into a fresh network namespace (once). False when
// that is not permitted (not root); callers then skip their kernel checks.
using vigil::testing::enter_private_netns;
// Runs a shell command, returns its exit status and captures stdout+stderr.
using vigil::testing::run_shell;

inline std::string temp_dir() {
    char tmpl[] = "/tmp/isolation_test_XXXXXX";
    const char* d = ::mkdtemp(tmpl);
    return d ? d : "/tmp";
}

}  // namespace vigil::isolation::test
