#pragma once
// Launchers of falcon_gpu's kernels. One family per .cu file in this folder, kernels first
// and launchers after; every launcher checks its launch (FALCON_CHECK_LAUNCH) and takes the
// stream it runs on. Shapes are given as (rows, columns), row-major, unless noted.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <vector>

namespace falcon::gpu {

using bf16 = __nv_bfloat16;

// ---- layernorm.cu -----------------------------------------------------------------------------
// out1[r] = LN(x[r]; g1, b1) and, when g2 is not null, out2[r] = LN(x[r]; g2, b2) from the same
// read (the 2-LayerNorm blocks). x (rows, dim) fp32 with row stride ldx; out (rows, dim) bf16 with
// stride ldo. Biases may be null (LayerNorm without bias). Statistics in fp32.
void launch_layernorm(const float* x, int ldx, int rows, int dim, float eps, const float* g1, const float* b1,
                      bf16* out1, const float* g2, const float* b2, bf16* out2, int ldo, cudaStream_t stream);

// A decode row's x as the int4 GEMV's 2048-column units take it on the integer tensor cores, one
// StagedX per chunk of 2048 columns, laid out as that kernel's shared memory (quant_gemv.cu): per
// 128-column group, the values scaled by the power of two that puts the group's largest |x| in
// [2^29, 2^30), rounded and cut into four signed bytes (digit planes; zeros past the row's end), the
// accumulators' start (the int4 zero point times each digit's group sum) and the factor that undoes
// the scale (NaN for a group with a NaN or inf). Computed once by the LayerNorm that writes the row
// instead of by each of the GEMV's ~650 blocks a chunk (staged_x.cuh's stage_digits, in both).
constexpr int kStagedCols = 2048;
struct alignas(16) StagedX {
  uint32_t xd[4][kStagedCols / 4];   // digit k: word o / 4 holds values o, o + 2, o + 1, o + 3
  int4 ginit[kStagedCols / 128][2];  // [group][lane t & 1]
  float gxe[kStagedCols / 128];      // 2^-e
};
static_assert(sizeof(StagedX) == kStagedCols * 4 + 576, "digits, then 36 16-byte words of group data");
constexpr int staged_chunks(int dim) {
  return (dim + kStagedCols - 1) / kStagedCols;
}
// launch_layernorm of one row that also writes staged1 / staged2 (staged_chunks(dim) each; staged2
// with out2) from out1 / out2's bf16 values, one block per chunk, for gemv_q4_takes_staged GEMVs. The outputs
// may differ from launch_layernorm's in the last bit (the statistics are summed in another order). Returns
// false, staging nothing (the plain launch_layernorm ran), where the row does not fit (dim % 4, alignment,
// dim > 16384).
bool launch_layernorm_staged(const float* x, int dim, float eps, const float* g1, const float* b1, bf16* out1,
                             StagedX* staged1, const float* g2, const float* b2, bf16* out2, StagedX* staged2,
                             cudaStream_t stream);

// ---- elementwise.cu ---------------------------------------------------------------------------
// x[t] = float(table[tokens[t]]) for t < rows; table (vocab, dim) bf16, x (rows, dim) fp32.
void launch_embed(const int32_t* tokens, int rows, const bf16* table, int dim, float* x, cudaStream_t stream);
// x[t][i] += bias[i]; x (rows, dim) fp32 with stride ldx.
void launch_add_bias(float* x, int ldx, int rows, int dim, const float* bias, cudaStream_t stream);
// h[t][i] = gelu(h[t][i] + bias[i]) in place; h (rows, n) bf16 with stride ldh; bias may be null.
void launch_bias_gelu(bf16* h, int ldh, int rows, int n, const float* bias, cudaStream_t stream);

// The attention geometry shared by the RoPE, cache and attention kernels.
struct AttnShape {
  int num_heads = 0;  // query heads H
  int num_kv = 0;     // KV heads; query head h reads KV head h / (H / num_kv)
  int head_dim = 0;   // HD
  int cache_cap = 0;  // rows per (layer, KV head) in the cache: positions 0..cache_cap-1
};

// For tokens t < rows of a prefill at positions pos0 + t: reads the canonical QKV row
// qkv[t] = [Q (H*HD) | K (KV*HD) | V (KV*HD)] (stride ldq), adds `bias` (canonical order, may be
// null; Q gets it in place), rotates K with RoPE when inv_freq is not null (HD/2 frequencies,
// null for ALiBi models; angle = pos * inv_freq[i], NeoX half split), and writes K and V into the layer's
// cache k_cache/v_cache (KV, cache_cap, HD) at rows pos0 + t. Q is left unrotated (attention rotates it).
void launch_rope_append(bf16* qkv, int ldq, int rows, int pos0, const AttnShape& s, const float* bias,
                        const float* inv_freq, bf16* k_cache, bf16* v_cache, cudaStream_t stream);

// EvictMode::Shift for one layer: cache rows [begin + count, begin + count + moved) of every KV
// head move to [begin, begin + moved); with inv_freq (RoPE), each moved key is rotated back by
// the angle of its old position and on by that of its new one, computed as the append does.
// Runs in rounds of at most `count` rows so that no round reads a row another round wrote.
void launch_kv_shift(bf16* k_cache, bf16* v_cache, const AttnShape& s, int begin, int count, int moved,
                     const float* inv_freq, cudaStream_t stream);

// Deterministic pseudo-random fills (synthetic benchmark weights, made on the device).
// bf16: uniform in [-scale, scale); f32: offset + uniform in [-scale, scale).
void launch_fill_random_bf16(bf16* p, uint64_t n, uint64_t seed, float scale, cudaStream_t stream);
void launch_fill_random_f32(float* p, uint64_t n, uint64_t seed, float offset, float scale,
                            cudaStream_t stream);
// *sink ^= the XOR of every 32-bit word of p (16-byte aligned, bytes a multiple of 16): one
// streaming read of the buffer with 16-byte loads, sm_count * 8 blocks, for the device's read
// ceiling (measure_bus_ceilings). Throws Error(Usage) for a misaligned buffer.
void launch_read_stream(const void* p, uint64_t bytes, uint32_t* sink, int sm_count, cudaStream_t stream);

// ---- gemv.cu ------------------------------------------------------------------------------------
// The decode step's handshake between attention and the down projection (GemvArgs::k_ready):
// attention, once past its wait (the up projection, which wrote gelu(fc1), has completed), stores
// *serial into *flag; the down projection's work on the columns before k_ready spins until it
// reads that value. *serial changes every step, so no reset is needed. With it, attention may
// trigger the down projection as soon as it starts.
struct ReadySignal {
  unsigned* flag = nullptr;
  const int32_t* serial = nullptr;
};

// Batch-1 matrix-vector product y = W x for decode, each warp computing two rows, fp32
// accumulation, with an epilogue per use. W is (n_rows, k) bf16 with row stride ldw.
// Rows [0, split) read xa, rows [split, n_rows) read xb (the two LayerNorms of a 2-LN block).
enum class GemvEpilogue {
  Store,     // out_f32[row] = y + bias[row]                       (logits)
  Residual,  // out_f32[row] += y + bias[row]                      (residual stream)
  QkvUp,     // rows [0, split): canonical QKV, y + bias: Q -> q_out[row] (bf16), K -> RoPE -> k_cache
             // at *pos, V -> v_cache at *pos; rows [split, n): gelu(y + bias) -> h_out[row - split]
};

struct GemvArgs {
  const bf16* w = nullptr;  // (n_rows, k), row stride ldw
  int n_rows = 0, k = 0, ldw = 0;
  const bf16* xa = nullptr;     // (k) bf16
  const bf16* xb = nullptr;     // (k) bf16, for rows >= split (may equal xa)
  int split = -1;               // -1: every row is in region A
  const float* bias = nullptr;  // (n_rows) or null
  float* out_f32 = nullptr;     // Store / Residual
  // QkvUp only:
  bf16* q_out = nullptr;    // (H*HD)
  bf16* h_out = nullptr;    // (n_rows - split)
  bf16* k_cache = nullptr;  // layer's (KV, cache_cap, HD)
  bf16* v_cache = nullptr;
  const int* pos = nullptr;         // device: position of the token being decoded
  const float* inv_freq = nullptr;  // (HD/2) or null when there is no RoPE
  AttnShape shape;
  // Split-K scratch: quantized GEMVs whose k spans several chunks need gemv_quant_split() of the
  // matrix; bf16 GEMVs split k across warps when given gemv_bf16_split(n_rows) (without it they
  // run unsplit). Zero before the first launch (each launch leaves it zero again).
  float* split_ws = nullptr;
  int* split_counters = nullptr;
  int k_segments = 0;  // bf16 with split_ws: 0 = gemv_plan's choice, N = N segments for every pair (tests)
  int q4_chunk = 0;    // int4: columns per work unit, 1024 or 2048 (tests); 0 = gemv_q4_chunk's choice
  // Columns [0, k_ready) of x (xa and xb) need not wait for the previous kernel in the stream:
  // they were written by kernels that completed before it triggered its dependents, and it
  // touches nothing else this launch reads or writes (weights, outputs, split workspace). Work
  // on them starts at once (programmatic dependent launch), reading x through L2 only; only the
  // rest waits. The decode down projection of a parallel block: gelu(fc1) comes from the up
  // projection, while attention (which triggers after its own wait) still writes ctx.
  int k_ready = 0;
  // With ready.flag, the columns before k_ready are read only after the signal (see
  // ReadySignal): then the previous kernel may trigger before its wait.
  ReadySignal ready;
  // Int4 units of 2048 columns on the integer tensor cores (gemv_q4_takes_staged): xa / xb already
  // staged (launch_layernorm_staged, by the previous kernel in the stream); null: each block stages
  // its chunk itself. Other int4 kernels ignore them.
  const StagedX* staged_a = nullptr;
  const StagedX* staged_b = nullptr;
  // Store, one region (split = n_rows): when set, also the largest of each block of 16 rows
  // (block b: rows [16 b, 16 b + 16)) as fmaxf finds it (NaN ignored; NaN or -inf where all
  // are), for the sampler (Backend::last_block_maxima). (ceil(n_rows / 16)) floats.
  float* block_max = nullptr;
};
void launch_gemv(GemvEpilogue epilogue, const GemvArgs& a, cudaStream_t stream);
// Blocks of the bf16 decode GEMV one multiprocessor holds at once: `planned`, the count the
// split plans assume (its Store variant), and `fewest` over the launched variants (2 chunks in
// flight, and the scalar path). For tests: a kernel that grows past the registers of `planned`
// would run fewer warps than its plan was made for.
struct GemvOccupancy {
  int planned = 0, fewest = 0, warps_per_block = 0;
};
GemvOccupancy gemv_occupancy();
// How many k segments the bf16 decode GEMV gives each row pair: 1 unless the pairs make fewer
// than three rounds of the warps the device holds at once (resident_warps) and k is long (the
// down projections); then the count (segments of 4096 elements or more, at most 8) whose items
// best fill their last round. Pure function, for tests.
int gemv_k_segments(int pairs, int k, int resident_warps);
// Where gemv_k_segments gives 1 and no k_ready is set: the pairs of a ragged last round of the
// resident warps, [whole, pairs), are split in `segs` k segments (segs 1: none). Pure, for tests.
struct GemvTail {
  int whole = 0, segs = 1;
};
// Tuning of the split plan (benchmarks: FALCON_GEMV_TAIL_MAX, FALCON_GEMV_TAIL_MIN,
// FALCON_GEMV_ROUND; the defaults are the measured rules).
struct GemvPlanKnobs {
  int tail_max_segs = 4;      // the most segments a ragged last round's pairs get
  int tail_min_elems = 1024;  // and the fewest elements in each
  int round_chunks = 32;      // segments are whole multiples of this many 16-byte chunks (vec)
};
GemvTail gemv_tail_split(int pairs, int k, int resident_warps, const GemvPlanKnobs& kn = {});
// How launch_gemv cuts k, given the split scratch: pairs [0, whole) in one piece, the others in
// `segs` segments of seg_chunks 16-byte chunks (vec; else single elements). forced_segments > 0:
// that many segments for every pair (GemvArgs::k_segments); k_ready: a GemvArgs::k_ready is set
// (no tail split); tail: gemv_tail_split allowed. Pure, for tests.
struct GemvPlan {
  int segs = 1, seg_chunks = 0, whole = 0;
};
GemvPlan gemv_plan(int pairs, int k, bool vec, int forced_segments, bool k_ready, bool tail,
                   int resident_warps, const GemvPlanKnobs& kn = {});
// Queries (and caches) the device's GEMV occupancy, which launch_gemv needs for its split choice:
// call once before capturing a CUDA graph, as prepare_attention.
void prepare_gemv();

// ---- attention.cu ---------------------------------------------------------------------------------
// Causal attention over the KV cache, fp32 softmax statistics, RoPE on Q (when inv_freq) and
// ALiBi (when slopes: score = (q.k + slope[h] * key_pos) / sqrt(HD)) applied inside.
struct AttnArgs {
  AttnShape shape;
  const bf16* q = nullptr;  // token t, head h at q + t*ldq + h*HD (unrotated)
  int ldq = 0;
  const bf16* k_cache = nullptr;  // layer's (KV, cache_cap, HD), keys already rotated
  const bf16* v_cache = nullptr;
  bf16* out = nullptr;  // token t, head h at out + t*ldo + h*HD
  int ldo = 0;
  const float* inv_freq = nullptr;
  // ALiBi slopes (H), already rounded to bf16, or null. As HF builds the ALiBi tensor in bf16,
  // the bias is bf16(slope * key_pos).
  const float* slopes = nullptr;
  // Decode: given a flag, signal it once past the wait for the kernel before (ReadySignal), and
  // let the next kernel start at once; without one, trigger it only after that wait.
  ReadySignal signal;
};
// Prefill: tokens t < rows at positions pos0 + t attend to keys 0 .. pos0 + t.
// Two kernels: mma.sync (every supported shape and device) and, for head_dim 64 on compute
// capability 9.0, wgmma (attention_wgmma.cu). Auto takes wgmma where it can run, unless
// FALCON_PREFILL_ATTN=mma is set (A/B benchmarks); tests name the kernel they check.
enum class PrefillAttnKernel { Auto, Mma, Wgmma };
// Whether the wgmma kernel is built in and can run shape s on the current device.
bool attention_wgmma_usable(const AttnShape& s);
void launch_attention_prefill(const AttnArgs& a, int rows, int pos0, cudaStream_t stream,
                              PrefillAttnKernel kernel = PrefillAttnKernel::Auto);

// Decode (one token, position *pos, keys 0..*pos), split over the keys ("flash decoding"): each
// block reads one KV head's slice once for all the query heads of its group. `workspace` and
// `counters` come from decode_workspace_bytes / decode_counter_count; counters start at zero and
// are left at zero (so the launch can sit in a replayed CUDA graph). max_keys bounds *pos + 1.
struct DecodePlan {
  int splits = 1;      // key slices per KV head (grid.x)
  int row_blocks = 1;  // blocks over the query heads of a group (grid.z)
  int rows_tiles = 1;  // 16-row tiles per block
  int key_warps = 1;   // warps per block that take alternate key tiles
  bool fallback = false;
};
DecodePlan plan_decode_attention(const AttnShape& s, int max_keys, int sm_count);
// How a decode launch splits the keys at the current position: into as many splits as it takes
// for none to hold more than three rounds of tiles for the key warps (12 tiles of 64 keys for
// head_dim <= 64), at most the launch's grid.x, every split with tiles. A short cache is then
// one split that writes the output itself, with no partials and no combine step; a long one
// keeps every block busy.
#ifdef __CUDACC__
#define FALCON_HOST_DEVICE __host__ __device__
#else
#define FALCON_HOST_DEVICE
#endif
struct DecodeSplit {
  int splits = 1;     // blocks with tiles (the rest return at once)
  int per_split = 0;  // tiles per split (the last may have fewer)
};
FALCON_HOST_DEVICE inline DecodeSplit decode_split(int tiles, int grid_splits, int key_warps) {
  DecodeSplit d;
  const int min_tiles = 3 * key_warps;
  const int want = (tiles + min_tiles - 1) / min_tiles;
  d.splits = want < grid_splits ? want : grid_splits;
  if (d.splits < 1) d.splits = 1;
  d.per_split = (tiles + d.splits - 1) / d.splits;
  if (d.per_split > 0) d.splits = (tiles + d.per_split - 1) / d.per_split;  // every split has tiles
  return d;
}
size_t decode_workspace_bytes(const AttnShape& s, const DecodePlan& p);
int decode_counter_count(const AttnShape& s, const DecodePlan& p);
void launch_attention_decode(const AttnArgs& a, const int* pos, const DecodePlan& plan, float* workspace,
                             int* counters, cudaStream_t stream);
// Raises the tensor-core kernels' shared-memory limit for head_dim (launches inside a CUDA graph
// capture cannot do it themselves). Call once before capturing.
void prepare_attention(int head_dim);

// ---- quant.cu (quantize, dequantize) and quant_gemv.cu (decode GEMVs) ----------------------------
// Weight-only quantized matrices (n_rows, k): decode GEMVs read them directly, prefill
// dequantizes one matrix at a time to bf16 for cuBLAS. Both schemes are symmetric:
//  Int8: per output row, scale = max|w_row| / 127 (fp32), q = clamp(rint(w / scale), -127, 127).
//        data: (n_rows, ld) int8, ld = k rounded up to 16, zero padding.
//  Int4: per group of 128 consecutive columns of a row, s = fp16(max|w_group| / 7),
//        q = clamp(rint(w / float(s)), -8, 7), stored as the nibble q + 8. Rows are grouped into
//        16-row tiles laid out as mma.sync m16n8k16 A fragments (see quant.cu); row_of maps each
//        tile row to its matrix row (-1 = padding). In the RoPE region the tile rows r and r + 8
//        are a rotation pair (i, i + HD/2), and no tile mixes rows of the two input regions.
//  Int6 (the output head only): per output row, scale = max|w_row| / 31 (fp32),
//        q = clamp(rint(w / scale), -31, 31), u = q + 32 in 6 bits. data: (n_rows, ld) bytes,
//        ld = 96 per 128 columns (k rounded up to 128; padding u = 32); each 128-column step of a
//        row is a 64-byte plane of low nibbles and a 32-byte plane of the top two bits, laid out
//        for the decode GEMV's lanes (q6_layout.cuh).
// Dequantized value: scale * q (fp32), rounded to bf16 for prefill.
enum class QuantFormat { Int8, Int4, Int6 };

struct QuantMatrix {
  QuantFormat format = QuantFormat::Int8;
  int n_rows = 0, k = 0;
  int split = 0;        // rows [split, n_rows) read the second input (xb); = n_rows when only one
  int headpair_hd = 0;  // int4: head_dim when rows [0, split) are laid out in RoPE pairs, else 0
  int ld = 0;           // int8, int6: bytes per row; int4: k rounded up to 128
  int tiles = 0;        // int4: 16-row tiles
  int tile_split = 0;   // int4: tiles [tile_split, tiles) hold rows >= split
  void* data = nullptr;
  float* scales = nullptr;    // int8, int6: (n_rows)
  __half* gscales = nullptr;  // int4: (tiles * 16, ld / 128)
  int32_t* row_of = nullptr;  // int4: (tiles * 16)
  uint64_t data_bytes() const;
  uint64_t scale_bytes() const;
  uint64_t table_bytes() const;
  uint64_t bytes() const { return data_bytes() + scale_bytes() + table_bytes(); }
  bool per_row() const { return format != QuantFormat::Int4; }  // fp32 scales per row, no tiles
};

// The geometry of a quantized matrix (pointers null): rows [split, n_rows) read xb; headpair_hd
// as above (0 = natural row order).
QuantMatrix plan_quant(QuantFormat f, int n_rows, int k, int split, int headpair_hd);
// Int4 only: the row_of table of `q` (tiles * 16 entries), to upload before quantizing.
std::vector<int32_t> int4_row_table(const QuantMatrix& q);

// Quantizes rows [row0, row0 + rows) of q (rows < 0: to the end) from w, which holds those rows
// (bf16, row stride ldw); q's row_of must already be on the device. Partial ranges: as dequantize,
// in steps of 16 rows.
void launch_quantize(const bf16* w, int ldw, const QuantMatrix& q, cudaStream_t stream, int row0 = 0,
                     int rows = -1);
// out[(r - row0) * ldo + c] = dequantized w[r][c] for rows r in [row0, row0 + rows), c < k.
// Int4 row ranges need natural row order (one region, no RoPE pairs); else the whole matrix.
void launch_dequantize(const QuantMatrix& q, int row0, int rows, bf16* out, int ldo, cudaStream_t stream);
// The split-K scratch the decode GEMV of q needs (all zero when k fits one chunk).
struct GemvSplit {
  uint64_t floats = 0;
  int counters = 0;
};
GemvSplit gemv_quant_split(const QuantMatrix& q);
// The split-K scratch any bf16 decode GEMV of n_rows rows may use.
GemvSplit gemv_bf16_split(int n_rows);
// The decode GEMV of launch_gemv on a quantized matrix: a.w/n_rows/k/ldw/split are taken from q;
// a.split_ws / a.split_counters as gemv_quant_split(q) says.
void launch_gemv_quant(GemvEpilogue epilogue, const GemvArgs& a, const QuantMatrix& q, cudaStream_t stream);
// Columns per work unit of the int4 decode GEMV of a matrix of `tiles` 16-row tiles and k
// columns: 2048 (16 KiB of weights per warp) when that makes three or more waves of the blocks
// the device holds at once (or resident_blocks <= 0: unknown), else 1024. Pure function, for tests.
int gemv_q4_chunk(int tiles, int k, int resident_blocks);
// Queries (and caches) the int4 GEMV's occupancy, which gemv_q4_chunk's choice needs: call once
// before capturing a CUDA graph of an int4 model, as prepare_gemv (otherwise the first launch asks).
void prepare_gemv_quant();
// Whether the decode GEMV of q reads x in 2048-column units on the integer tensor cores, which take
// StagedX (GemvArgs::staged_a / staged_b): int4 where gemv_q4_chunk chooses 2048, unless
// FALCON_Q4_IMMA=0.
bool gemv_q4_takes_staged(const QuantMatrix& q);

}  // namespace falcon::gpu
