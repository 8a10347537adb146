// The CPU backend's quantization cache (see cpu_quant_cache.h).
#include "core/model/cpu_quant_cache.h"

#include <algorithm>
#include <cstring>
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
                const CacheProgress& progress, std::string* why,
                std::shared_ptr<const qcache::Mapping>* mapping) {
  out.clear();
  if (mapping) mapping->reset();
  auto fail = [&](const std::string& reason) {
    out.clear();
    if (why) *why = reason;
    return false;
  };
  qcache::Reader in;
  if (!in.open(file, want, why)) return false;
  const std::shared_ptr<const qcache::Mapping> map = in.map(why);
  if (!map) return false;
  const std::byte* payload = map->payload();
  uint64_t at = 0;
  out.reserve(shapes.size());
  for (const MatrixShape& s : shapes) {
    QuantMatrix m = shape_of(s.rows, s.cols, s.format);
    const std::size_t codes = code_bytes(s), scales = scale_bytes(s);
    // Paged in now, a piece at a time: the load's progress and cancel, and no page faults in
    // the first reply.
    for (std::size_t off = 0; off < codes; off += kPiece) {
      map->populate(at + off, std::min(kPiece, codes - off));
      if (progress && !progress(at + std::min(codes, off + kPiece), want.payload))
        throw Error(ErrorKind::Cancelled, "loading cancelled");
    }
    m.codes.view(reinterpret_cast<const std::uint8_t*>(payload + at), codes, map);
    at += codes;
    m.scales.resize(scales / sizeof(float));
    std::memcpy(m.scales.data(), payload + at, scales);
    at += scales;
    // Every code is a valid weight; a scale is not: a damaged one would poison every logit. The
    // scales quantize() makes: int8 the row's largest |w| / 127, int6 / 31, int4 an fp16 number.
    const float limit = s.format == WeightFormat::Int8   ? std::numeric_limits<float>::max() / 127
                        : s.format == WeightFormat::Int6 ? std::numeric_limits<float>::max() / 31
                                                         : 65504.0f;
    for (const float v : m.scales)
      if (!(v >= 0.0f && v <= limit)) return fail("the cache file is corrupt (a scale out of range)");
    out.push_back(std::move(m));
  }
  if (map->changed_on_disk()) return fail("the cache file was cut short while it was read");
  if (progress && !progress(want.payload, want.payload))
    throw Error(ErrorKind::Cancelled, "loading cancelled");
  if (mapping) *mapping = map;
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
