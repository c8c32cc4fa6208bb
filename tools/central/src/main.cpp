// vigil-central: the central node server (`serve`) and its admin CLI.
#include "cli.hpp"

int main(int argc, char** argv) { return vigil::central::run_cli(argc, argv); }
