#pragma once
// The CUDA backend as a run-time plugin (libfalcon-cuda.so). falcon-run and falcon-chat do not
// link CUDA: they dlopen the plugin and take this table from its one C entry point, so the
// programs start (and run on the CPU) on machines without libcudart/libcublas. No CUDA headers.
//
// Both sides are built from the same tree by the same compiler, so the table passes C++ types
// (std::string, std::unique_ptr<Backend>, falcon::Error exceptions). build_id() guards against
// a plugin from another build: the loader refuses one whose id differs from its own.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/common/build_info.h"
#include "core/model/backend.h"
#include "gpu/bench.h"
#include "gpu/cuda_backend.h"
#include "gpu/device_info.h"

namespace falcon::gpu {

struct PluginApi {
  std::string (*build_id)();
  std::vector<DeviceInfo> (*list_devices)();
  std::string (*no_device_reason)();
  std::unique_ptr<Backend> (*create_backend)(const std::filesystem::path& model_dir,
                                             const CudaBackendOptions& options);
  // run_gpu_bench(shape, options).to_json(): the JSON line of `falcon-run --bench --synthetic`.
  std::string (*run_bench_json)(const std::string& shape, const BenchOptions& options);
};

// Same text on both sides of the boundary only when version, compiler and the layouts of the
// option structs agree.
inline std::string plugin_build_id() {
  return std::string(build::kVersion) + " " + build::kBuildType + " gcc " + __VERSION__ + " sizes " +
         std::to_string(sizeof(PluginApi)) + "/" + std::to_string(sizeof(CudaBackendOptions)) + "/" +
         std::to_string(sizeof(BenchOptions)) + "/" + std::to_string(sizeof(DeviceInfo)) + "/" +
         std::to_string(sizeof(BackendMemory));
}

}  // namespace falcon::gpu

// The plugin's only exported symbol (see gpu/plugin.map).
extern "C" const falcon::gpu::PluginApi* falcon_cuda_plugin_api();
