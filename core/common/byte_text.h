#pragma once
// Byte counts in messages (errors, notices): "12.34 GiB", binary units as memory is counted.
#include <cstdint>
#include <cstdio>
#include <string>

namespace falcon {

inline std::string gib_text(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(bytes) / 1073741824.0);
  return buf;
}

}  // namespace falcon
