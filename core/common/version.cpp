#include "core/common/version.h"

#include <sstream>
#include <string_view>

#include "core/common/build_info.h"

namespace falcon {

std::string version_banner(const std::string& program) {
  std::ostringstream out;
  out << program << ' ' << build::kVersion << '\n';
  out << "build: " << build::kBuildType << ", C++20\n";
  if (build::kHaveCuda) {
    out << "CUDA backend: on, compute capabilities";
    std::string_view archs = build::kCudaArchs;
    while (!archs.empty()) {
      const auto comma = archs.find(',');
      const std::string_view arch = archs.substr(0, comma);
      out << ' ' << arch.substr(0, arch.size() - 1) << '.' << arch.substr(arch.size() - 1);
      archs = comma == std::string_view::npos ? std::string_view{} : archs.substr(comma + 1);
    }
    out << '\n';
  } else {
    out << "CUDA backend: off (built without a CUDA toolkit; CPU backend only)\n";
  }
  return out.str();
}

}  // namespace falcon
