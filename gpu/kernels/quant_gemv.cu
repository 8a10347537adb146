// Decode GEMVs on quantized weights (layouts in quant.cu / kernels.h). Both stream every weight
// byte once, through shared memory (cp.async; int4 units of 1024 columns straight into registers
// instead), dequantize in registers and run the dot products on
// the tensor cores (mma.sync m16n8k16, fp32 accumulation; x in all 8 columns of B for int8, in
// column 0 only for int4: see x_column0); the epilogues are the bf16 GEMV's (gemv_epilogue.cuh).
//
// Work is cut into units of one 16-row tile x one chunk of columns (1024 int8 / 2048 int4: 16 KiB
// of weights; int4 1024 where 2048 makes fewer than three waves, gemv_q4_chunk), one warp per
// unit and four tiles of one chunk per block, so every shape (the 8192-row down projection as
// well as the 65024-row lm_head) makes thousands of equal units. A tile whose k spans several
// chunks adds its units' partial sums in a workspace; the warp that finishes the tile's last
// chunk sums them in chunk order (deterministic) and runs the epilogue.
//
// Int8 (row-major, per-row scale): a tile is 8 row pairs (pair j's rows are mma rows j and j + 8,
// so RoPE pairs rotate in the epilogue as in the bf16 GEMV). The k order inside an mma is free as
// long as A and B agree, so each lane reads x with its own column mapping. A byte b becomes an
// exact fp16 without a conversion instruction: b ^ 0x80 placed under the exponent of 1024 (one
// PRMT per two bytes) is 1152 + b, and one half2 subtract of 1152 leaves b. x (bf16) is staged
// per block in shared memory as fp16, scaled by a power of two that puts the chunk's largest |x| in
// [2^14, 2^15): no overflow, and values down to 2^-28 of the largest keep fp16's 11-bit
// precision. About one instruction per weight (the fp32 path this replaced needed ~3.5).
//
// Int6 (the output head; per-row scale, 96-byte steps of 128 columns, q6_layout.cuh): the int8
// kernel with two planes per step, rebuilt into int8's words (about 3 more integer operations per
// 4 weights), for 3/4 of int8's bytes.
//
// Int4 (groups of 128, fp16 scales, tile layout in quant.cu): a 32-bit word holds one mma's A
// fragment. Fast form: one AND leaves two nibbles u as fp16 subnormals u * 2^-24 (or 16u * 2^-24),
// exact, and the zero point (the weight is u - 8) comes off once per group with the group's sum
// of x (nibbles_subnormal). The products 8x of zero weights then pass through the tensor cores'
// sums, whose rounding follows the largest term: a step (two groups) with a group whose largest
// |x| dwarfs the others takes the exact form instead (nibbles_to_f16x2x4: u - 8 in fp16, 4 more
// half2 operations per 8 weights); one branch per step lets the two groups' mma chains
// interleave. x is staged as scaled fp16 as for int8. fp32 accumulation per group, then the
// group's scale (fp16 pairs in registers: 80 registers, 6 blocks per SM for 16 KiB units).
// That is the 1024-column units' kernel (Falcon-7B, 11B); 2048-column units (40B, 180B) take
// gemv_q4i_kernel, on the integer tensor cores with x cut into exact byte digits (1 integer
// operation and half an mma per 8 weights: measured +1.5% on Falcon-40B int4 decode, a step
// there runs at the power cap, where time follows the instructions' energy). FALCON_Q4_IMMA=0
// puts them back on the fp16 kernel.
//
// Both kernels use programmatic dependent launch (common.cuh): they copy their first weights into
// shared memory before waiting for the kernel that produces x. Blocks whose x chunk lies wholly
// before GemvArgs::k_ready run first and do not wait for it (only for the ready signal, if any).
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <type_traits>

#include "core/common/error.h"
#include "gpu/cuda_check.h"
#include "gpu/kernels/gemv_epilogue.cuh"
#include "gpu/kernels/kernels.h"
#include "gpu/kernels/q6_layout.cuh"
#include "gpu/kernels/staged_x.cuh"

namespace falcon::gpu {
namespace {

constexpr int kWarps = 4;       // warps per block; each works alone on its units
constexpr int kChunk = 1024;    // int8: columns per work unit (16 KiB of weights)
constexpr int kQ4Chunk = 2048;  // int4: columns per work unit (16 KiB of weights) ...
constexpr int kQ4Small = 1024;  // ... or 8 KiB, where 16 KiB units make too few waves (gemv_q4_chunk)
constexpr int kStages = 4;      // steps of 2 KiB per warp in the cp.async ring (3 in flight)
constexpr int kQ8Step = 128;    // int8: columns per step (16 rows x 128 bytes)
constexpr int kQ4Step = 4;      // int4: quads per step (16 rows x 256 columns)

// 16 bytes global -> shared without registers, for weights: cached in L2 only, and evicted from
// it first (l2_evict_first_policy); zero-filled when !valid (then gmem is only a valid address,
// not read).
__device__ __forceinline__ void cp_async16(void* smem, const void* gmem, bool valid) {
  const uint32_t dst = static_cast<uint32_t>(__cvta_generic_to_shared(smem));
  asm volatile("cp.async.cg.shared.global.L2::cache_hint [%0], [%1], 16, %2, %3;" ::"r"(dst), "l"(gmem),
               "r"(valid ? 16 : 0), "l"(l2_evict_first_policy())
               : "memory");
}

__device__ __forceinline__ void cp_async_commit() {
  asm volatile("cp.async.commit_group;" ::: "memory");
}

// Until at most n of this thread's copy groups are pending.
template <int n>
__device__ __forceinline__ void cp_async_wait() {
  asm volatile("cp.async.wait_group %0;" ::"n"(n) : "memory");
}

// The end of a work unit. y0 / y8: the unit's sums for tile rows g and g + 8 (g = lane / 4; the
// lanes of a quad hold equal values). With one chunk they are final; otherwise they go to the
// split workspace, and the warp that completes a tile's last chunk adds the chunks in chunk
// order (deterministic). Returns true in the warp that finishes the tile; lanes 0..7 then hold
// the sums of tile rows lane (ya) and lane + 8 (yb). Called by the whole warp.
__device__ __forceinline__ bool finish_unit(const GemvArgs& a, int tile, int chunk, int chunks, float y0,
                                            float y8, float& ya, float& yb) {
  const int lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
  if (chunks == 1) {
    ya = __shfl_sync(0xffffffffu, y0, (lane & 7) * 4);
    yb = __shfl_sync(0xffffffffu, y8, (lane & 7) * 4);
    return true;
  }
  float* part = a.split_ws + (static_cast<size_t>(tile) * chunks + chunk) * 16;
  if (t == 0) {
    part[g] = y0;
    part[g + 8] = y8;
  }
  // The warp barrier orders the partials before lane 0's count, whose release makes them
  // visible with it; its acquire (in the last warp), then the barrier, orders the other units'
  // partials before this warp's reads. One ordered atomic instead of a full fence in every
  // writing lane (ncu: "membar" was 0.64-0.75 of the int4 GEMV's ~9.5 stall cycles per
  // instruction).
  __syncwarp();
  int last = 0;
  if (lane == 0) last = atomic_add_acq_rel(a.split_counters + tile, 1) == chunks - 1;
  last = __shfl_sync(0xffffffffu, last, 0);
  if (!last) return false;
  __syncwarp();
  // The partials go out 16 loads at a time, then are added in chunk order: one L2 round trip
  // per 16 chunks, not per 4 as the compiler's unrolling of a plain loop gave (Falcon-40B's
  // down projection has 20 chunks a tile, and the last tile's sum ends the kernel).
  float y = 0.f;
  if (lane < 16) {
    const float* p = a.split_ws + static_cast<size_t>(tile) * chunks * 16 + lane;
    constexpr int kBatch = 16;
    for (int c0 = 0; c0 < chunks; c0 += kBatch) {
      float v[kBatch];
#pragma unroll
      for (int j = 0; j < kBatch; ++j)
        v[j] = c0 + j < chunks ? __ldcg(p + static_cast<size_t>(c0 + j) * 16) : 0.f;
#pragma unroll
      for (int j = 0; j < kBatch; ++j)
        if (c0 + j < chunks) y += v[j];
    }
  }
  ya = y;
  yb = __shfl_sync(0xffffffffu, y, (lane + 8) & 31);
  if (lane == 0) a.split_counters[tile] = 0;  // ready for the next launch
  return true;
}

// Bytes 0,1 (sel 0x4140) or 2,3 (sel 0x4342) of the word w, each an unsigned byte u that
// stands for u - offset (int8: b ^ 0x80, offset 128; int6: u = q + 32, offset 32), as an exact
// fp16 pair: u under the exponent of 1024 is 1024 + u, minus 1024 + offset.
template <int kOffset>
__device__ __forceinline__ uint32_t u8x2_to_f16x2(uint32_t w, uint32_t sel) {
  uint32_t t = __byte_perm(w, 0x64646464u, sel);
  const __half2 h =
      __hsub2(*reinterpret_cast<const __half2*>(&t), __half2half2(__ushort_as_half(0x6400 + kOffset)));
  return *reinterpret_cast<const uint32_t*>(&h);
}

// The rows of slot j (0..7) of tile `tile`: pair j of the tile's region, or {-1, -1} past its end.
__device__ __forceinline__ PairRows q8_slot_rows(const GemvArgs& a, int tile, int j, int tiles_a, int pairs_a,
                                                 int pairs_total, bool headpair) {
  const bool in_a = tile < tiles_a;
  const int p = in_a ? tile * 8 + j : pairs_a + (tile - tiles_a) * 8 + j;
  if (p >= (in_a ? pairs_a : pairs_total)) return PairRows{-1, -1, in_a};
  return pair_rows(p, pairs_a, a.split, a.n_rows, headpair, a.shape.head_dim);
}

struct Q8Rows {
  int pairs_a, pairs_total, tiles_a;
  bool headpair;
};

// A block's work: kWarps consecutive tiles (one per warp) x one chunk of columns. Tile groups
// never straddle the two regions (rows reading xa / xb), so a block stages one x chunk, once, in
// shared memory for all its warps. Blocks = (groups of region A + of region B) x chunks, the
// `ready` chunks (wholly before GemvArgs::k_ready, which need not wait for the previous kernel)
// of every group first, then the others.
struct BlockUnit {
  int tile, chunk;  // this warp's tile (>= tile_end: idle) and the block's chunk
  int tile_end;
  bool in_a;
  bool ready;  // the chunk's x is complete before the previous kernel ends
};

__device__ __forceinline__ BlockUnit block_unit(int tiles, int tiles_a, int chunks, int ready) {
  const int groups_a = (tiles_a + kWarps - 1) / kWarps,
            groups = groups_a + (tiles - tiles_a + kWarps - 1) / kWarps;
  const int first = groups * ready;  // blocks of ready chunks
  const int b = blockIdx.x, per = b < first ? ready : chunks - ready, rel = b < first ? b : b - first;
  const int grp = rel / per;
  BlockUnit u;
  u.chunk = (b < first ? 0 : ready) + rel - grp * per;
  u.ready = b < first;
  u.in_a = grp < groups_a;
  u.tile = (u.in_a ? grp * kWarps : tiles_a + (grp - groups_a) * kWarps) + (threadIdx.x >> 5);
  u.tile_end = u.in_a ? tiles_a : tiles;
  return u;
}

// 8 consecutive x values starting at element e, as 4 bf16 pairs; zeros past k. kL2: through L2
// only (x read before pdl_wait()).
template <bool kVecX, bool kL2>
__device__ __forceinline__ uint4 load_x8(const bf16* x, int e, int k) {
  if (kVecX && e + 8 <= k) return kL2 ? load_l2_16(x + e) : load_cached16(x + e);
  const uint16_t* xs = reinterpret_cast<const uint16_t*>(x);
  auto at = [&](int i) -> uint32_t { return i < k ? (kL2 ? __ldcg(xs + i) : xs[i]) : 0u; };
  uint32_t w[4];
#pragma unroll
  for (int j = 0; j < 4; ++j) w[j] = at(e + 2 * j) | at(e + 2 * j + 1) << 16;
  return make_uint4(w[0], w[1], w[2], w[3]);
}

// The block's x chunk, kN groups of 8 values per thread (group i of thread t starts at element
// c0 + i * block + t * 8), waiting for the previous kernel first unless the chunk is ready.
// Until the block's x chunk is written: the previous kernel's end, or the ready signal.
__device__ __forceinline__ void wait_x(const GemvArgs& a, const BlockUnit& bu) {
  if (!bu.ready) {
    pdl_wait();
  } else if (a.ready.flag) {
    if (threadIdx.x == 0) wait_ready(a.ready.flag, a.ready.serial);
    __syncthreads();
  }
}

template <int kN, bool kVecX>
__device__ __forceinline__ void load_x_chunk(const GemvArgs& a, const BlockUnit& bu, int c0,
                                             uint4 (&xv)[kN]) {
  const bf16* x = bu.in_a ? a.xa : a.xb;
  wait_x(a, bu);
#pragma unroll
  for (int i = 0; i < kN; ++i) {
    const int e = c0 + i * kWarps * 32 * 8 + threadIdx.x * 8;
    xv[i] = bu.ready ? load_x8<kVecX, true>(x, e, a.k) : load_x8<kVecX, false>(x, e, a.k);
  }
}

// With gs (the int4 kernel): per 128-column group of the staged (scaled fp16) values, 8 times
// their sum, in a fixed order, and whether the group may take the fast form (zero point taken off
// after the tensor cores): its largest |x| is at most the sum of the others'. The tensor cores
// round each sum relative to its largest term, about 2^-13 on the H200 (measured: rows with a
// zero weight where |x| is 7.2 times the others' sum missed test_gpu_quant's bound 2.3 times
// over); at 1 times the zero-weight rows stay well inside it. Group i * 8 + thread / 16.
struct GroupStats {
  float* sum8 = nullptr;
  bool* fast = nullptr;
};

// Stages the block's x chunk in shared memory as fp16: kN groups of 8 values per thread (group
// i of thread t at xs[i * block + t * 8]), scaled by the power of two that puts the chunk's
// largest |x| in [2^14, 2^15): no overflow, and values down to 2^-28 of the largest keep fp16's
// 11-bit precision. bf16 bits compare as integers once the sign is cleared; NaN and inf stay
// NaN and inf. Returns the factor that undoes the scale. Called by the whole block.
template <int kN>
__device__ __forceinline__ float stage_x_f16(const uint4 (&xv)[kN], __half* xs, uint32_t* red,
                                             GroupStats gs = {}) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  uint32_t mx = 0;
#pragma unroll
  for (int i = 0; i < kN; ++i) {
    const uint32_t w[4] = {xv[i].x, xv[i].y, xv[i].z, xv[i].w};
#pragma unroll
    for (int j = 0; j < 4; j += 2) mx = max(mx, staged_abs_max(w[j], w[j + 1]));
  }
  mx = __reduce_max_sync(0xffffffffu, mx);
  if (lane == 0) red[warp] = mx;
  __syncthreads();
#pragma unroll
  for (int i = 0; i < kWarps; ++i) mx = max(mx, red[i]);
  const int sb = staged_scale_bits(mx);
  const float xscale = staged_scale(sb);
#pragma unroll
  for (int i = 0; i < kN; ++i) {
    const uint32_t w[4] = {xv[i].x, xv[i].y, xv[i].z, xv[i].w};
    uint32_t hw[4];
    float sum = 0.f, abs = 0.f, big = 0.f;  // (unused without gs)
#pragma unroll
    for (int j = 0; j < 4; ++j) hw[j] = staged_word(w[j], xscale, sum, abs, big);
    *reinterpret_cast<uint4*>(&xs[i * kWarps * 32 * 8 + threadIdx.x * 8]) =
        make_uint4(hw[0], hw[1], hw[2], hw[3]);
    if (gs.sum8) {  // 16 threads hold a group's 128 values
#pragma unroll
      for (int o = 8; o > 0; o >>= 1) {
        sum += __shfl_xor_sync(0xffffffffu, sum, o);
        abs += __shfl_xor_sync(0xffffffffu, abs, o);
        big = fmaxf(big, __shfl_xor_sync(0xffffffffu, big, o));
      }
      if ((lane & 15) == 0) {
        gs.sum8[i * 8 + (threadIdx.x >> 4)] = 8.f * sum;
        gs.fast[i * 8 + (threadIdx.x >> 4)] = staged_fast(big, abs);
      }
    }
  }
  __syncthreads();
  return staged_unscale(sb);
}

// Int8: a warp streams its tile's chunk (16 rows x 1024 bytes, 8 steps of 128 columns) through
// its own ring of kStages shared-memory slots with cp.async, kStages - 1 steps ahead of the
// tensor cores. Copy instruction i of a step moves tile rows 4i .. 4i + 3, one whole 128-byte
// line each (8 lanes x 16 bytes), as the bf16 GEMV's loads do: L2 then serves every weight
// byte with as few requests as it can. In shared memory the 16-byte pieces of a row are
// swizzled (piece ^ swz(row)) so that the fragment reads (8 rows, the same piece) hit distinct
// banks.
//
// Int6 (kSix, the output head): the same kernel on 96-byte steps (q6_layout.cuh): 16 rows x 6
// pieces a step, 3 copies a lane; a row keeps its 128-byte slot, of which 6 pieces are used.
// Lane (g, t) reads lo piece t (one 16-byte load, 8 lanes a phase: rows g, g + 1 must differ in
// the swizzle's bit 2) and 8 bytes of the hi pieces 4, 5 (16 lanes a phase: rows g .. g + 3 must
// map {4, 5} to four distinct slot pairs): q6_swz gives both. q6_word rebuilds the int8 words.
__device__ __forceinline__ int q8_swz(int row) {
  return ((row & 1) << 2) | ((row >> 1) & 3);
}
__device__ __forceinline__ int q6_swz(int row) {
  return ((row & 1) << 2) | (((row >> 1) & 1) << 1);
}

template <GemvEpilogue kEpi, bool kVecX, bool kSix>
__global__ void __launch_bounds__(kWarps * 32)
    gemv_q8_kernel(GemvArgs a, const uint8_t* __restrict__ w, int ld, const float* __restrict__ scales,
                   Q8Rows rows, int tiles, int chunks, int ready) {
  __shared__ __align__(16) uint4 ring[kWarps][kStages][16][8];  // [row][swizzled 16-byte piece]
  static_assert(kWarps * 32 * 8 == kChunk, "each thread stages 8 values of x");
  __shared__ __align__(16) __half xs[kChunk];
  __shared__ uint32_t red[kWarps];
  constexpr int kCopies = kSix ? 3 : 4;                      // 16-byte copies per lane and step
  constexpr int kStepBytes = kSix ? kQ6StepBytes : kQ8Step;  // a row's bytes per step
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, g = lane >> 2, t = lane & 3;
  const BlockUnit bu = block_unit(tiles, rows.tiles_a, chunks, ready);
  const bool active = bu.tile < bu.tile_end;
  // Columns: int6 rows are whole steps (ld / 96 of them), int8 rows ld columns.
  const int cols = kSix ? ld / kQ6StepBytes * kQ8Step : ld;
  const int c0 = bu.chunk * kChunk, cn = min(kChunk, cols - c0), steps = (cn + kQ8Step - 1) / kQ8Step;
  const int piece = lane & 7;
  const uint8_t* src[kCopies];  // this lane's copy sources in rows copy_row(i) (null: no such row)
  // Copy i of this lane: tile row and 16-byte piece (int8: rows 4i .. 4i + 3, 8 lanes a row).
  auto copy_row = [&](int i) { return kSix ? (i * 32 + lane) / 6 : 4 * i + (lane >> 3); };
  auto copy_piece = [&](int i) { return kSix ? (i * 32 + lane) % 6 : piece; };
  // Bytes into a row of the chunk's first step.
  const int chunk_off = kSix ? bu.chunk * (kChunk / kQ8Step) * kQ6StepBytes : c0;
#pragma unroll
  for (int i = 0; i < kCopies; ++i) {
    const int row = copy_row(i);
    const PairRows pr = active ? q8_slot_rows(a, bu.tile, row & 7, rows.tiles_a, rows.pairs_a,
                                              rows.pairs_total, rows.headpair)
                               : PairRows{-1, -1, bu.in_a};
    const int rr = row < 8 ? pr.a : pr.b;
    src[i] = rr >= 0 ? w + static_cast<size_t>(rr) * ld + chunk_off + copy_piece(i) * 16 : nullptr;
  }
  auto issue = [&](int s) {  // step s into slot s % kStages; one commit group per call
    if (s < steps && active) {
      // int8: a piece past the chunk's columns is zero-filled; int6 steps are whole.
      const bool in = kSix || s * kQ8Step + piece * 16 < cn;
#pragma unroll
      for (int i = 0; i < kCopies; ++i) {
        const int row = copy_row(i);
        const bool ok = in && src[i] != nullptr;
        cp_async16(&ring[warp][s % kStages][row][copy_piece(i) ^ (kSix ? q6_swz(row) : q8_swz(row))],
                   ok ? src[i] + s * kStepBytes : w, ok);
      }
    }
    cp_async_commit();
  };
  pdl_trigger();
  for (int s = 0; s < kStages - 1; ++s) issue(s);  // weights only: before x exists
  // The block's x chunk, 8 values per thread (zeros past k, so past the chunk's end too).
  uint4 xv[1];
  load_x_chunk<1, kVecX>(a, bu, c0, xv);
  const float unscale = stage_x_f16(xv, xs, red);
  if (!active) return;
  float acc[2][4] = {{0.f, 0.f, 0.f, 0.f}, {0.f, 0.f, 0.f, 0.f}};
  const int sw = kSix ? q6_swz(g) : q8_swz(g);  // rows g and g + 8 share it
  for (int s = 0; s < steps; ++s) {
    __syncwarp();  // every lane has read slot (s - 1) % kStages, which issue() refills
    issue(s + kStages - 1);
    cp_async_wait<kStages - 1>();  // this lane's copies of step s have landed ...
    __syncwarp();                  // ... and so have the other lanes'
    const int slot = s % kStages;
    uint32_t ua[8], ub[8];  // word j: the bytes u of 4 columns (q6_col), rows g and g + 8
    if constexpr (kSix) {
      const uint4 la = ring[warp][slot][g][t ^ sw], lb = ring[warp][slot][g + 8][t ^ sw];
      const int hp = (4 + (t >> 1)) ^ sw;
      const uint2 ha = reinterpret_cast<const uint2*>(&ring[warp][slot][g][hp])[t & 1];
      const uint2 hb = reinterpret_cast<const uint2*>(&ring[warp][slot][g + 8][hp])[t & 1];
      const uint32_t loa[4] = {la.x, la.y, la.z, la.w}, lob[4] = {lb.x, lb.y, lb.z, lb.w};
      const uint32_t hia[2] = {ha.x, ha.y}, hib[2] = {hb.x, hb.y};
#pragma unroll
      for (int j = 0; j < 8; ++j) ua[j] = q6_word(loa, hia, j), ub[j] = q6_word(lob, hib, j);
    } else {
      // Lane (g, t) reads pieces t and 4 + t (columns t * 16 and 64 + t * 16) of rows g and g + 8.
      const uint4 wa0 = ring[warp][slot][g][t ^ sw], wa1 = ring[warp][slot][g][(4 + t) ^ sw];
      const uint4 wb0 = ring[warp][slot][g + 8][t ^ sw], wb1 = ring[warp][slot][g + 8][(4 + t) ^ sw];
      const uint32_t wa[8] = {wa0.x, wa0.y, wa0.z, wa0.w, wa1.x, wa1.y, wa1.z, wa1.w};
      const uint32_t wb[8] = {wb0.x, wb0.y, wb0.z, wb0.w, wb1.x, wb1.y, wb1.z, wb1.w};
#pragma unroll
      for (int j = 0; j < 8; ++j) ua[j] = wa[j], ub[j] = wb[j];
    }
    const int sc = s * kQ8Step + t * 16;
    uint32_t xh[16];  // xh[2j], xh[2j + 1]: x of the columns of word j below
#pragma unroll
    for (int h = 0; h < 2; ++h)
#pragma unroll
      for (int e = 0; e < 2; ++e) {
        const uint4 v = *reinterpret_cast<const uint4*>(&xs[sc + h * 64 + e * 8]);
        xh[8 * h + 4 * e] = v.x, xh[8 * h + 4 * e + 1] = v.y, xh[8 * h + 4 * e + 2] = v.z,
                       xh[8 * h + 4 * e + 3] = v.w;
      }
    // int6: u = q + 32; int8: the byte b ^ 0x80 = b + 128.
    constexpr int kOff = kSix ? 32 : 128;
    constexpr uint32_t kFlip = kSix ? 0u : 0x80808080u;
#pragma unroll
    for (int j = 0; j < 8; ++j) {  // word j: 4 columns; mma k slots 2t, 2t+1 / 2t+8, 2t+9
      const uint32_t fa = ua[j] ^ kFlip, fb = ub[j] ^ kFlip;
      mma_16816<false>(acc[j & 1], u8x2_to_f16x2<kOff>(fa, 0x4140), u8x2_to_f16x2<kOff>(fb, 0x4140),
                       u8x2_to_f16x2<kOff>(fa, 0x4342), u8x2_to_f16x2<kOff>(fb, 0x4342), xh[2 * j],
                       xh[2 * j + 1]);
    }
  }
  cp_async_wait<0>();
  float ya, yb;
  if (finish_unit(a, bu.tile, bu.chunk, chunks, (acc[0][0] + acc[1][0]) * unscale,
                  (acc[0][2] + acc[1][2]) * unscale, ya, yb) &&
      lane < 8) {
    const PairRows pr =
        q8_slot_rows(a, bu.tile, lane, rows.tiles_a, rows.pairs_a, rows.pairs_total, rows.headpair);
    float m = -INFINITY;
    if (pr.a >= 0) m = epilogue<kEpi>(a, pr, ya * scales[pr.a], pr.b >= 0 ? yb * scales[pr.b] : 0.f);
    if (kEpi == GemvEpilogue::Store && a.block_max) store_tile_max(a.block_max, bu.tile, m);
  }
}

// The A fragment of one mma from the 8 nibbles u of v (pairs at bits 0/16, 4/20, 8/24, 12/28 are
// registers a0..a3), exact: a nibble under the exponent of 1024 (one LOP3) is 1024 + u, minus
// 1032 gives u - 8; the nibble above it lands as 1024 + 16u, times 1/16 minus 72 gives u - 8
// (one HFMA2). One shift brings the upper two pairs down: 5 integer and 4 half2 operations per
// 8 weights.
__device__ __forceinline__ void nibbles_to_f16x2x4(uint32_t v, uint32_t (&a)[4]) {
  const __half2 k1032 = __floats2half2_rn(1032.f, 1032.f), k16th = __floats2half2_rn(0.0625f, 0.0625f),
                km72 = __floats2half2_rn(-72.f, -72.f);
#pragma unroll
  for (int p = 0; p < 2; ++p) {
    const uint32_t w = p ? v >> 8 : v;
    uint32_t lo = (w & 0x000F000Fu) | 0x64006400u, hi = (w & 0x00F000F0u) | 0x64006400u;
    const __half2 l = __hsub2(*reinterpret_cast<__half2*>(&lo), k1032);
    const __half2 h = __hfma2(*reinterpret_cast<__half2*>(&hi), k16th, km72);
    a[2 * p] = *reinterpret_cast<const uint32_t*>(&l);
    a[2 * p + 1] = *reinterpret_cast<const uint32_t*>(&h);
  }
}

// The same fragment, fast: the nibbles masked in place are the fp16 subnormals u * 2^-24 (a0, a2:
// tile row g) and 16u * 2^-24 (a1, a3: row g + 8), exact; 5 integer operations per 8 weights.
// The caller takes the sums times 2^24 (2^20) and subtracts the zero point, 8 * sum(x).
__device__ __forceinline__ void nibbles_subnormal(uint32_t v, uint32_t (&a)[4]) {
#pragma unroll
  for (int p = 0; p < 2; ++p) {
    const uint32_t w = p ? v >> 8 : v;
    a[2 * p] = w & 0x000F000Fu;
    a[2 * p + 1] = w & 0x00F000F0u;
  }
}

// Where a block's int4 unit lies: its tile and chunk (BlockUnit), its nq quads of kQuads in
// steps of kQ4Step, and this lane's first weight word (an inactive block points at tile 0's).
struct Q4Unit {
  BlockUnit bu;
  bool active;
  int nq, steps;
  const uint4* data;
  const uint4* wt;
};

template <int kQuads>
__device__ __forceinline__ Q4Unit q4_unit(const QuantMatrix& q, int chunks, int ready) {
  const int lane = threadIdx.x & 31, quads = q.ld / 64;
  Q4Unit u;
  u.bu = block_unit(q.tiles, q.tile_split, chunks, ready);
  u.active = u.bu.tile < u.bu.tile_end;
  const int q0 = u.bu.chunk * kQuads;
  u.nq = min(kQuads, quads - q0);
  u.steps = (u.nq + kQ4Step - 1) / kQ4Step;
  u.data = static_cast<const uint4*>(q.data);
  u.wt = u.data + (static_cast<size_t>(u.active ? u.bu.tile : 0) * quads + q0) * 32 + lane;
  return u;
}

// Step s of an int4 unit into the lane's ring slot: its kQ4Step words (zeros past the unit's nq
// quads), then one commit, also when there is nothing to copy (past the unit's steps), so every
// thread's count of pending copy groups stays the same.
__device__ __forceinline__ void q4_ring_issue(uint4 (&slot)[kQ4Step][32], const uint4* wt, const uint4* data,
                                              int s, bool copy, int nq) {
  const int lane = threadIdx.x & 31;
  if (copy) {
#pragma unroll
    for (int j = 0; j < kQ4Step; ++j) {
      const int qq = s * kQ4Step + j;
      cp_async16(&slot[j][lane], qq < nq ? wt + static_cast<size_t>(qq) * 32 : data, qq < nq);
    }
  }
  cp_async_commit();
}

// The unit's group scales of the tile's 16 rows (kGroups groups each): lane l reads kGroups / 2 of
// row l / 2 (one vector load where aligned), so the warp reads each row's run in one request. Kept
// as fp16: half the registers of fp32 scales. Groups past the chunk's end (ng) read as zero.
template <int kGroups>
__device__ __forceinline__ void load_group_scales(const QuantMatrix& q, const BlockUnit& bu, bool active,
                                                  int ng, __half (&hv)[kGroups / 2]) {
  constexpr int kHalf = kGroups / 2;
  const int lane = threadIdx.x & 31, groups = q.ld / 128;
  const int g0 = bu.chunk * kGroups, row = lane >> 1, j0 = kHalf * (lane & 1);
  const __half* sp = q.gscales + static_cast<size_t>((active ? bu.tile : 0) * 16 + row) * groups + g0 + j0;
#pragma unroll
  for (int j = 0; j < kHalf; ++j) hv[j] = __float2half(0.f);
  using Vec = std::conditional_t<kHalf == 8, uint4, uint2>;  // kHalf halves in one load
  static_assert(sizeof(Vec) == kHalf * sizeof(__half), "a lane's scales are one vector load");
  if (active && j0 + kHalf <= ng && (reinterpret_cast<uintptr_t>(sp) & (sizeof(Vec) - 1)) == 0) {
    *reinterpret_cast<Vec*>(hv) = *reinterpret_cast<const Vec*>(sp);
  } else if (active) {
#pragma unroll
    for (int j = 0; j < kHalf; ++j)
      if (j0 + j < ng) hv[j] = sp[j];
  }
}

// load_group_scales' halves shuffled into the pairs a lane's mma rows take: sc[j] = group j's
// scales of tile rows r and r + 8 (lane 2 * rr + hh holds groups kHalf * hh .. + kHalf - 1 of row rr).
template <int kGroups>
__device__ __forceinline__ void pair_group_scales(const __half (&hv)[kGroups / 2], int r,
                                                  __half2 (&sc)[kGroups]) {
  constexpr int kHalf = kGroups / 2;
  const uint16_t* hb = reinterpret_cast<const uint16_t*>(hv);
#pragma unroll
  for (int j = 0; j < kGroups; ++j) {
    const uint32_t lo = __shfl_sync(0xffffffffu, hb[j % kHalf], 2 * r + j / kHalf),
                   hi = __shfl_sync(0xffffffffu, hb[j % kHalf], 2 * (r + 8) + j / kHalf);
    const uint32_t pair = lo | hi << 16;
    sc[j] = *reinterpret_cast<const __half2*>(&pair);
  }
}

// Int4: the same scheme as int8 on the tile layout (a step: 4 quads = 2 groups; a lane copies the
// 16 bytes of each quad it reads). The block's x chunk is staged as scaled fp16 like int8's, the
// unit's group scales are read into registers while the first steps are in flight.
//
// Units of 1024 columns (kQ4Small) skip the ring: each lane loads its 16-byte words straight
// into registers, two steps ahead, as the bf16 GEMV streams its rows (96 registers, 5 blocks per
// SM, 2 KiB of shared memory). Measured on the H200 (session 15, same call, rotated): Falcon-7B
// int4 decode 578-581 -> 616-617 tok/s, Falcon2-11B 243-245 -> 261.5-263, Falcon-40B's 2048-column
// units unchanged through registers at depth 3 (125 registers, 4 blocks) and 2% slower at depth 2,
// so they keep the ring.
template <GemvEpilogue kEpi, bool kVecX, int kCols>
__global__ void __launch_bounds__(kWarps * 32)
    gemv_q4_kernel(GemvArgs a, QuantMatrix q, int chunks, int ready) {
  constexpr int kRegs = kCols == kQ4Small ? 2 : 0;  // steps loaded ahead into registers; 0: the ring
  static_assert(kCols % (kWarps * 32 * 8) == 0 && kCols % 256 == 0, "whole x stagings and steps per unit");
  constexpr int kQuads = kCols / 64, kSteps = kQuads / kQ4Step, kGroups = kQuads / 2;
  __shared__ __align__(16) uint4 ring[kRegs ? 1 : kWarps][kRegs ? 1 : kStages][kQ4Step][32];
  __shared__ __align__(16) __half xs[kCols];
  __shared__ float gsum8[kGroups];  // per group of the chunk: 8 * sum of its staged x ...
  __shared__ bool gfast[kGroups];   // ... and whether it takes the fast form
  __shared__ uint32_t red[kWarps];
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, r = lane >> 2, qd = lane & 3;
  const Q4Unit u = q4_unit<kQuads>(q, chunks, ready);
  const BlockUnit& bu = u.bu;
  const bool active = u.active;
  const int nq = u.nq, steps = u.steps;
  const uint4 *data = u.data, *wt = u.wt;
  uint4 rb[kSteps][kQ4Step];  // kRegs: step s's words (static indices once unrolled: registers)
  auto issue = [&](int s) {
    if constexpr (kRegs) {
      if (s < kSteps) {
#pragma unroll
        for (int j = 0; j < kQ4Step; ++j) {
          const int qq = s * kQ4Step + j;
          rb[s][j] = s < steps && active && qq < nq ? load_stream16(wt + static_cast<size_t>(qq) * 32)
                                                    : make_uint4(0, 0, 0, 0);
        }
      }
      return;
    }
    q4_ring_issue(ring[warp][s % kStages], wt, data, s, s < steps && active, nq);
  };
  pdl_trigger();
#pragma unroll
  for (int s = 0; s < (kRegs ? kRegs : kStages - 1); ++s) issue(s);  // weights only: before x exists
  // The scales' load is issued here and the pairs are shuffled together only after x is staged,
  // so that its HBM latency overlaps x's load from L2 and the staging instead of coming before them.
  const int ng = nq / 2;  // groups in this chunk
  __align__(16) __half hv[kGroups / 2];
  load_group_scales<kGroups>(q, bu, active, ng, hv);
  constexpr int kG = kQ4Step / 2;  // groups per step
  uint4 xv[kCols / (kWarps * 32 * 8)];
  load_x_chunk<kCols / (kWarps * 32 * 8), kVecX>(a, bu, bu.chunk * kCols, xv);
  const float unscale = stage_x_f16(xv, xs, red, GroupStats{gsum8, gfast});
  if (!active) return;
  __half2 sc[kGroups];
  pair_group_scales<kGroups>(hv, r, sc);
  float tot0 = 0.f, tot8 = 0.f;
  // x_column0: only C's column 0 is read (finish_unit takes lanes t == 0), so only the lanes that
  // supply B's column 0 (r == 0) load x; the others' registers stay zero from here on: no extra
  // instruction per step (the loads are predicated), and the tensor cores see seven zero columns,
  // which spends less energy in a step that runs at the power cap. Measured on the H200 (session
  // 27, rotated, Falcon-40B int4 decode-only): +0.9 to +1.5% on three cards capped near 1800 MHz,
  // even on one near 1900; Falcon-7B int4 (not capped) even. Int8 kept x in every column: the same
  // change there measured -0.5%. (Session 25's form, zeroing the registers every step, lost 1.2%.)
  uint32_t xf[kG][8];
#pragma unroll
  for (int gi = 0; gi < kG; ++gi)
#pragma unroll
    for (int j = 0; j < 8; ++j) xf[gi][j] = 0u;
  const bool xlane = kRegs || r == 0;  // the register path (96 registers) spills with it
#pragma unroll
  for (int s = 0; s < kSteps; ++s) {
    if (s >= steps) break;
    issue(s + (kRegs ? kRegs : kStages - 1));
    uint4 wv[kQ4Step];
    if constexpr (kRegs) {
#pragma unroll
      for (int j = 0; j < kQ4Step; ++j) wv[j] = rb[s][j];
    } else {
      cp_async_wait<kStages - 1>();
#pragma unroll
      for (int j = 0; j < kQ4Step; ++j) wv[j] = ring[warp][s % kStages][j][lane];
    }
    // The step's two groups (2s, 2s + 1; past the chunk's end a group's weights, x and scales
    // are zeros, so it adds exactly 0) take one form, the fast one only if both may: one branch
    // per step, so the two groups' mma chains (one accumulator per group) alternate.
    float c[kG][4];
#pragma unroll
    for (int gi = 0; gi < kG; ++gi) c[gi][0] = c[gi][1] = c[gi][2] = c[gi][3] = 0.f;
    auto mmas = [&](auto to_f16) {
#pragma unroll
      for (int h = 0; h < 2; ++h) {
        // x of quad h of each group: the lane's 16 columns (lanes r == 0 only; see x_column0)
#pragma unroll
        for (int gi = 0; gi < kG; ++gi) {
          const int col = (2 * (s * kG + gi) + h) * 64 + qd * 16;
          if (xlane) {
            const uint4 xa = *reinterpret_cast<const uint4*>(&xs[col]);
            const uint4 xb = *reinterpret_cast<const uint4*>(&xs[col + 8]);
            xf[gi][0] = xa.x, xf[gi][1] = xa.y, xf[gi][2] = xa.z, xf[gi][3] = xa.w;
            xf[gi][4] = xb.x, xf[gi][5] = xb.y, xf[gi][6] = xb.z, xf[gi][7] = xb.w;
          }
        }
#pragma unroll
        for (int tt = 0; tt < 4; ++tt)
#pragma unroll
          for (int gi = 0; gi < kG; ++gi) {  // two chains, alternating: no mma waits for the one before it
            const uint4 v = wv[2 * gi + h];
            const uint32_t ws[4] = {v.x, v.y, v.z, v.w};
            uint32_t af[4];
            to_f16(ws[tt], af);
            mma_16816<false>(c[gi], af[0], af[1], af[2], af[3], xf[gi][2 * tt], xf[gi][2 * tt + 1]);
          }
      }
    };
    if (gfast[s * kG] && gfast[s * kG + 1]) {  // the same for the whole warp
      mmas([](uint32_t v, uint32_t(&af)[4]) { nibbles_subnormal(v, af); });
#pragma unroll
      for (int gi = 0; gi < kG; ++gi) {
        const int gl = s * kG + gi;  // group within the chunk
        const float zp = gsum8[gl];
        const float2 f = __half22float2(sc[gl]);
        tot0 = fmaf(fmaf(c[gi][0], 16777216.f, -zp), f.x, tot0);  // 2^24
        tot8 = fmaf(fmaf(c[gi][2], 1048576.f, -zp), f.y, tot8);   // 2^20
      }
    } else {
      mmas([](uint32_t v, uint32_t(&af)[4]) { nibbles_to_f16x2x4(v, af); });
#pragma unroll
      for (int gi = 0; gi < kG; ++gi) {
        const float2 f = __half22float2(sc[s * kG + gi]);
        tot0 = fmaf(c[gi][0], f.x, tot0);
        tot8 = fmaf(c[gi][2], f.y, tot8);
      }
    }
  }
  if constexpr (!kRegs) cp_async_wait<0>();
  float ya, yb;
  if (finish_unit(a, bu.tile, bu.chunk, chunks, tot0 * unscale, tot8 * unscale, ya, yb) && lane < 8) {
    const int ra = q.row_of[bu.tile * 16 + lane], rb = q.row_of[bu.tile * 16 + lane + 8];
    float m = -INFINITY;
    if (ra >= 0) m = epilogue<kEpi>(a, PairRows{ra, rb, bu.in_a}, ya, yb);
    if (kEpi == GemvEpilogue::Store && a.block_max) store_tile_max(a.block_max, bu.tile, m);
  }
}

// 2048-column int4 units (Falcon-40B's, 180B's) on the integer tensor cores. x is staged per 128-column group
// as an integer (scaled by the power of two that puts the group's largest |x| in [2^29, 2^30): bf16 values
// down to 2^-22 of the largest are exact), cut into four signed bytes, x = 2^24 d0 + 2^16 d1 + 2^8 d2 + d3;
// digit k goes to B's column k of one mma.m16n8k32 (u8 weights x s8 x), so one instruction gives every
// digit's sum for 16 weights a lane, exactly, in int32 (lane t = 0 holds columns 0-1, lane t = 1 columns 2-3;
// they meet once, at the unit's end). A word is the A fragment of row g as it is (u + 16u', row g + 8's
// nibble u' added, whose sum comes off at the group's end) and of row g + 8 after one AND (16u', the 16
// undone in the group's factor): 1 integer operation and half an mma per 8 weights, against 5 and
// one mma in the fp16 kernel. The zero point (8 x each digit's group sum) starts the accumulators. A group
// with a NaN or inf in x gets a NaN factor. (A group whose largest |x| is under 2^-97 keeps fewer bits: 2^e
// stays a normal float. Activations that small are zeros to the model.)
__device__ __forceinline__ void imma_16832(int (&c)[4], uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3,
                                           uint32_t b0, uint32_t b1) {
  asm("mma.sync.aligned.m16n8k32.row.col.s32.u8.s8.s32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
      "{%0,%1,%2,%3};"
      : "+r"(c[0]), "+r"(c[1]), "+r"(c[2]), "+r"(c[3])
      : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
}

template <GemvEpilogue kEpi, bool kVecX>
__global__ void __launch_bounds__(kWarps * 32)
    gemv_q4i_kernel(GemvArgs a, QuantMatrix q, int chunks, int ready) {
  constexpr int kCols = kQ4Chunk;
  constexpr int kQuads = kCols / 64, kSteps = kQuads / kQ4Step, kGroups = kQuads / 2;
  constexpr int kN = kCols / (kWarps * 32 * 8);  // 8-value pieces of x per thread
  __shared__ __align__(16) uint4 ring[kWarps][kStages][kQ4Step][32];
  static_assert(kCols == kStagedCols && kGroups == kStagedCols / 128, "a StagedX is one unit's x");
  __shared__ StagedX sx;  // the chunk's x: digit planes, the groups' accumulator starts and factors
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, r = lane >> 2, qd = lane & 3;
  const Q4Unit u = q4_unit<kQuads>(q, chunks, ready);
  const BlockUnit& bu = u.bu;
  const bool active = u.active;
  const int nq = u.nq, steps = u.steps;
  const uint4 *data = u.data, *wt = u.wt;
  auto issue = [&](int s) { q4_ring_issue(ring[warp][s % kStages], wt, data, s, s < steps && active, nq); };
  pdl_trigger();
#pragma unroll
  for (int s = 0; s < kStages - 1; ++s) issue(s);
  const int ng = nq / 2;
  __align__(16) __half hv[kGroups / 2];
  load_group_scales<kGroups>(q, bu, active, ng, hv);
  if (const StagedX* staged = bu.in_a ? a.staged_a : a.staged_b) {
    // Staged by the previous kernel (launch_layernorm_staged): copy the chunk's.
    wait_x(a, bu);
    const uint4* src = reinterpret_cast<const uint4*>(staged + bu.chunk);
    uint4* dst = reinterpret_cast<uint4*>(&sx);
    constexpr int kWords = sizeof(StagedX) / 16;
#pragma unroll
    for (int i = threadIdx.x; i < kWords; i += kWarps * 32) dst[i] = __ldcg(src + i);
    __syncthreads();
  } else {  // piece i of thread t is columns i * 1024 + t * 8 .. + 7, group i * 8 + t / 16
    uint4 xv[kN];
    load_x_chunk<kN, kVecX>(a, bu, bu.chunk * kCols, xv);
#pragma unroll
    for (int i = 0; i < kN; ++i) {
      const DigitPiece p = stage_digits({xv[i].x, xv[i].y, xv[i].z, xv[i].w});
      const int word = (i * kWarps * 32 * 8 + threadIdx.x * 8) / 4;
#pragma unroll
      for (int k = 0; k < 4; ++k)
        *reinterpret_cast<uint2*>(&sx.xd[k][word]) = make_uint2(p.dw[k][0], p.dw[k][1]);
      if ((lane & 15) == 0) {
        const int gl = i * 8 + (threadIdx.x >> 4);
        sx.ginit[gl][0] = p.init[0];
        sx.ginit[gl][1] = p.init[1];
        sx.gxe[gl] = p.xe;
      }
    }
    __syncthreads();
  }
  if (!active) return;
  __half2 sc[kGroups];
  pair_group_scales<kGroups>(hv, r, sc);
  // Per row, the lane's two digit columns joined (t = 0: digits 0, 1, in units of 2^16; t = 1:
  // digits 2, 3, in units of 1).
  float t0 = 0.f, t8 = 0.f;
  constexpr int kG = kQ4Step / 2;
  // B: column k digit k (lanes r == k < 4); the other columns zero.
  const uint32_t* xsrc = sx.xd[r & 3];
  uint4 bw[kG] = {};
#pragma unroll
  for (int s = 0; s < kSteps; ++s) {
    if (s >= steps) break;
    issue(s + kStages - 1);
    cp_async_wait<kStages - 1>();
    uint4 wv[kQ4Step];
#pragma unroll
    for (int j = 0; j < kQ4Step; ++j) wv[j] = ring[warp][s % kStages][j][lane];
    int c[kG][4];
#pragma unroll
    for (int gi = 0; gi < kG; ++gi) {
      const int4 z = sx.ginit[s * kG + gi][qd & 1];
      c[gi][0] = z.x, c[gi][1] = z.y, c[gi][2] = z.z, c[gi][3] = z.w;
    }
#pragma unroll
    for (int h = 0; h < 2; ++h) {
#pragma unroll
      for (int gi = 0; gi < kG; ++gi) {
        const int quad = 2 * (s * kG + gi) + h;
        if (r < 4) bw[gi] = *reinterpret_cast<const uint4*>(&xsrc[quad * 16 + qd * 4]);
      }
#pragma unroll
      for (int m = 0; m < 2; ++m)
#pragma unroll
        for (int gi = 0; gi < kG; ++gi) {
          const uint4 v = wv[2 * gi + h];
          const uint32_t w0 = m ? v.z : v.x, w1 = m ? v.w : v.y;
          imma_16832(c[gi], w0, w0 & 0xF0F0F0F0u, w1, w1 & 0xF0F0F0F0u, m ? bw[gi].z : bw[gi].x,
                     m ? bw[gi].w : bw[gi].y);
        }
    }
#pragma unroll
    for (int gi = 0; gi < kG; ++gi) {
      const int gl = s * kG + gi;
      const float xe = sx.gxe[gl];
      const float2 f = __half22float2(sc[gl]);
      const float f0 = f.x * xe, f8 = f.y * xe * 0.0625f;
      // Exact in int32: a group's sum of (u - 8) d is within 2^17 (row g) and of 16 (u - 8) d
      // within 2^21 (row g + 8), so 256 times the higher digit's plus the lower's fits.
      t0 = fmaf(static_cast<float>((c[gi][0] - c[gi][2]) * 256 + (c[gi][1] - c[gi][3])), f0, t0);
      t8 = fmaf(static_cast<float>(c[gi][2] * 256 + c[gi][3]), f8, t8);
    }
  }
  cp_async_wait<0>();
  // The digits' places: lanes t = 1 (and 3) hold units of 1 and join lane t = 0's, of 2^16.
  const float place = (qd & 1) ? 1.f : 65536.f;
  float tot0 = t0 * place, tot8 = t8 * place;
  tot0 += __shfl_down_sync(0xffffffffu, tot0, 1);
  tot8 += __shfl_down_sync(0xffffffffu, tot8, 1);
  float ya, yb;
  if (finish_unit(a, bu.tile, bu.chunk, chunks, tot0, tot8, ya, yb) && lane < 8) {
    const int ra = q.row_of[bu.tile * 16 + lane], rb = q.row_of[bu.tile * 16 + lane + 8];
    float m = -INFINITY;
    if (ra >= 0) m = epilogue<kEpi>(a, PairRows{ra, rb, bu.in_a}, ya, yb);
    if (kEpi == GemvEpilogue::Store && a.block_max) store_tile_max(a.block_max, bu.tile, m);
  }
}

// Whether 2048-column int4 units take gemv_q4i_kernel (the default) or, with FALCON_Q4_IMMA=0,
// the fp16 kernel (and the LayerNorm staging x for it): the A/B's other side.
bool q4_imma() {
  static const bool on = [] {
    const char* e = std::getenv("FALCON_Q4_IMMA");
    return !(e && e[0] == '0');
  }();
  return on;
}

bool aligned16(const void* p) {
  return (reinterpret_cast<uintptr_t>(p) & 15) == 0;
}

// Work units of q: 16-row tiles x chunks of kChunk (int8) / kQ4Chunk (int4) columns.
struct UnitPlan {
  int tiles = 0, chunks = 0, chunk = 0;  // chunk: columns per unit
  Q8Rows rows{};
};

// Blocks of the int4 GEMV (16 KiB units: the kernel that takes them) the device holds at once
// (prepare_gemv_quant queries).
int q4_resident_blocks() {
  static std::atomic<int> cache[kMaxDevicesCached];
  return q4_imma() ? resident_blocks(gemv_q4i_kernel<GemvEpilogue::Store, true>, kWarps * 32, cache)
                   : resident_blocks(gemv_q4_kernel<GemvEpilogue::Store, true, kQ4Chunk>, kWarps * 32, cache);
}

// chunk: columns per work unit (int4: 0 = gemv_q4_chunk's choice).
UnitPlan unit_plan(const QuantMatrix& q, bool headpair, int chunk = 0) {
  UnitPlan p;
  // FALCON_Q4_CHUNK=1024|2048: every int4 GEMV in that unit size (tests: the backend's small
  // models otherwise take 1024-column units only, and never the staged x of 2048-column ones).
  static const int forced = [] {
    const char* e = std::getenv("FALCON_Q4_CHUNK");
    const int v = e ? std::atoi(e) : 0;
    return v == kQ4Chunk || v == kQ4Small ? v : 0;
  }();
  if (q.per_row())
    chunk = kChunk;
  else if (chunk != kQ4Chunk && chunk != kQ4Small)
    chunk = forced ? forced : gemv_q4_chunk(q.tiles, q.ld, q4_resident_blocks());
  p.chunk = chunk;
  // Columns: int6 rows hold whole 128-column steps of 96 bytes.
  const int cols = q.format == QuantFormat::Int6 ? q.ld / kQ6StepBytes * kQ6StepCols : q.ld;
  p.chunks = (cols + chunk - 1) / chunk;
  if (q.per_row()) {
    p.rows.headpair = headpair;
    p.rows.pairs_a = headpair ? q.split / 2 : (q.split + 1) / 2;
    p.rows.pairs_total = p.rows.pairs_a + (q.n_rows - q.split + 1) / 2;
    p.rows.tiles_a = (p.rows.pairs_a + 7) / 8;
    p.tiles = p.rows.tiles_a + (p.rows.pairs_total - p.rows.pairs_a + 7) / 8;
  } else {
    p.tiles = q.tiles;
  }
  return p;
}

template <GemvEpilogue kEpi>
void launch_typed(const GemvArgs& a, const QuantMatrix& q, cudaStream_t stream) {
  const bool vecx = aligned16(a.xa) && aligned16(a.xb);
  const UnitPlan p = unit_plan(q, kEpi == GemvEpilogue::QkvUp && a.inv_freq != nullptr, a.q4_chunk);
  if (p.tiles <= 0 || p.chunks <= 0) return;
  if (p.chunks > 1 && (!a.split_ws || !a.split_counters))
    throw_usage_error("quantized GEMV: k spans several chunks but no split workspace was given");
  const int tiles_a = q.per_row() ? p.rows.tiles_a : q.tile_split;
  const long long groups = (tiles_a + kWarps - 1) / kWarps + (p.tiles - tiles_a + kWarps - 1) / kWarps;
  const unsigned blocks = static_cast<unsigned>(groups * p.chunks);
  // Chunks wholly before k_ready: their blocks go first and do not wait for the previous kernel.
  const int ready = std::min(std::clamp(a.k_ready, 0, a.k) / p.chunk, p.chunks);
  if (q.per_row()) {
    auto kernel = q.format == QuantFormat::Int6
                      ? (vecx ? gemv_q8_kernel<kEpi, true, true> : gemv_q8_kernel<kEpi, false, true>)
                      : (vecx ? gemv_q8_kernel<kEpi, true, false> : gemv_q8_kernel<kEpi, false, false>);
    launch_kernel(kernel, blocks, kWarps * 32, 0, stream, a, static_cast<const uint8_t*>(q.data), q.ld,
                  q.scales, p.rows, p.tiles, p.chunks, ready);
  } else {
    auto kernel = p.chunk == kQ4Small
                      ? (vecx ? gemv_q4_kernel<kEpi, true, kQ4Small> : gemv_q4_kernel<kEpi, false, kQ4Small>)
                  : q4_imma()
                      ? (vecx ? gemv_q4i_kernel<kEpi, true> : gemv_q4i_kernel<kEpi, false>)
                      : (vecx ? gemv_q4_kernel<kEpi, true, kQ4Chunk> : gemv_q4_kernel<kEpi, false, kQ4Chunk>);
    launch_kernel(kernel, blocks, kWarps * 32, 0, stream, a, q, p.chunks, ready);
  }
}

}  // namespace

int gemv_q4_chunk(int tiles, int k, int resident_blocks) {
  // Three waves or more of 16 KiB units keep the last, partial wave a small share of the time;
  // fewer get 8 KiB units (twice the blocks, each half as long). Measured on the H200 (session
  // 11, 5 resident blocks per SM: 660): Falcon-7B int4 decode (1.3 and 1.6 waves of 16 KiB units)
  // 450 -> 565 tok/s, Falcon-40B (3.9 and 4.0 waves) 136.6 with 8 KiB units against 148.7. (Int8
  // keeps its 16 KiB units: 8 KiB ones made Falcon-7B int8, at 2.1 and 2.3 waves of its 6 blocks
  // per SM, 9% slower, 437 -> 396.)
  const long long blocks =
      (static_cast<long long>(tiles) + kWarps - 1) / kWarps * ((k + kQ4Chunk - 1) / kQ4Chunk);
  if (resident_blocks <= 0) return kQ4Chunk;  // occupancy unknown: the default
  return blocks >= 3ll * resident_blocks ? kQ4Chunk : kQ4Small;
}

bool gemv_q4_takes_staged(const QuantMatrix& q) {
  static_assert(kQ4Chunk == kStagedCols, "a StagedX is one 2048-column unit's x");
  return q.format == QuantFormat::Int4 && unit_plan(q, false).chunk == kStagedCols && q4_imma();
}

void prepare_gemv_quant() {
  q4_resident_blocks();
}

GemvSplit gemv_quant_split(const QuantMatrix& q) {
  // The most tiles either row order gives (RoPE pairs never need more than natural pairs), and
  // the most chunks (int4: the smaller units).
  const UnitPlan p = unit_plan(q, false, q.format == QuantFormat::Int4 ? kQ4Small : 0);
  GemvSplit s;
  if (p.chunks > 1) {
    s.floats = static_cast<uint64_t>(p.tiles) * p.chunks * 16;
    s.counters = p.tiles;
  }
  return s;
}

void launch_gemv_quant(GemvEpilogue epilogue, const GemvArgs& args, const QuantMatrix& q,
                       cudaStream_t stream) {
  GemvArgs a = args;
  a.w = nullptr;
  a.n_rows = q.n_rows;
  a.k = q.k;
  a.ldw = q.ld;
  a.split = q.split;
  if (!a.xb) a.xb = a.xa;
  if (epilogue == GemvEpilogue::QkvUp && a.inv_freq && q.format == QuantFormat::Int4 && q.split > 0 &&
      q.headpair_hd != a.shape.head_dim)
    throw_usage_error("int4 GEMV: the RoPE rows of this matrix are not laid out in rotation pairs");
  // A tile is then a block of 16 rows (int8: pairs 8t..8t+7 of one region; int4: natural order).
  if (a.block_max && (epilogue != GemvEpilogue::Store || (q.split != 0 && q.split != q.n_rows) ||
                      (q.format == QuantFormat::Int4 && q.headpair_hd > 0)))
    throw_usage_error("quantized GEMV: block maxima need a Store over one region in natural row order");
  switch (epilogue) {
    case GemvEpilogue::Store:
      launch_typed<GemvEpilogue::Store>(a, q, stream);
      break;
    case GemvEpilogue::Residual:
      launch_typed<GemvEpilogue::Residual>(a, q, stream);
      break;
    case GemvEpilogue::QkvUp:
      launch_typed<GemvEpilogue::QkvUp>(a, q, stream);
      break;
  }
}

}  // namespace falcon::gpu
