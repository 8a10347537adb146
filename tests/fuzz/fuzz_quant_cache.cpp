// libFuzzer target: the CPU backend's quantization cache reader (core/model/cpu_quant_cache.h) on
// arbitrary files. The first byte picks the form: odd, the rest is the whole file (header
// included); even, the rest is the payload behind a valid header for the shapes below, so the
// segment reading and the scale checks see most inputs. Its bit 1 adds an int6 output head to
// the shapes (int4 layers' default head). A file the reader accepts must give
// matrices of the asked shapes whose every weight dequantizes to a finite number; violations trap.
#include <stdlib.h>
#include <unistd.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/common/error.h"
#include "core/model/cpu_quant_cache.h"

using namespace falcon;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const cpu::MatrixShape all[] = {{3, 5, WeightFormat::Int8},
                                         {2, 130, WeightFormat::Int4},
                                         {1, 128, WeightFormat::Int4},
                                         {4, 9, WeightFormat::Int6}};
  const std::span<const cpu::MatrixShape> shapes(all, (data[0] & 2) ? 4 : 3);
  const qcache::Expect want = cpu::cache_expect(WeightFormat::Int4, shapes, 42);
  static const std::string path = [] {
    char name[] = "/tmp/fuzz_quant_cache_XXXXXX";
    const int fd = mkstemp(name);
    if (fd >= 0) ::close(fd);
    return std::string(name);
  }();
  if (data[0] & 1) {
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return 0;
    std::fwrite(data + 1, 1, size - 1, f);
    std::fclose(f);
  } else {
    qcache::Writer w;
    if (!w.begin(path, want, nullptr) || !w.write(data + 1, size - 1) || !w.commit(nullptr)) return 0;
  }
  std::vector<cpu::QuantMatrix> out;
  std::string why;
  bool ok = false;
  try {
    ok = cpu::read_cache(path, want, shapes, out, {}, &why);
  } catch (const Error&) {
    __builtin_trap();  // a bad file is a false return, never an exception
  }
  if (!ok) {
    if (!out.empty() || why.empty()) __builtin_trap();
    return 0;
  }
  if (out.size() != shapes.size()) __builtin_trap();
  for (std::size_t i = 0; i < out.size(); ++i) {
    const cpu::QuantMatrix& m = out[i];
    if (m.rows != shapes[i].rows || m.cols != shapes[i].cols || m.format != shapes[i].format)
      __builtin_trap();
    std::vector<float> w(static_cast<std::size_t>(m.cols));
    for (int r = 0; r < m.rows; ++r) {
      cpu::dequantize_row(m, r, 0, m.cols, w.data());
      for (const float v : w)
        if (!std::isfinite(v)) __builtin_trap();
    }
  }
  return 0;
}
