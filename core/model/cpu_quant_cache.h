#pragma once
// The CPU backend's quantization cache: its quantized matrices (cpu_quant.h's layout) in the file
// of quant_cache_file.h, under a name ending in "-cpu" (the CUDA backend's file holds another
// layout). Format and invalidation: docs/QUANTIZATION.md ("Cache file").
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/model/cpu_quant.h"
#include "core/model/quant_cache_file.h"

namespace falcon::cpu {

struct MatrixShape {
  int rows = 0;
  int cols = 0;
  WeightFormat format = WeightFormat::Int8;  // Int8, Int4, or Int6 (the output head only)
};

// Bytes done and total; returning false cancels (Error(Cancelled)).
using CacheProgress = std::function<bool(uint64_t done, uint64_t total)>;

// The header of the file for these matrices, in this order: the layers' format, the checkpoint's
// key, and a layout hash over every matrix's shape and format and every segment's size.
qcache::Expect cache_expect(WeightFormat layers, std::span<const MatrixShape> shapes, uint64_t key);

// Reads the matrices into `out` (one per shape, in order): their codes are views of the file,
// mapped (qcache::Mapping: the page cache's pages, no copy; paged in here, with progress), their
// scales copied and checked. Returns false, with the reason in *why, when the file is missing,
// written for another checkpoint or layout, truncated, unreadable, or holds a scale quantize()
// cannot make (negative, NaN, past the format's range): then `out` is empty and the caller
// quantizes instead. `mapping`, when given, gets the file's mapping (the backend asks it whether
// the file was cut short while in use). Throws Error(Cancelled) when progress says so,
// std::bad_alloc.
bool read_cache(const std::filesystem::path& file, const qcache::Expect& want,
                std::span<const MatrixShape> shapes, std::vector<QuantMatrix>& out,
                const CacheProgress& progress, std::string* why,
                std::shared_ptr<const qcache::Mapping>* mapping = nullptr);

// Writes them (atomically: quant_cache_file.h's Writer). Returns false with *why on failure
// (disk full, read-only folder); nothing is left under the final name then. Throws
// Error(Cancelled) when progress says so (the temporary file is removed).
bool write_cache(const std::filesystem::path& file, const qcache::Expect& header,
                 std::span<const QuantMatrix* const> matrices, const CacheProgress& progress,
                 std::string* why);

}  // namespace falcon::cpu
