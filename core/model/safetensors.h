#pragma once
// SafetensorsFile: one memory-mapped .safetensors file with a strictly validated header.
//
// File layout (https://github.com/huggingface/safetensors): an 8-byte little-endian header
// length N, N bytes of JSON {"name": {"dtype", "shape", "data_offsets": [begin, end]}, ...,
// "__metadata__": {string: string}}, then the data area. Offsets are relative to the data area.
// We accept only BF16, F16 and F32 (what Falcon checkpoints use); every other dtype is refused
// with a message naming the tensor, so a quantised or exotic file fails at load, not mid-run.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace falcon {

enum class DType { BF16, F16, F32 };

// "BF16", "F16", "F32": the spelling used in safetensors headers.
const char* dtype_name(DType dtype);
// Bytes per element: 2, 2, 4.
std::size_t dtype_size(DType dtype);

// A read-only view of one tensor's bytes inside a mapped file (row-major, C order).
// Valid as long as the SafetensorsFile / CheckpointReader that produced it is alive.
struct TensorView {
  std::string_view name;            // the tensor's name in the checkpoint
  DType dtype = DType::F32;         // element type as stored in the file
  std::vector<int64_t> shape;       // e.g. (out_features, in_features) for a linear weight
  std::span<const std::byte> data;  // exactly numel() * dtype_size(dtype) bytes; may be unaligned

  int64_t numel() const;
  // Elements per row: the product of all but the first dimension (1 for a 1-D tensor's row).
  int64_t row_size() const;
  int64_t rows() const { return shape.empty() ? 1 : shape[0]; }
};

// Element conversion. Scalar and exact: BF16 -> F32 is a shift; F16 -> F32 handles
// subnormals, infinities and NaN.
float bf16_to_float(uint16_t bits);
float f16_to_float(uint16_t bits);
// Converts `count` elements starting at element `first` of `view` into `out` (count floats).
// Throws Error(Other) if the range is outside the tensor.
void to_float(const TensorView& view, int64_t first, int64_t count, float* out);
// Converts rows [row_begin, row_begin + row_count) (row = row_size() elements) into `out`.
void rows_to_float(const TensorView& view, int64_t row_begin, int64_t row_count, float* out);

// One entry of a parsed header. Offsets are absolute within the file.
struct SafetensorsEntry {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;
  uint64_t begin = 0;  // absolute byte offset of the first element
  uint64_t end = 0;    // absolute byte offset one past the last element
};

struct SafetensorsHeader {
  std::vector<SafetensorsEntry> tensors;        // sorted by begin offset
  std::map<std::string, std::string> metadata;  // "__metadata__", e.g. {"format": "pt"}
  uint64_t data_offset = 0;                     // 8 + header length
};

// Most header bytes we accept (the format's reference implementation uses 100 MB too).
inline constexpr uint64_t kMaxSafetensorsHeaderBytes = 100ull * 1024 * 1024;

// Parses and validates the header of a complete file held in `file` (the whole file, so
// offsets can be checked against its size). `origin` names the file in error messages.
// Checks: length prefix present and within bounds, JSON well-formed and an object, every
// entry has exactly dtype/shape/data_offsets of the right types, dtype supported, shape
// dimensions non-negative, begin <= end, offsets inside the data area, dtype x shape ==
// byte size, no two tensors overlap. Throws Error(Load) naming the file and the tensor.
// Pure function of its input: this is the libFuzzer entry point.
SafetensorsHeader parse_safetensors_header(std::span<const std::byte> file, const std::string& origin);

class SafetensorsFile {
 public:
  // Maps `path` read-only and validates its header. Throws Error(Load).
  explicit SafetensorsFile(const std::filesystem::path& path);
  ~SafetensorsFile();
  SafetensorsFile(SafetensorsFile&&) noexcept;
  SafetensorsFile& operator=(SafetensorsFile&&) noexcept;
  SafetensorsFile(const SafetensorsFile&) = delete;
  SafetensorsFile& operator=(const SafetensorsFile&) = delete;

  const std::filesystem::path& path() const;
  const SafetensorsHeader& header() const;
  // nullptr when absent.
  const SafetensorsEntry* find(std::string_view name) const;
  TensorView view(const SafetensorsEntry& entry) const;
  // The whole mapped file.
  std::span<const std::byte> bytes() const;
  // A read reached past the end the file has now: it was truncated (replaced) after it was
  // mapped, and the bytes read from the lost part were zeros (core/common/mapping_guard.h).
  bool changed_on_disk() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace falcon
