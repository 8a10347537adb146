#pragma once
// CpuBackend: the reference implementation of Backend. fp32 arithmetic throughout; weights
// stay in their file dtype inside the memory map and are converted to fp32 row by row as
// they are used (so a bf16 checkpoint costs its file size in memory, not twice that).
// Work is split over a small thread pool (rows of each matrix product, heads of attention).
#include <filesystem>
#include <memory>

#include "core/model/backend.h"
#include "core/model/checkpoint.h"

namespace falcon {

struct CpuBackendOptions {
  int threads = 0;         // worker threads; 0 = all hardware threads
  int cache_capacity = 0;  // KV cache tokens; 0 = max_position_embeddings (2048 if that is unset)
  int prefill_chunk = 0;   // tokens a prompt runs through the layers at once; 0 = 256
};

// Loads <model_dir>/config.json (+ generation_config.json) and the safetensors weights,
// validates every tensor, and returns a ready backend. Throws Error(Load) or Error(OutOfMemory).
std::unique_ptr<Backend> create_cpu_backend(const std::filesystem::path& model_dir,
                                            const CpuBackendOptions& options = {});

// Builds a backend from an already parsed config and opened checkpoint (tests, benchmarks).
// Validates the checkpoint against the config first.
std::unique_ptr<Backend> create_cpu_backend(const ModelConfig& config,
                                            std::shared_ptr<const CheckpointReader> weights,
                                            const CpuBackendOptions& options = {});

}  // namespace falcon
