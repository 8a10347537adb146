#pragma once
// CpuBackend: the reference implementation of Backend. fp32 arithmetic throughout; weights
// stay in their file dtype inside the memory map and are converted to fp32 row by row as
// they are used (so a bf16 checkpoint costs its file size in memory, not twice that). With
// int8/int4 weights the layers' matrices (and the head, by its own format: int6 too) are
// quantized at load into memory of their own (cpu_quant.h), and their pages of the map are
// released.
// Work is split over a small thread pool (rows of each matrix product, heads of attention).
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/model/backend.h"
#include "core/model/checkpoint.h"

namespace falcon {

struct CpuBackendOptions {
  int threads = 0;         // worker threads; 0 = all hardware threads
  int cache_capacity = 0;  // KV cache tokens; 0 = max_position_embeddings (2048 if that is unset)
  int prefill_chunk = 0;   // tokens a prompt runs through the layers at once; 0 = 256
  // The layers' matrices (QKV, dense, MLP): bf16 runs the checkpoint's own dtype; int8/int4 are
  // docs/QUANTIZATION.md's schemes, quantized while loading (int6 is refused with
  // Error(Usage): a format for the head only). The head: its own format (bf16, int8, int4 or
  // int6: int8's layout with codes within ±31), or default_head_format(weights) when unset.
  // Embeddings and LayerNorms stay as they are.
  WeightFormat weights = WeightFormat::Bf16;
  std::optional<WeightFormat> head_weights;
  // Called with the fraction of the quantization done (0..1); returning false cancels the load
  // (Error(Cancelled)). Not called for bf16.
  std::function<bool(double)> progress;
  // The RAM the quantized weights may take: 0 = what the system has available (MemAvailable)
  // after the KV cache and buffers are allocated; tests set a number. More than that is refused
  // with Error(OutOfMemory) before quantizing, with the numbers.
  uint64_t host_memory_limit = 0;
  // With int8/int4 layers and a folder here, the quantized matrices are read from a cache file
  // made for this checkpoint (core/model/cpu_quant_cache.h) instead of being quantized, or
  // written there after quantizing. Empty: quantize on every load.
  std::filesystem::path quant_cache_dir;
  // What happened to the cache (read, written, not used and why); may be empty.
  std::function<void(const std::string&)> notice;
};

// Loads <model_dir>/config.json (+ generation_config.json) and the safetensors weights,
// validates every tensor, and returns a ready backend. Throws Error(Load) or Error(OutOfMemory);
// Error(Usage) for int6 layers (options.weights), before anything is read.
std::unique_ptr<Backend> create_cpu_backend(const std::filesystem::path& model_dir,
                                            const CpuBackendOptions& options = {});

// Builds a backend from an already parsed config and opened checkpoint (tests, benchmarks).
// Validates the checkpoint against the config first.
std::unique_ptr<Backend> create_cpu_backend(const ModelConfig& config,
                                            std::shared_ptr<const CheckpointReader> weights,
                                            const CpuBackendOptions& options = {});

}  // namespace falcon
