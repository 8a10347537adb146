// Decode GEMV family: y = W x for one token, W bf16 streamed from HBM with 16-byte loads.
//
// Each warp owns two rows (a "pair") so every x chunk it loads from L1 feeds two weight rows;
// lanes stride over the row in 16-byte chunks with kUnroll chunks of both rows in flight before
// the first FMA (the loads, not the FMAs, are the bottleneck: ~4.3 TB/s of weights). When the
// pairs alone are too few warps to keep enough loads in flight (few, long rows: the down
// projections), k is split into segments, each a warp's work, and the partials are added in order.
// The epilogue is fused: residual add, logits store, or (QkvUp) bias + RoPE + KV-cache append
// for the attention rows and bias + GELU for the MLP rows. With RoPE the attention rows are
// paired (i, i + HD/2) inside a head, so the rotation happens in registers.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <limits>

#include "gpu/cuda_check.h"
#include "gpu/kernels/common.cuh"
#include "gpu/kernels/gemv_epilogue.cuh"
#include "gpu/kernels/kernels.h"

namespace falcon::gpu {
namespace {

constexpr int kWarps = 8;      // warps per block
constexpr int kMinBlocks = 5;  // blocks per SM the registers must allow (40 warps of loads in flight)

__device__ __forceinline__ void dot8(const uint4& w, const uint4& x, float& acc) {
  const float2 w0 = bf16x2_to_float2(w.x), w1 = bf16x2_to_float2(w.y), w2 = bf16x2_to_float2(w.z),
               w3 = bf16x2_to_float2(w.w);
  const float2 x0 = bf16x2_to_float2(x.x), x1 = bf16x2_to_float2(x.y), x2 = bf16x2_to_float2(x.z),
               x3 = bf16x2_to_float2(x.w);
  acc = fmaf(w0.x, x0.x, acc);
  acc = fmaf(w0.y, x0.y, acc);
  acc = fmaf(w1.x, x1.x, acc);
  acc = fmaf(w1.y, x1.y, acc);
  acc = fmaf(w2.x, x2.x, acc);
  acc = fmaf(w2.y, x2.y, acc);
  acc = fmaf(w3.x, x3.x, acc);
  acc = fmaf(w3.y, x3.y, acc);
}

// Adds chunks [c0, c1) of rows wa / wb times x into acc_a / acc_b (16-byte chunks with kVec,
// else single elements). kL2: x is read through L2 only (before pdl_wait(), GemvArgs::k_ready).
template <bool kVec, int kUnroll, bool kL2>
__device__ __forceinline__ void dot_rows(const bf16* wa, const bf16* wb, const bf16* x, int c0, int c1,
                                         float& acc_a, float& acc_b) {
  const int lane = threadIdx.x & 31;
  if constexpr (kVec) {
    // Every iteration keeps kUnroll chunks of both rows in flight; the last one is predicated
    // rather than finished chunk by chunk (a serial tail of single loads cost ~20% at K = 4544).
    for (int c = c0 + lane; c < c1; c += 32 * kUnroll) {
      uint4 va[kUnroll], vb[kUnroll], vx[kUnroll];
#pragma unroll
      for (int u = 0; u < kUnroll; ++u) {
        const bool in = c + 32 * u < c1;
        va[u] = in ? load_stream16(wa + (c + 32 * u) * 8) : make_uint4(0, 0, 0, 0);
        vb[u] = in ? load_stream16(wb + (c + 32 * u) * 8) : make_uint4(0, 0, 0, 0);
      }
#pragma unroll
      for (int u = 0; u < kUnroll; ++u) {
        const bf16* xp = x + (c + 32 * u) * 8;
        vx[u] = c + 32 * u < c1 ? (kL2 ? load_l2_16(xp) : load_cached16(xp)) : make_uint4(0, 0, 0, 0);
      }
#pragma unroll
      for (int u = 0; u < kUnroll; ++u) {
        dot8(va[u], vx[u], acc_a);
        dot8(vb[u], vx[u], acc_b);
      }
    }
  } else {
    for (int i = c0 + lane; i < c1; i += 32) {
      const float xv = __bfloat162float(kL2 ? __ldcg(x + i) : x[i]);
      acc_a = fmaf(__bfloat162float(wa[i]), xv, acc_a);
      acc_b = fmaf(__bfloat162float(wb[i]), xv, acc_b);
    }
  }
}

// Item it's pair and columns under the plan ks (gemv_plan; split_pairs = pairs - ks.whole);
// seg = -1 for a pair in one piece.
struct ItemRange {
  int pair, seg, c_begin, c_end;
};

__device__ __forceinline__ ItemRange item_range(int it, const GemvPlan& ks, int split_pairs, int chunks) {
  if (it < ks.whole) return ItemRange{it, -1, 0, chunks};
  const int j = it - ks.whole, seg = j / split_pairs, c0 = seg * ks.seg_chunks;
  return ItemRange{ks.whole + j - seg * split_pairs, seg, c0, min(chunks, c0 + ks.seg_chunks)};
}

// kUnroll: 16-byte chunks per row in flight per lane. A work item is one pair x one k segment:
// items [0, whole) are pairs [0, whole) whole, then item whole + i is segment i / n of pair
// whole + i % n (n = pairs - whole): the first segments of every split pair go first, and the
// last ones (which hold the columns after k_ready, when the down projection has them) last.
// A split pair's items leave their two partial sums in a.split_ws and the item that completes
// the pair (counted in a.split_counters) adds them in segment order, so the result does not
// depend on which segment finished last, and runs the epilogue. The columns before a.k_ready go
// first, without waiting for the previous kernel; a warp waits once it reaches the others.
template <GemvEpilogue kEpi, bool kVec, int kUnroll>
__global__ void __launch_bounds__(kWarps * 32, kMinBlocks)
    gemv_kernel(GemvArgs a, int pairs_a, int pairs_total, bool headpair, GemvPlan ks) {
  const int lane = threadIdx.x & 31;
  const int warps_total = gridDim.x * kWarps;
  const int split_pairs = pairs_total - ks.whole, items = ks.whole + split_pairs * ks.segs;
  const int chunks = kVec ? a.k >> 3 : a.k;  // kVec: 16-byte chunks, else single elements
  const int ready = min(chunks, kVec ? a.k_ready >> 3 : a.k_ready);
  pdl_trigger();
  if (kVec && ready == 0 && blockIdx.x * kWarps + (threadIdx.x >> 5) < items) {
    // The weights do not depend on the previous kernel: start the first item's first round on its
    // way to L2 while that kernel drains.
    const ItemRange ir = item_range(blockIdx.x * kWarps + (threadIdx.x >> 5), ks, split_pairs, chunks);
    const PairRows r = pair_rows(ir.pair, pairs_a, a.split, a.n_rows, headpair, a.shape.head_dim);
    const int c0 = ir.c_begin, c1 = ir.c_end;
#pragma unroll
    for (int u = 0; u < kUnroll; ++u)
      if (c0 + lane + 32 * u < c1) {
        prefetch_l2(a.w + static_cast<size_t>(r.a) * a.ldw + (c0 + lane + 32 * u) * 8);
        if (r.b >= 0) prefetch_l2(a.w + static_cast<size_t>(r.b) * a.ldw + (c0 + lane + 32 * u) * 8);
      }
  }
  bool waited = false, signaled = false;
  for (int it = blockIdx.x * kWarps + (threadIdx.x >> 5); it < items; it += warps_total) {
    const ItemRange ir = item_range(it, ks, split_pairs, chunks);
    const int p = ir.pair;
    const PairRows r = pair_rows(p, pairs_a, a.split, a.n_rows, headpair, a.shape.head_dim);
    const bf16* wa = a.w + static_cast<size_t>(r.a) * a.ldw;
    const bf16* wb = a.w + static_cast<size_t>(r.b >= 0 ? r.b : r.a) * a.ldw;
    const bf16* x = r.in_a ? a.xa : a.xb;
    const int c_begin = ir.c_begin, c_end = ir.c_end;
    const int c_mid = max(c_begin, min(c_end, ready));
    float acc_a = 0.f, acc_b = 0.f;
    if (c_begin < c_mid && a.ready.flag && !signaled) {
      if (lane == 0) wait_ready(a.ready.flag, a.ready.serial);
      __syncwarp();
      signaled = true;
    }
    dot_rows<kVec, kUnroll, true>(wa, wb, x, c_begin, c_mid, acc_a, acc_b);
    if (c_mid < c_end) {
      if (!waited) pdl_wait();
      waited = true;
      dot_rows<kVec, kUnroll, false>(wa, wb, x, c_mid, c_end, acc_a, acc_b);
    }
    acc_a = warp_sum(acc_a);
    acc_b = warp_sum(acc_b);
    if (ir.seg >= 0) {
      int last = 0;
      if (lane == 0) {
        float* part = a.split_ws + (static_cast<size_t>(p) * ks.segs + ir.seg) * 2;
        part[0] = acc_a;
        part[1] = acc_b;
        // Release: the partials are visible before the count says so; acquire (in the last
        // segment's lane): the other segments' partials are read after their counts.
        last = atomic_add_acq_rel(a.split_counters + p, 1) == ks.segs - 1;
      }
      if (!__shfl_sync(0xffffffffu, last, 0)) continue;
      if (lane == 0) {
        const float* part = a.split_ws + static_cast<size_t>(p) * ks.segs * 2;
        acc_a = acc_b = 0.f;
        for (int j = 0; j < ks.segs; ++j) {
          acc_a += __ldcg(part + 2 * j);
          acc_b += __ldcg(part + 2 * j + 1);
        }
        a.split_counters[p] = 0;  // ready for the next launch (graph replay)
      }
    }
    if (lane == 0) epilogue<kEpi>(a, r, acc_a, acc_b);
  }
}

bool aligned16(const void* p) {
  return (reinterpret_cast<uintptr_t>(p) & 15) == 0;
}

// Benchmark knobs (falcon-gpu-bench --kernels sweeps them; the backend runs the defaults):
// FALCON_GEMV_UNROLL = 2 | 4 | 8 chunks in flight per row and lane (default 2);
// FALCON_GEMV_SEGMENTS = 1..4 k segments per pair instead of gemv_k_segments' choice (where a
// split workspace is given).
int env_int(const char* name, int fallback) {
  const char* e = std::getenv(name);
  return e && *e ? std::atoi(e) : fallback;
}

constexpr int kMaxSegs = 4;

// Warps of gemv_kernel that fit on the device at once (cached per device; __launch_bounds__ gives
// every variant the same register budget, so one stands for all).
int resident_warps() {
  static std::atomic<int> cache[kMaxDevicesCached];
  return resident_blocks(gemv_kernel<GemvEpilogue::Store, true, 2>, kWarps * 32, cache) * kWarps;
}

template <GemvEpilogue kEpi>
void launch_typed(const GemvArgs& a, cudaStream_t stream) {
  const bool headpair = kEpi == GemvEpilogue::QkvUp && a.inv_freq != nullptr;
  const int pairs_a = headpair ? a.split / 2 : (a.split + 1) / 2;
  const int pairs_total = pairs_a + (a.n_rows - a.split + 1) / 2;
  if (pairs_total <= 0) return;
  const bool vec = a.k % 8 == 0 && a.ldw % 8 == 0 && aligned16(a.w) && aligned16(a.xa) && aligned16(a.xb);
  const int chunks = vec ? a.k / 8 : a.k;
  GemvPlan ks{1, chunks, pairs_total};  // without the split scratch: every pair whole
  if (a.split_ws && a.split_counters && pairs_total <= std::numeric_limits<int>::max() / kMaxSegs) {
    const int forced = a.k_segments > 0 ? a.k_segments : env_int("FALCON_GEMV_SEGMENTS", 0);
    ks = gemv_plan(pairs_total, a.k, vec, forced, a.k_ready > 0, env_int("FALCON_GEMV_TAIL", 1) != 0,
                   resident_warps());
  }
  const long long items = ks.whole + static_cast<long long>(pairs_total - ks.whole) * ks.segs;
  const int blocks = static_cast<int>(std::min<long long>((items + kWarps - 1) / kWarps, 65535));
  auto kernel = gemv_kernel<kEpi, false, 1>;
  if (vec) {
    switch (env_int("FALCON_GEMV_UNROLL", 2)) {
      case 4:
        kernel = gemv_kernel<kEpi, true, 4>;
        break;
      case 8:
        kernel = gemv_kernel<kEpi, true, 8>;
        break;
      default:
        kernel = gemv_kernel<kEpi, true, 2>;
    }
  }
  launch_kernel(kernel, blocks, kWarps * 32, 0, stream, a, pairs_a, pairs_total, headpair, ks);
}

}  // namespace

int gemv_k_segments(int pairs, int k, int resident_warps) {
  // Split k when the pairs alone make fewer than three rounds of the resident warps: into enough
  // segments for three rounds (more warps keep more loads in flight, and the last, partial round
  // is a smaller share of the time), at most kMaxSegs, none shorter than 4096 elements. Measured
  // in a run (H200, session 9): Falcon-40B's down projection 87% of the bus unsplit, 98% in 4;
  // Falcon-7B's 88% in 2, 91% in 4; splitting Falcon-7B's QKV + fc1 (2.2 rounds, k = 4544)
  // lost 12-16%.
  if (pairs <= 0 || resident_warps <= 0 || pairs >= 3 * resident_warps) return 1;
  const int want = static_cast<int>((3ll * resident_warps + pairs - 1) / pairs);
  return std::clamp(std::min(want, k / 4096), 1, kMaxSegs);
}

GemvTail gemv_tail_split(int pairs, int k, int resident_warps) {
  // One whole round or more, then a last round of fewer than half the resident warps: that round
  // runs with most warps idle and each of its pairs as long as any other. Its pairs are split in
  // as many segments (at most kMaxSegs, none shorter than 1024 elements) as bring it closest to a
  // whole round, so it holds more, shorter items. Falcon-7B's QKV + fc1 (11424 pairs, k = 4544,
  // 5280 resident warps on the H200): 2 rounds + 864 pairs, split in 4 (3 after rounding to
  // 1024-element blocks). Falcon-40B's (20992 pairs: 3 rounds + 5152) is left alone.
  GemvTail t;
  if (pairs <= 0 || resident_warps <= 0 || pairs < resident_warps) return t;
  const int rem = pairs % resident_warps;
  if (rem == 0 || 2 * rem >= resident_warps) return t;
  const int segs = std::clamp(std::min(resident_warps / rem, k / 1024), 1, kMaxSegs);
  if (segs < 2) return t;
  t.segs = segs;
  t.whole = pairs - rem;
  return t;
}

GemvPlan gemv_plan(int pairs, int k, bool vec, int forced_segments, bool k_ready, bool tail,
                   int resident_warps) {
  const int chunks = vec ? k / 8 : k;
  GemvPlan p{1, chunks, pairs};
  if (pairs <= 0) return p;
  int segs =
      forced_segments > 0 ? std::min(forced_segments, kMaxSegs) : gemv_k_segments(pairs, k, resident_warps);
  int whole = 0;  // with segs > 1 from either rule above: every pair is split
  if (segs == 1 && forced_segments <= 0 && !k_ready && tail) {
    const GemvTail t = gemv_tail_split(pairs, k, resident_warps);
    if (t.segs > 1) segs = t.segs, whole = t.whole;
  }
  if (segs <= 1) return p;
  // Segments of whole 1024-element blocks (a whole number of rounds of 32 lanes for every unroll
  // up to 4) where k allows; rounding up can leave fewer segments than asked for.
  const int round = vec ? 128 : 1024;
  const int per = (chunks + segs - 1) / segs;
  p.seg_chunks = std::max(round, (per + round - 1) / round * round);
  p.segs = (chunks + p.seg_chunks - 1) / p.seg_chunks;
  p.whole = p.segs > 1 ? whole : pairs;
  if (p.segs == 1) p.seg_chunks = chunks;
  return p;
}

void prepare_gemv() {
  resident_warps();
}

GemvSplit gemv_bf16_split(int n_rows) {
  GemvSplit s;
  const int pairs = n_rows / 2 + 2;  // at least the pairs of any region split of n_rows
  s.floats = static_cast<uint64_t>(pairs) * kMaxSegs * 2;
  s.counters = pairs;
  return s;
}

void launch_gemv(GemvEpilogue epilogue, const GemvArgs& args, cudaStream_t stream) {
  GemvArgs a = args;
  if (!a.xb) a.xb = a.xa;
  if (a.split < 0 || a.split > a.n_rows) a.split = a.n_rows;
  switch (epilogue) {
    case GemvEpilogue::Store:
      launch_typed<GemvEpilogue::Store>(a, stream);
      break;
    case GemvEpilogue::Residual:
      launch_typed<GemvEpilogue::Residual>(a, stream);
      break;
    case GemvEpilogue::QkvUp:
      launch_typed<GemvEpilogue::QkvUp>(a, stream);
      break;
  }
}

}  // namespace falcon::gpu
