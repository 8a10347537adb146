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
#include <iterator>
#include <limits>

#include "core/common/error.h"
#include "gpu/cuda_check.h"
#include "gpu/kernels/common.cuh"
#include "gpu/kernels/gemv_epilogue.cuh"
#include "gpu/kernels/kernels.h"

namespace falcon::gpu {
namespace {

constexpr int kWarps = 8;  // warps per block
// Blocks per SM the registers must allow: 3 (up to 80 registers). At 5 (48 registers) ptxas
// rebuilt each row's addresses every round and started the first chunk's FMAs before the last
// loads of the dot loop (3-4 of 6 loads in flight; tools/sass_loops.py shows it). A bound of 4
// (64 registers) with the advancing pointers of dot_rows decoded Falcon-7B bf16 4.6-5.0% faster,
// and 3 another 0.5%: there the 2-chunk variants take 62-64 registers and so still fit 4 blocks
// (32 warps) per SM (docs/GPU_NOTES.md, run 19; test_gpu_kernels checks the 4 and that every
// variant agrees).
constexpr int kMinBlocks = 3;

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
    const uint4* pa = reinterpret_cast<const uint4*>(wa) + c0 + lane;
    const uint4* pb = reinterpret_cast<const uint4*>(wb) + c0 + lane;
    const uint4* px = reinterpret_cast<const uint4*>(x) + c0 + lane;
    // The three pointers advance with c, rather than being rebuilt from the rows each round.
    for (int c = c0 + lane; c < c1;
         c += 32 * kUnroll, pa += 32 * kUnroll, pb += 32 * kUnroll, px += 32 * kUnroll) {
      uint4 va[kUnroll], vb[kUnroll], vx[kUnroll];
#pragma unroll
      for (int u = 0; u < kUnroll; ++u) {
        const bool in = c + 32 * u < c1;
        va[u] = in ? load_stream16(pa + 32 * u) : make_uint4(0, 0, 0, 0);
        vb[u] = in ? load_stream16(pb + 32 * u) : make_uint4(0, 0, 0, 0);
      }
#pragma unroll
      for (int u = 0; u < kUnroll; ++u) {
        const uint4* xp = px + 32 * u;
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

// kTail: some pairs whole, the others split (0 < ks.whole < pairs). Otherwise every pair has
// ks.segs segments (1: unsplit), mapped as before the tail split existed: measured on the H200,
// the general mapping made Falcon-40B's bf16 decode 1.4% slower where it has no tail.
template <bool kTail>
__device__ __forceinline__ ItemRange item_range(int it, const GemvPlan& ks, int pairs_total, int chunks) {
  if constexpr (kTail) {
    const int split_pairs = pairs_total - ks.whole;
    if (it < ks.whole) return ItemRange{it, -1, 0, chunks};
    const int j = it - ks.whole, seg = j / split_pairs, c0 = seg * ks.seg_chunks;
    return ItemRange{ks.whole + j - seg * split_pairs, seg, c0, min(chunks, c0 + ks.seg_chunks)};
  } else {
    const int seg = it / pairs_total, c0 = seg * ks.seg_chunks;
    return ItemRange{it - seg * pairs_total, ks.segs > 1 ? seg : -1, c0, min(chunks, c0 + ks.seg_chunks)};
  }
}

// kUnroll: 16-byte chunks per row in flight per lane. A work item is one pair x one k segment:
// items [0, whole) are pairs [0, whole) whole, then item whole + i is segment i / n of pair
// whole + i % n (n = pairs - whole): the first segments of every split pair go first, and the
// last ones (which hold the columns after k_ready, when the down projection has them) last.
// A split pair's items leave their two partial sums in a.split_ws and the item that completes
// the pair (counted in a.split_counters) adds them in segment order, so the result does not
// depend on which segment finished last, and runs the epilogue. The columns before a.k_ready go
// first, without waiting for the previous kernel; a warp waits once it reaches the others.
// kGroups (Store with GemvArgs::block_max, every pair whole): an item is the 8 pairs of a block
// of 16 rows, which its warp runs one after the other, keeping their largest value for
// block_max. The head GEMV's 32,512 pairs make 4,064 such items, about one per resident warp
// (without block_max: one pair a warp, a grid of 7.7 waves). Measured even on Falcon-7B's step
// (docs/GPU_NOTES.md run 49).
template <GemvEpilogue kEpi, bool kVec, int kUnroll, bool kTail, bool kGroups = false>
__global__ void __launch_bounds__(kWarps * 32, kMinBlocks)
    gemv_kernel(GemvArgs a, int pairs_a, int pairs_total, bool headpair, GemvPlan ks, int pf) {
  static_assert(!kGroups || (kEpi == GemvEpilogue::Store && !kTail));
  const int lane = threadIdx.x & 31;
  const int warps_total = gridDim.x * kWarps;
  const int items = kGroups ? (pairs_total + 7) / 8
                    : kTail ? ks.whole + (pairs_total - ks.whole) * ks.segs
                            : pairs_total * ks.segs;
  const int chunks = kVec ? a.k >> 3 : a.k;  // kVec: 16-byte chunks, else single elements
  const int ready = min(chunks, kVec ? a.k_ready >> 3 : a.k_ready);
  pdl_trigger();
  // The weights do not depend on the previous kernel: while it drains, lanes 0 and 1 start the
  // first pf chunks of the first item's two rows on their way to L2 (one bulk prefetch each).
  // Measured (H200, session 14): 1 KiB a row as good as none or 512 B; 4 KiB made Falcon-7B
  // decode 7% slower, 16 KiB 15%, and 2 KiB of every warp's next item as well 3%.
  if (kVec && ready == 0 && pf > 0 && lane < 2 && blockIdx.x * kWarps + (threadIdx.x >> 5) < items) {
    const int first = blockIdx.x * kWarps + (threadIdx.x >> 5);
    const ItemRange ir =
        kGroups ? ItemRange{first * 8, -1, 0, chunks} : item_range<kTail>(first, ks, pairs_total, chunks);
    const PairRows r = pair_rows(ir.pair, pairs_a, a.split, a.n_rows, headpair, a.shape.head_dim);
    const int row = lane == 0 ? r.a : r.b;
    if (row >= 0)
      prefetch_l2_bulk(a.w + static_cast<size_t>(row) * a.ldw + static_cast<size_t>(ir.c_begin) * 8,
                       static_cast<uint32_t>(min(ir.c_end - ir.c_begin, pf)) * 16u);
  }
  bool waited = false, signaled = false;
  for (int it = blockIdx.x * kWarps + (threadIdx.x >> 5); it < items; it += warps_total) {
    float block_max = -INFINITY;
    for (int q = 0; q < (kGroups ? 8 : 1); ++q) {  // kGroups: the block's pair q
      const ItemRange ir =
          kGroups ? ItemRange{it * 8 + q, -1, 0, chunks} : item_range<kTail>(it, ks, pairs_total, chunks);
      if (kGroups && ir.pair >= pairs_total) break;
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
      if (lane == 0) {
        const float m = epilogue<kEpi>(a, r, acc_a, acc_b);
        if constexpr (kGroups) block_max = fmaxf(block_max, m);
      }
    }
    if constexpr (kGroups)
      if (lane == 0) a.block_max[it] = block_max;
  }
}

bool aligned16(const void* p) {
  return (reinterpret_cast<uintptr_t>(p) & 15) == 0;
}

// Benchmark knobs (set per process, e.g. by tools/gpu_gemv_sweep.sh; the backend runs the defaults):
// FALCON_GEMV_UNROLL = 2 | 4 | 8 chunks in flight per row and lane (default 2);
// FALCON_GEMV_SEGMENTS = 1..8 k segments per pair instead of gemv_k_segments' choice (where a
// split workspace is given); FALCON_GEMV_DOWN_SEGMENTS = 1..8 the same only for launches with a
// k_ready (the parallel blocks' down projections, whose plan moved most with run 19's
// occupancy); FALCON_GEMV_TAIL=0 (no tail split), FALCON_GEMV_TAIL_MAX,
// FALCON_GEMV_TAIL_MIN, FALCON_GEMV_ROUND (GemvPlanKnobs); FALCON_GEMV_PREFETCH (bytes of each
// row of a warp's first item sent to L2 before the wait; default 1024, the first round of loads;
// 0: none). Read once per process, not at every launch.
int env_int(const char* name, int fallback) {
  const char* e = std::getenv(name);
  return e && *e ? std::atoi(e) : fallback;
}

struct GemvEnv {
  int segments, down_segments, unroll, prefetch_chunks;
  bool tail;
  GemvPlanKnobs plan;
};

const GemvEnv& gemv_env() {
  static const GemvEnv env = [] {
    GemvEnv e;
    e.segments = env_int("FALCON_GEMV_SEGMENTS", 0);
    e.down_segments = env_int("FALCON_GEMV_DOWN_SEGMENTS", 0);
    e.unroll = env_int("FALCON_GEMV_UNROLL", 2);
    e.prefetch_chunks = std::max(0, env_int("FALCON_GEMV_PREFETCH", 1024)) / 16;
    e.tail = env_int("FALCON_GEMV_TAIL", 1) != 0;
    e.plan.tail_max_segs = env_int("FALCON_GEMV_TAIL_MAX", e.plan.tail_max_segs);
    e.plan.tail_min_elems = env_int("FALCON_GEMV_TAIL_MIN", e.plan.tail_min_elems);
    e.plan.round_chunks = env_int("FALCON_GEMV_ROUND", e.plan.round_chunks);
    return e;
  }();
  return env;
}

constexpr int kMaxSegs = 8;  // the most k segments of a pair

// Warps of gemv_kernel that fit on the device at once (cached per device). The Store variant
// stands for all: test_gpu_kernels checks that every launched variant fits as many blocks.
int resident_warps() {
  static std::atomic<int> cache[kMaxDevicesCached];
  return resident_blocks(gemv_kernel<GemvEpilogue::Store, true, 2, false>, kWarps * 32, cache) * kWarps;
}

template <GemvEpilogue kEpi>
void launch_typed(const GemvArgs& a, cudaStream_t stream) {
  const bool headpair = kEpi == GemvEpilogue::QkvUp && a.inv_freq != nullptr;
  const int pairs_a = headpair ? a.split / 2 : (a.split + 1) / 2;
  const int pairs_total = pairs_a + (a.n_rows - a.split + 1) / 2;
  if (pairs_total <= 0) return;
  const bool vec = a.k % 8 == 0 && a.ldw % 8 == 0 && aligned16(a.w) && aligned16(a.xa) && aligned16(a.xb);
  const int chunks = vec ? a.k / 8 : a.k;
  const GemvEnv& env = gemv_env();
  GemvPlan ks{1, chunks, pairs_total};  // without the split scratch: every pair whole
  if (a.split_ws && a.split_counters && pairs_total <= std::numeric_limits<int>::max() / kMaxSegs) {
    const int forced = a.k_segments > 0                         ? a.k_segments
                       : a.k_ready > 0 && env.down_segments > 0 ? env.down_segments
                                                                : env.segments;
    ks = gemv_plan(pairs_total, a.k, vec, forced, a.k_ready > 0, env.tail, resident_warps(), env.plan);
  }
  const bool groups = kEpi == GemvEpilogue::Store && a.block_max && a.split == a.n_rows;
  if (groups) ks = GemvPlan{1, chunks, pairs_total};  // an item: a block's 8 pairs, each whole
  const long long items =
      groups ? (pairs_total + 7) / 8 : ks.whole + static_cast<long long>(pairs_total - ks.whole) * ks.segs;
  const int blocks = static_cast<int>(std::min<long long>((items + kWarps - 1) / kWarps, 65535));
  if constexpr (kEpi == GemvEpilogue::Store) {
    if (groups) {
      const auto kernel =
          vec ? gemv_kernel<kEpi, true, 2, false, true> : gemv_kernel<kEpi, false, 1, false, true>;
      launch_kernel(kernel, blocks, kWarps * 32, 0, stream, a, pairs_a, pairs_total, headpair, ks,
                    env.prefetch_chunks);
      return;
    }
  }
  // A plan with some pairs whole and others split needs the kTail mapping; every other plan runs
  // the plain one.
  const bool tail = ks.whole > 0 && ks.whole < pairs_total && ks.segs > 1;
  auto pick = [tail](auto plain, auto with_tail) { return tail ? with_tail : plain; };
  auto kernel = pick(gemv_kernel<kEpi, false, 1, false>, gemv_kernel<kEpi, false, 1, true>);
  if (vec) {
    switch (env.unroll) {
      case 4:
        kernel = pick(gemv_kernel<kEpi, true, 4, false>, gemv_kernel<kEpi, true, 4, true>);
        break;
      case 8:
        kernel = pick(gemv_kernel<kEpi, true, 8, false>, gemv_kernel<kEpi, true, 8, true>);
        break;
      default:
        kernel = pick(gemv_kernel<kEpi, true, 2, false>, gemv_kernel<kEpi, true, 2, true>);
    }
  }
  launch_kernel(kernel, blocks, kWarps * 32, 0, stream, a, pairs_a, pairs_total, headpair, ks,
                env.prefetch_chunks);
}

}  // namespace

int gemv_k_segments(int pairs, int k, int resident_warps) {
  // Split k when the pairs alone make fewer than three rounds of the resident warps (more warps
  // keep more loads in flight): into the number of segments, none shorter than 4096 elements and
  // at most kMaxSegs, whose items best fill their last round (items / (rounds rounded up x
  // resident warps)); on a tie the more segments. Measured in a run (H200, session 9): Falcon-40B's
  // down projection 87% of the bus unsplit, 98% in 4; Falcon-7B's 88% in 2, 91% in 4; splitting
  // Falcon-7B's QKV + fc1 (2.2 rounds, k = 4544) lost 12-16%. Session 14, decode tok/s: Falcon-40B
  // bf16 (4096 pairs) 51.3-51.5 in 4 segments (3.1 rounds), 52.0-52.1 in 5 (3.9 rounds), 52.0 in 6
  // or 8; Falcon-7B (2272 pairs) 281-282 in 4 (1.7 rounds), 273-275 in 3 (1.3), 275-276 in 5 (2.2),
  // 278-279 in 7 (3.0, segments under 4096 elements). Those runs had 5280 resident warps (40 per
  // SM); since run 19 the kernel holds 32 per SM (4224 on the H200), which makes Falcon-7B's down
  // projection 5 segments (2.7 rounds) and Falcon-40B's 8 (7.8 rounds, every count from 2 to 8
  // filling its last round equally); the run-19 speeds were measured with these plans.
  if (pairs <= 0 || resident_warps <= 0 || pairs >= 3 * resident_warps) return 1;
  const int most = std::min(k / 4096, kMaxSegs);
  int best = 1;
  long long best_items = 0, best_slots = 1;  // the best fill so far, best_items / best_slots
  for (int s = 2; s <= most; ++s) {
    const long long items = static_cast<long long>(pairs) * s;
    const long long slots = (items + resident_warps - 1) / resident_warps * resident_warps;
    if (items * best_slots >= best_items * slots) best = s, best_items = items, best_slots = slots;
  }
  return best;
}

GemvTail gemv_tail_split(int pairs, int k, int resident_warps, const GemvPlanKnobs& kn) {
  // One whole round or more, then a last round of fewer than half the resident warps: that round
  // runs with most warps idle and each of its pairs as long as any other. Its pairs are split in
  // as many segments (at most kn.tail_max_segs, none shorter than kn.tail_min_elems: by default 4
  // and 1024) as bring it closest to a whole round, so it holds more, shorter items. Falcon-7B's
  // QKV + fc1 (11424 pairs, k = 4544, 5280 resident warps on the H200): 2 rounds + 864 pairs,
  // split in 4. Falcon-40B's (20992 pairs: 3 rounds + 5152) is left alone. Session 14: 5 or 6
  // segments (at least 512 or 768 elements each) measured the same as 4. With run 19's 4224
  // resident warps neither is split (7B: 2 rounds + 2976 pairs, more than half a round).
  GemvTail t;
  if (pairs <= 0 || resident_warps <= 0 || pairs < resident_warps) return t;
  const int rem = pairs % resident_warps;
  if (rem == 0 || 2 * rem >= resident_warps) return t;
  const int segs = std::clamp(std::min(resident_warps / rem, k / std::max(256, kn.tail_min_elems)), 1,
                              std::clamp(kn.tail_max_segs, 1, kMaxSegs));
  if (segs < 2) return t;
  t.segs = segs;
  t.whole = pairs - rem;
  return t;
}

GemvPlan gemv_plan(int pairs, int k, bool vec, int forced_segments, bool k_ready, bool tail,
                   int resident_warps, const GemvPlanKnobs& kn) {
  const int chunks = vec ? k / 8 : k;
  GemvPlan p{1, chunks, pairs};
  if (pairs <= 0) return p;
  int segs =
      forced_segments > 0 ? std::min(forced_segments, kMaxSegs) : gemv_k_segments(pairs, k, resident_warps);
  int whole = 0;  // with segs > 1 from either rule above: every pair is split
  if (segs == 1 && forced_segments <= 0 && !k_ready && tail) {
    const GemvTail t = gemv_tail_split(pairs, k, resident_warps, kn);
    if (t.segs > 1) segs = t.segs, whole = t.whole;
  }
  if (segs <= 1) return p;
  // Segments of whole blocks of kn.round_chunks 16-byte chunks (default 32: one chunk per lane)
  // where k allows; rounding up can leave fewer segments than asked for. Measured (H200, session
  // 14): blocks of 32 chunks cut Falcon-7B's QKV + fc1 tail in 4 segments of 160 chunks instead
  // of 3 of 256: decode 277.5-278.3 -> 282.2-283.9 tok/s (16 chunks: the same).
  const int round = vec ? std::max(1, kn.round_chunks) : 1024;
  const int per = (chunks + segs - 1) / segs;
  p.seg_chunks = std::max(round, (per + round - 1) / round * round);
  p.segs = (chunks + p.seg_chunks - 1) / p.seg_chunks;
  p.whole = p.segs > 1 ? whole : pairs;
  if (p.segs == 1) p.seg_chunks = chunks;
  return p;
}

GemvOccupancy gemv_occupancy() {
  auto per_sm = [](auto kernel) {
    int blocks = 0;
    FALCON_CUDA_CHECK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks, kernel, kWarps * 32, 0));
    return blocks;
  };
  const int counts[] = {per_sm(gemv_kernel<GemvEpilogue::Store, true, 2, false>),
                        per_sm(gemv_kernel<GemvEpilogue::Store, true, 2, true>),
                        per_sm(gemv_kernel<GemvEpilogue::Residual, true, 2, false>),
                        per_sm(gemv_kernel<GemvEpilogue::Residual, true, 2, true>),
                        per_sm(gemv_kernel<GemvEpilogue::QkvUp, true, 2, false>),
                        per_sm(gemv_kernel<GemvEpilogue::QkvUp, true, 2, true>),
                        per_sm(gemv_kernel<GemvEpilogue::Store, false, 1, false>),
                        per_sm(gemv_kernel<GemvEpilogue::Residual, false, 1, false>),
                        per_sm(gemv_kernel<GemvEpilogue::QkvUp, false, 1, false>),
                        per_sm(gemv_kernel<GemvEpilogue::Store, true, 2, false, true>),
                        per_sm(gemv_kernel<GemvEpilogue::Store, false, 1, false, true>)};
  return GemvOccupancy{counts[0], *std::min_element(std::begin(counts), std::end(counts)), kWarps};
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
  if (a.block_max && (epilogue != GemvEpilogue::Store || a.split != a.n_rows))
    throw_usage_error("GEMV: block maxima need a Store over one region");
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
