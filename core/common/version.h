#pragma once
// The version banner both executables print for --version.
#include <string>

namespace falcon {

// "<program> <version>\nbuild: <type>\nCUDA backend: on (sm_80, sm_86, ...)" or "off".
std::string version_banner(const std::string& program);

}  // namespace falcon
