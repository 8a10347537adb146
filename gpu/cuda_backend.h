#pragma once
// CudaBackend: the Falcon forward pass on one NVIDIA GPU (bf16 weights, fp32 accumulation,
// fp32 LayerNorm/softmax statistics). Same Backend contract as CpuBackend; see gpu/README-like
// notes in docs/GPU_NOTES.md for the kernels and their measured speed.
//
// This header includes no CUDA headers, so the app and falcon-run can include it freely.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/model/backend.h"
#include "core/model/checkpoint.h"

namespace falcon {

struct CudaBackendOptions {
  int device = 0;               // CUDA device index
  int cache_capacity = 0;       // KV cache tokens; 0 = as CpuBackend: max_position_embeddings (x RoPE factor)
  int max_batch_tokens = 2048;  // tokens per prefill pass (bounds scratch memory); longer prompts are chunked
  bool use_cuda_graph = true;   // replay the decode step as one CUDA graph
  // Weight-only quantization at load time (docs/QUANTIZATION.md): the layers' matrices become
  // int8 (per output channel) or int4 (groups of 128, fp16 scales); embeddings, LayerNorms and
  // biases stay as they are. head_weights is the output head's format, chosen on its own; unset,
  // default_head_format(weights) (int6 beside int4 layers, else bf16).
  WeightFormat weights = WeightFormat::Bf16;
  std::optional<WeightFormat> head_weights;
  // int8/int4 from a checkpoint: where the quantized weights are cached between loads (one file
  // per checkpoint and format, mode 0600, replaced when the checkpoint changes); empty = no cache.
  std::filesystem::path quant_cache_dir;
  // One-line notes for the user while loading (cache reused / written / not written and why).
  std::function<void(const std::string&)> notice;
  // Called during loading with bytes done and bytes in total (weights); may be empty.
  std::function<void(uint64_t done, uint64_t total)> progress;
};

// The head format `o` asks for, its default resolved.
inline WeightFormat head_format(const CudaBackendOptions& o) {
  return o.head_weights.value_or(default_head_format(o.weights));
}

// Loads <model_dir>/config.json and its safetensors weights onto the GPU. Throws Error(Load)
// for a bad checkpoint, Error(OutOfMemory) (with the bytes needed and free) when the device
// is too small, Error(Other) when there is no usable CUDA device.
std::unique_ptr<Backend> create_cuda_backend(const std::filesystem::path& model_dir,
                                             const CudaBackendOptions& options = {});
std::unique_ptr<Backend> create_cuda_backend(const ModelConfig& config,
                                             std::shared_ptr<const CheckpointReader> weights,
                                             const CudaBackendOptions& options = {});

// Random bf16 weights of `config`'s shapes, generated on the device (no host copy of the
// weights): for benchmarks of real model sizes without their checkpoints.
std::unique_ptr<Backend> create_synthetic_cuda_backend(const ModelConfig& config, uint64_t seed,
                                                       const CudaBackendOptions& options = {});

// Bytes of device memory create_cuda_backend would allocate for `config` (weights, KV cache,
// scratch), for the memory check and for --bench reports.
uint64_t cuda_backend_device_bytes(const ModelConfig& config, const CudaBackendOptions& options);

}  // namespace falcon
