// libFuzzer target: the safetensors header parser on arbitrary bytes taken as a whole file.
// Anything it accepts must satisfy the invariants the loaders rely on; violations trap.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "core/common/error.h"
#include "core/model/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const std::byte> file(reinterpret_cast<const std::byte*>(data), size);
  falcon::SafetensorsHeader h;
  try {
    h = falcon::parse_safetensors_header(file, "fuzz");
  } catch (const falcon::Error&) {
    return 0;  // refused with a message: fine
  }
  uint64_t prev_end = h.data_offset;
  for (const auto& e : h.tensors) {
    if (e.begin < h.data_offset || e.begin > e.end || e.end > size || e.begin < prev_end) __builtin_trap();
    prev_end = e.end;
    uint64_t numel = 1;
    for (int64_t d : e.shape) {
      if (d < 0) __builtin_trap();
      numel *= static_cast<uint64_t>(d);
    }
    if (numel * falcon::dtype_size(e.dtype) != e.end - e.begin) __builtin_trap();
    // Reading through a view must stay inside the file.
    falcon::TensorView v;
    v.dtype = e.dtype;
    v.shape = e.shape;
    v.data = file.subspan(e.begin, e.end - e.begin);
    const int64_t n = std::min<int64_t>(v.numel(), 16);
    std::vector<float> out(static_cast<size_t>(n));
    if (n > 0) falcon::to_float(v, v.numel() - n, n, out.data());
  }
  return 0;
}
