#pragma once
// What CUDA devices this machine has, for --version, the status bar and backend choice.
#include <cstdint>
#include <string>
#include <vector>

namespace falcon::gpu {

struct DeviceInfo {
  int index = 0;
  std::string name;  // "NVIDIA H200"
  int cc_major = 0;  // compute capability, e.g. 9.0
  int cc_minor = 0;
  int multiprocessors = 0;
  std::uint64_t total_bytes = 0;  // device memory
  std::uint64_t free_bytes = 0;
};

// Devices the driver reports; empty (never throws) when there is no driver or no device.
std::vector<DeviceInfo> list_devices();
// The runtime's answer when list_devices() is empty: one of the two below, or the runtime's own
// words for anything else.
std::string no_device_reason();
inline constexpr const char* kNoGpuFound = "no NVIDIA GPU found";
inline constexpr const char* kNoUsableDriver =
    "no usable NVIDIA driver (none installed, or one too old for CUDA 13)";

}  // namespace falcon::gpu
