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
// The runtime's answer when list_devices() is empty ("no CUDA-capable device is detected").
std::string no_device_reason();

}  // namespace falcon::gpu
