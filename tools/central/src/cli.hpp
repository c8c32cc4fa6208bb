#pragma once
// The admin CLI of vigil-central (agents, events, task, file, stats) over the operator API,
// and the `serve` entry point.
namespace vigil::central {

int run_cli(int argc, char** argv);

}  // namespace vigil::central
