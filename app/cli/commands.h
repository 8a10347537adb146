#pragma once
#include <string>

#include "app/cli/cli_options.h"

namespace falcon::cli {

// Version banner plus, in a CUDA build, the devices this machine has.
std::string version_text();
// Runs what the options ask for; returns the exit status. Throws falcon::Error on failure.
int execute(const CliOptions& options);

}  // namespace falcon::cli
