#include <cuda_runtime.h>

#include "gpu/device_info.h"

namespace falcon::gpu {

std::vector<DeviceInfo> list_devices() {
  std::vector<DeviceInfo> out;
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();
    return out;
  }
  for (int i = 0; i < count; ++i) {
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, i) != cudaSuccess) continue;
    DeviceInfo d;
    d.index = i;
    d.name = prop.name;
    d.cc_major = prop.major;
    d.cc_minor = prop.minor;
    d.multiprocessors = prop.multiProcessorCount;
    d.total_bytes = prop.totalGlobalMem;
    size_t free_b = 0, total_b = 0;
    if (cudaSetDevice(i) == cudaSuccess && cudaMemGetInfo(&free_b, &total_b) == cudaSuccess)
      d.free_bytes = free_b;
    cudaGetLastError();
    out.push_back(d);
  }
  return out;
}

std::string no_device_reason() {
  int count = 0;
  cudaError_t status = cudaGetDeviceCount(&count);
  cudaGetLastError();
  // Without an NVIDIA driver the runtime reports "driver version is insufficient", which
  // reads like an upgrade hint; say what it means on such a machine.
  if (status == cudaErrorInsufficientDriver || status == cudaErrorNoDevice)
    return status == cudaErrorNoDevice ? kNoGpuFound : kNoUsableDriver;
  if (status != cudaSuccess) return cudaGetErrorString(status);
  return count == 0 ? "no CUDA device found" : "";
}

}  // namespace falcon::gpu
