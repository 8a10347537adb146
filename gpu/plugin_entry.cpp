// The C entry point of libfalcon-cuda.so: the table of CUDA backend functions that
// app/engine/cuda_plugin.cpp takes after dlopen. Everything else in the plugin is local
// (gpu/plugin.map), so its own copy of falcon_core never clashes with the program's.
#include "gpu/plugin_api.h"

namespace falcon::gpu {
namespace {

std::unique_ptr<Backend> create_backend(const std::filesystem::path& model_dir,
                                        const CudaBackendOptions& options) {
  return create_cuda_backend(model_dir, options);
}

std::string run_bench_json(const std::string& shape, const BenchOptions& options) {
  return run_gpu_bench(shape, options).to_json();
}

constexpr PluginApi kApi{&plugin_build_id, &list_devices, &no_device_reason, &create_backend,
                         &run_bench_json};

}  // namespace
}  // namespace falcon::gpu

extern "C" __attribute__((visibility("default"))) const falcon::gpu::PluginApi* falcon_cuda_plugin_api() {
  return &falcon::gpu::kApi;
}
