// The CPU backend's quantization cache (see cpu_quant_cache.h).
#include "core/model/cpu_quant_cache.h"

#include <algorithm>
#include <limits>

#include "core/common/error.h"

namespace falcon::cpu {
namespace {

constexpr uint32_t kCpuLayout =
    0x32555043;  // "CPU2"; 2: int8 scales shared by a parallel block's fc2 and dense
constexpr std::size_t kPiece = std::size_t{64} << 20;  // bytes between progress reports

// The two segments of a matrix: its codes and its fp32 scales (cpu_quant.h's layout).
std::size_t code_bytes(const MatrixShape& s) {
  return static_cast<std::size_t>(s.rows) * shape_of(s.rows, s.cols, s.format).ld;
}

std::size_t scale_bytes(const MatrixShape& s) {
  return static_cast<std::size_t>(s.rows) * shape_of(s.rows, s.cols, s.format).groups() * sizeof(float);
}

}  // namespace

qcache::Expect cache_expect(WeightFormat layers, std::span<const MatrixShape> shapes, uint64_t key) {
  qcache::Fnv64 x;
  x.value(kCpuLayout);
  qcache::Expect e;
  e.layers = layers;
  e.key = key;
  for (const MatrixShape& s : shapes) {
    x.value(s.rows);
    x.value(s.cols);
    x.value(static_cast<int>(s.format));
    const uint64_t codes = code_bytes(s), scales = scale_bytes(s);
    x.value(codes);
    x.value(scales);
    e.segments += 2;
    e.payload += codes + scales;
  }
  e.layout = x.h;
  return e;
}

bool read_cache(const std::filesystem::path& file, const qcache::Expect& want,
                std::span<const MatrixShape> shapes, std::vector<QuantMatrix>& out,
                const CacheProgress& progress, std::string* why) {
  out.clear();
  auto fail = [&](const std::string& reason) {
    out.clear();
    if (why) *why = reason;
    return false;
  };
  qcache::Reader in;
  if (!in.open(file, want, why)) return false;
  uint64_t done = 0;
  auto read = [&](void* dst, std::size_t n) {
    for (std::size_t off = 0; off < n; off += kPiece) {
      const std::size_t k = std::min(kPiece, n - off);
      if (!in.read(static_cast<char*>(dst) + off, k)) return false;
      done += k;
      if (progress && !progress(done, want.payload)) throw Error(ErrorKind::Cancelled, "loading cancelled");
    }
    return true;
  };
  out.reserve(shapes.size());
  for (const MatrixShape& s : shapes) {
    out.push_back(allocate(s.rows, s.cols, s.format));
    QuantMatrix& m = out.back();
    if (!read(m.codes.data(), m.codes.size()) || !read(m.scales.data(), m.scales.size() * sizeof(float)))
      return fail("the cache file could not be read");
    // Every code is a valid weight; a scale is not: a damaged one would poison every logit. The
    // scales quantize() makes: int8 the row's largest |w| / 127, int4 an fp16 number.
    const float limit = s.format == WeightFormat::Int8 ? std::numeric_limits<float>::max() / 127 : 65504.0f;
    for (const float v : m.scales)
      if (!(v >= 0.0f && v <= limit)) return fail("the cache file is corrupt (a scale out of range)");
  }
  return true;
}

bool write_cache(const std::filesystem::path& file, const qcache::Expect& header,
                 std::span<const QuantMatrix* const> matrices, const CacheProgress& progress,
                 std::string* why) {
  qcache::Writer out;
  if (!out.begin(file, header, why)) return false;
  uint64_t done = 0;
  auto write = [&](const void* src, std::size_t n) {
    for (std::size_t off = 0; off < n; off += kPiece) {
      const std::size_t k = std::min(kPiece, n - off);
      if (!out.write(static_cast<const char*>(src) + off, k)) return false;
      done += k;
      if (progress && !progress(done, header.payload)) throw Error(ErrorKind::Cancelled, "loading cancelled");
    }
    return true;
  };
  for (const QuantMatrix* m : matrices)
    if (!write(m->codes.data(), m->codes.size()) ||
        !write(m->scales.data(), m->scales.size() * sizeof(float)))
      break;  // commit() reports the write's error
  return out.commit(why);
}

}  // namespace falcon::cpu
