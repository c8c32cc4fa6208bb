// Tests that talk to the kernel's nftables run in a network namespace of
// their own, so they never touch the host's ruleset (tests/support's helper).
#pragma once

#include <stdlib.h>

#include <string>

#include "vigil/testing/private_netns.hpp"

namespace vigil::isolation::test {

using vigil::testing::enter_private_netns;
using vigil::testing::run_shell;

inline std::string temp_dir() {
    char tmpl[] = "/tmp/isolation_test_XXXXXX";
    const char* d = ::mkdtemp(tmpl);
    return d ? d : "/tmp";
}

}  // namespace vigil::isolation::test
