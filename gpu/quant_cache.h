#pragma once
// Internal to falcon_gpu: the quantization cache of the CUDA backend. After an int8/int4 load, the quantized
// matrices are written to one file next to the user's data, so the next load of the same
// checkpoint reads them instead of reading and quantizing the bf16 weights again.
// Format and invalidation: docs/QUANTIZATION.md ("Cache file").
#include <cuda_runtime.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "gpu/cuda_model.h"
#include "gpu/device_alloc.h"

namespace falcon::gpu {

// qcache::cache_file's name with no backend suffix (<folder>-<place>-<int8|int4>[-head[-<format>]]-
// <key>.fqc); the key is qcache::checkpoint_key (core/model/quant_cache_file.h).
std::filesystem::path quant_cache_file(const std::filesystem::path& cache_dir,
                                       const std::filesystem::path& model_dir, const Dims& d, uint64_t key);

using CacheProgress = std::function<void(uint64_t done, uint64_t total)>;

// Fills every quantized matrix of `m` (layers and, with Dims::quant_head, the head) from `file`.
// Returns false, with the reason in *why, when the file is missing, written for another key or
// layout, truncated or unreadable; never throws for a bad file (the caller quantizes instead).
// Its pinned staging buffer is an allocation of `faults` (device_alloc.h); out of pinned memory
// throws Error(OutOfMemory).
bool read_quant_cache(const std::filesystem::path& file, uint64_t key, DeviceModel& m, cudaStream_t stream,
                      FaultInjection* faults, const CacheProgress& progress, std::string* why);

// Writes them: to a temporary file (mode 0600) renamed into place, so a crash never leaves a
// half-written cache under the final name. Returns false with *why on failure (disk full,
// read-only folder, no pinned memory for the staging buffer); the loaded model is unaffected.
bool write_quant_cache(const std::filesystem::path& file, uint64_t key, const DeviceModel& m,
                       cudaStream_t stream, FaultInjection* faults, std::string* why);

}  // namespace falcon::gpu
