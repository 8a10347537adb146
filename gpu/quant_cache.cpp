// The quantization cache file of the CUDA backend: its segments are the device buffers (see
// quant_cache.h and docs/QUANTIZATION.md); the file itself is core's (quant_cache_file.h).
#include "gpu/quant_cache.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "core/common/error.h"
#include "core/model/quant_cache_file.h"
#include "gpu/cuda_check.h"
#include "gpu/device_alloc.h"

namespace falcon::gpu {
namespace {

constexpr uint64_t kStaging = 64ull << 20;

struct Segment {
  void* dev;
  uint64_t bytes;
  const QuantMatrix* table_of;  // set for an int4 row table (validated on read)
};

std::vector<Segment> segments(const DeviceModel& m) {
  std::vector<Segment> out;
  auto add = [&](const QuantMatrix& q) {
    if (q.n_rows == 0) return;
    out.push_back({q.data, q.data_bytes(), nullptr});
    out.push_back({q.per_row() ? static_cast<void*>(q.scales) : static_cast<void*>(q.gscales),
                   q.scale_bytes(), nullptr});
    if (q.table_bytes() > 0) out.push_back({q.row_of, q.table_bytes(), &q});
  };
  if (m.d.quant_head) add(m.q_head);
  for (const LayerDev& L : m.layers)
    for (const QuantMatrix& q : L.q) add(q);
  return out;
}

uint64_t layout_hash(const Dims& d, const std::vector<Segment>& segs) {
  qcache::Fnv64 x;
  for (int v : {d.dim, d.ffn, d.qkv_out, d.heads, d.kv, d.hd, d.vocab, d.layers, static_cast<int>(d.weights),
                static_cast<int>(d.quant_head)})
    x.value(v);
  // A head in another format than the layers' (files from before this option hash as above).
  if (d.quant_head && d.head != d.weights) x.value(100 + static_cast<int>(d.head));
  for (const Segment& s : segs) x.value(s.bytes);
  return x.h;
}

qcache::Expect expect_of(const Dims& d, uint64_t key, const std::vector<Segment>& segs) {
  qcache::Expect e;
  e.layers = d.weights;
  e.key = key;
  e.layout = layout_hash(d, segs);
  e.segments = segs.size();
  for (const Segment& s : segs) e.payload += s.bytes;
  return e;
}

}  // namespace

std::filesystem::path quant_cache_file(const std::filesystem::path& cache_dir,
                                       const std::filesystem::path& model_dir, const Dims& d, uint64_t key) {
  return qcache::cache_file(cache_dir, model_dir, d.weights, d.quant_head, d.head, "", key);
}

bool read_quant_cache(const std::filesystem::path& file, uint64_t key, DeviceModel& m, cudaStream_t stream,
                      FaultInjection* faults, const CacheProgress& progress, std::string* why) {
  auto fail = [&](const std::string& reason) {
    if (why) *why = reason;
    return false;
  };
  const std::vector<Segment> segs = segments(m);
  const qcache::Expect want = expect_of(m.d, key, segs);
  qcache::Reader in;
  if (!in.open(file, want, why)) return false;
  // Out of pinned memory here is an error, not a reason to quantize instead: that needs more.
  const PinnedBuffer buf = alloc_pinned(kStaging, "the quantization cache's staging buffer", faults);
  uint64_t done = 0;
  for (const Segment& s : segs) {
    std::vector<char> table;
    for (uint64_t off = 0; off < s.bytes; off += kStaging) {
      const size_t n = static_cast<size_t>(std::min(kStaging, s.bytes - off));
      if (!in.read(buf.get(), n)) return fail("the cache file could not be read");
      if (s.table_of)
        table.insert(table.end(), static_cast<char*>(buf.get()), static_cast<char*>(buf.get()) + n);
      FALCON_CUDA_CHECK(
          cudaMemcpyAsync(static_cast<char*>(s.dev) + off, buf.get(), n, cudaMemcpyHostToDevice, stream));
      FALCON_CUDA_CHECK(cudaStreamSynchronize(stream));  // buf is reused for the next chunk
      done += n;
      if (progress) progress(done, want.payload);
    }
    if (s.table_of) {
      // Row tables index device memory in the GEMV epilogue: never trust them from disk.
      const std::vector<int32_t> expect = int4_row_table(*s.table_of);
      if (table.size() != expect.size() * 4 || std::memcmp(table.data(), expect.data(), table.size()) != 0)
        return fail("the cache file is corrupt (row table)");
    }
  }
  return true;
}

bool write_quant_cache(const std::filesystem::path& file, uint64_t key, const DeviceModel& m,
                       cudaStream_t stream, FaultInjection* faults, std::string* why) {
  const std::vector<Segment> segs = segments(m);
  // The model is loaded by now: without the staging buffer only the cache is given up.
  PinnedBuffer buf;
  try {
    buf = alloc_pinned(kStaging, "the quantization cache's staging buffer", faults);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::OutOfMemory) throw;
    if (why) *why = e.what();
    return false;
  }
  qcache::Writer out;
  if (!out.begin(file, expect_of(m.d, key, segs), why)) return false;
  bool ok = true;
  for (const Segment& s : segs) {
    for (uint64_t off = 0; ok && off < s.bytes; off += kStaging) {
      const size_t n = static_cast<size_t>(std::min(kStaging, s.bytes - off));
      FALCON_CUDA_CHECK(cudaMemcpyAsync(buf.get(), static_cast<const char*>(s.dev) + off, n,
                                        cudaMemcpyDeviceToHost, stream));
      FALCON_CUDA_CHECK(cudaStreamSynchronize(stream));
      ok = out.write(buf.get(), n);
    }
  }
  return out.commit(why);
}

}  // namespace falcon::gpu
