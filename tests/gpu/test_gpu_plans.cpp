// The CUDA backend's launch planning, which is host code and needs no GPU (so, unlike the other
// tests in this folder, it runs in CI): how decode attention splits the keys at a position, how
// the bf16 decode GEMV splits k, which unit size the int4 decode GEMV takes, and that the split-K
// scratch the model arena reserves covers every split the launchers may choose. The kernels that follow these
// plans are checked against references on the GPU machine (test_gpu_kernels).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

#include "core/model/gpu_oom_report.h"
#include "core/model/weight_format_name.h"
#include "gpu/bench.h"
#include "gpu/cuda_model.h"
#include "gpu/kernels/kernels.h"
#include "tests/gpu/gpu_test_util.h"

namespace falcon::test {
namespace {

void test_decode_split(Checks& ck) {
  // The rule's own examples: no split over three rounds of the key warps' tiles (12 tiles with
  // 4 key warps) unless the launch has too few blocks, every split with tiles.
  const auto d1 = gpu::decode_split(9, 17, 4), d2 = gpu::decode_split(129, 17, 4),
             d3 = gpu::decode_split(129, 8, 4), d4 = gpu::decode_split(25, 32, 4);
  ck.expect(d1.splits == 1 && d1.per_split == 9, "decode split: 9 tiles (513 keys) -> 1 split of 9");
  ck.expect(d2.splits == 11 && d2.per_split == 12, "decode split: 129 tiles, 17 blocks -> 11 x 12");
  ck.expect(d3.splits == 8 && d3.per_split == 17, "decode split: 129 tiles, 8 blocks -> 8 x 17");
  ck.expect(d4.splits == 3 && d4.per_split == 9, "decode split: 25 tiles -> 3 x 9");
  // Invariants over every case the backend can meet (grid.x <= 32, 2 or 4 key warps).
  int bad = 0;
  std::string first;
  for (int kw : {2, 4})
    for (int grid = 1; grid <= 32; ++grid)
      for (int tiles = 1; tiles <= 600; ++tiles) {
        const auto d = gpu::decode_split(tiles, grid, kw);
        const int needed = (tiles + 3 * kw - 1) / (3 * kw);  // splits of at most three rounds
        const bool ok = d.splits >= 1 && d.splits <= grid && d.per_split >= 1 &&
                        (d.splits - 1) * d.per_split < tiles && d.splits * d.per_split >= tiles &&
                        d.splits <= needed && (d.per_split <= 3 * kw || needed > grid);
        if (!ok && bad++ == 0)
          first = "tiles " + std::to_string(tiles) + " grid " + std::to_string(grid) + " key warps " +
                  std::to_string(kw);
      }
  ck.expect(bad == 0,
            "decode split: 1..grid splits, each with tiles, all tiles covered, none over three "
            "rounds unless the grid caps them, no more than that needs" +
                (bad ? " (first failure: " + first + ")" : std::string()));
}

void test_gemv_k_segments(Checks& ck) {
  const int resident = 132 * 40;  // an H200: 132 SMs x 40 resident GEMV warps
  ck.expect(gpu::gemv_k_segments(2272, 22720, resident) == 4,
            "k segments: Falcon-7B down projection -> 4 (1.72 rounds, ties with 2; 5 at most)");
  ck.expect(gpu::gemv_k_segments(11424, 4544, resident) == 1, "k segments: Falcon-7B QKV + fc1 -> 1");
  ck.expect(gpu::gemv_k_segments(4096, 40960, resident) == 5,
            "k segments: Falcon-40B down projection -> 5 (3.88 rounds)");
  ck.expect(gpu::gemv_k_segments(20992, 8192, resident) == 1,
            "k segments: Falcon-40B QKV + fc1 (four rounds already) -> 1");
  ck.expect(gpu::gemv_k_segments(7424, 74240, resident) == 7,
            "k segments: Falcon-180B down projection -> 7 (9.84 rounds)");
  ck.expect(gpu::gemv_k_segments(100, 100000, resident) == 8, "k segments: at most 8");
  ck.expect(gpu::gemv_k_segments(100, 8000, resident) == 1, "k segments: >= 4096 elements each");
  ck.expect(gpu::gemv_k_segments(0, 4096, resident) == 1 && gpu::gemv_k_segments(10, 4096, 0) == 1,
            "k segments: no pairs or no device -> 1");
  // The rule against its definition, counted independently: under three rounds, the count in
  // [2, min(8, k / 4096)] whose items fill the most of their last round (ties: the larger).
  int wrong = 0;
  std::string first_wrong;
  for (int pairs = 1; pairs < 3 * resident; pairs += 37)
    for (const int k : {4096, 8191, 12288, 22720, 40960, 74240}) {
      int want = 1;
      double best = -1;
      for (int s = 2; s <= std::min(8, k / 4096); ++s) {
        const double rounds = static_cast<double>(pairs) * s / resident;
        const double fill = rounds / std::ceil(rounds - 1e-12);
        if (fill > best - 1e-12) want = s, best = fill;
      }
      if (gpu::gemv_k_segments(pairs, k, resident) != want && wrong++ == 0)
        first_wrong = std::to_string(pairs) + " pairs, k " + std::to_string(k);
    }
  ck.expect(wrong == 0, "k segments: the best-filled last round, on a sweep" +
                            (wrong ? " (first failure: " + first_wrong + ")" : std::string()));
  // The ragged last round (gemv_tail_split): split only where it is under half a round.
  auto tail = [&](int pairs, int k, int whole, int segs) {
    const gpu::GemvTail t = gpu::gemv_tail_split(pairs, k, resident);
    return t.segs == segs && (segs == 1 || t.whole == whole);
  };
  ck.expect(tail(11424, 4544, 10560, 4),
            "tail split: Falcon-7B QKV + fc1 (2 rounds + 864 pairs) -> last 864 in 4");
  ck.expect(tail(20992, 8192, 0, 1), "tail split: Falcon-40B QKV + fc1 (3 rounds + 5152 pairs) -> none");
  ck.expect(tail(37632, 14848, 36960, 4), "tail split: Falcon-180B QKV + fc1 (7 rounds + 672 pairs) -> 4");
  ck.expect(tail(5280 + 2000, 8192, 5280, 2),
            "tail split: 2000 pairs past a round -> 2 (as many as fill it)");
  ck.expect(tail(5000, 4544, 0, 1) && tail(10560, 4544, 0, 1),
            "tail split: under one round, or whole rounds -> none");
  ck.expect(tail(11424, 1000, 0, 1), "tail split: k under 2048 -> none");
  ck.expect(gpu::gemv_tail_split(11424, 4544, 0).segs == 1, "tail split: occupancy unknown -> none");
  // The whole plan (gemv_plan): which pairs are split, in how many segments of how many chunks.
  auto plan = [&](int pairs, int k, int forced, bool k_ready, bool allow_tail, int segs, int seg_chunks,
                  int whole) {
    const gpu::GemvPlan p = gpu::gemv_plan(pairs, k, true, forced, k_ready, allow_tail, resident);
    return p.segs == segs && p.seg_chunks == seg_chunks && p.whole == whole;
  };
  ck.expect(plan(2272, 22720, 0, true, true, 4, 736, 0),
            "plan: Falcon-7B down projection -> every pair in 4 segments of 736 chunks");
  ck.expect(plan(4096, 40960, 0, true, true, 5, 1024, 0),
            "plan: Falcon-40B down projection -> every pair in 5 segments of 1024 chunks");
  ck.expect(plan(2272, 22720, 0, false, true, 4, 736, 0) && plan(2272, 22720, 0, false, false, 4, 736, 0),
            "plan: the down projection's split does not depend on the tail switch");
  ck.expect(plan(11424, 4544, 0, false, true, 4, 160, 10560),
            "plan: Falcon-7B QKV + fc1 -> its last 864 pairs in 4 segments of 160 chunks");
  ck.expect(
      plan(11424, 4544, 0, false, false, 1, 568, 11424) && plan(11424, 4544, 0, true, true, 1, 568, 11424),
      "plan: tail split off, or k_ready set -> no pair split");
  ck.expect(plan(20992, 8192, 0, false, true, 1, 1024, 20992), "plan: Falcon-40B QKV + fc1 -> no pair split");
  ck.expect(plan(11424, 4544, 2, false, true, 2, 288, 0), "plan: 2 segments forced -> every pair in 2");
  ck.expect(plan(64, 4544, 8, false, true, 6, 96, 0),
            "plan: 8 forced on 568 chunks -> 6 (whole 32-chunk blocks)");
  ck.expect(plan(64, 4544, 12, false, true, 6, 96, 0), "plan: forced counts over 8 -> 8");
  gpu::GemvPlanKnobs old_round;  // the knobs: session 13's blocks of 128 chunks
  old_round.round_chunks = 128;
  const gpu::GemvPlan p128 = gpu::gemv_plan(11424, 4544, true, 0, false, true, resident, old_round);
  ck.expect(p128.segs == 3 && p128.seg_chunks == 256 && p128.whole == 10560,
            "plan: blocks of 128 chunks -> the tail in 3 segments of 256");
  gpu::GemvPlanKnobs wide_tail;
  wide_tail.tail_max_segs = 8;
  wide_tail.tail_min_elems = 512;
  const gpu::GemvTail t6 = gpu::gemv_tail_split(11424, 4544, resident, wide_tail);
  ck.expect(t6.segs == 6 && t6.whole == 10560, "tail split: up to 8 of 512 elements -> 6 (5280 / 864)");
  // The arena's scratch (gemv_bf16_split) holds the partials of any split of any region layout.
  int bad = 0;
  for (int n = 1; n <= 70000; n += n < 100 ? 1 : 97) {
    const gpu::GemvSplit s = gpu::gemv_bf16_split(n);
    for (int split = 0; split <= n; split += std::max(1, n / 7)) {
      const int pairs = (split + 1) / 2 + (n - split + 1) / 2;  // the most pairs a layout gives
      if (static_cast<uint64_t>(pairs) * 8 * 2 > s.floats || pairs > s.counters) ++bad;
    }
  }
  ck.expect(bad == 0, "bf16 split scratch covers 8 segments of every row layout");
}

void test_gemv_q4_chunk(Checks& ck) {
  const int resident =
      132 * 5;  // an H200: 132 SMs x 5 resident int4 GEMV blocks (82 registers, to session 14)
  // Blocks of 16 KiB units = ceil(tiles / 4) x ceil(k / 2048); three waves (1980) or more keep them.
  ck.expect(gpu::gemv_q4_chunk(2624, 8192, resident) == 2048,
            "int4 units: Falcon-40B QKV + fc1 (4.0 waves) -> 2048");
  ck.expect(gpu::gemv_q4_chunk(512, 40960, resident) == 2048,
            "int4 units: Falcon-40B down (3.9 waves) -> 2048");
  ck.expect(gpu::gemv_q4_chunk(1428, 4544, resident) == 1024,
            "int4 units: Falcon-7B QKV + fc1 (1.6 waves) -> 1024");
  ck.expect(gpu::gemv_q4_chunk(284, 22720, resident) == 1024,
            "int4 units: Falcon-7B down (1.3 waves) -> 1024");
  ck.expect(
      gpu::gemv_q4_chunk(7920, 2048, resident) == 2048 && gpu::gemv_q4_chunk(7916, 2048, resident) == 1024,
      "int4 units: the boundary is exactly three waves (1980 blocks)");
  // Since session 15 the kernel has 80 registers: 6 blocks per SM (792) on the H200; the rule
  // queries the device, and the real shapes keep their unit sizes there too.
  ck.expect(
      gpu::gemv_q4_chunk(2624, 8192, 132 * 6) == 2048 && gpu::gemv_q4_chunk(512, 40960, 132 * 6) == 2048 &&
          gpu::gemv_q4_chunk(1428, 4544, 132 * 6) == 1024 && gpu::gemv_q4_chunk(284, 22720, 132 * 6) == 1024,
      "int4 units at 6 blocks per SM: Falcon-40B 2048 (3.3 and 3.2 waves), Falcon-7B 1024");
  ck.expect(gpu::gemv_q4_chunk(0, 4096, resident) == 1024, "int4 units: no tiles -> 1024");
  ck.expect(gpu::gemv_q4_chunk(100, 4096, 0) == 2048, "int4 units: occupancy unknown -> 2048");
  // The split scratch (gemv_quant_split) holds the partials of either unit size.
  int bad = 0;
  for (const int k : {128, 1024, 2048, 4544, 8192, 22720}) {
    const gpu::QuantMatrix q = gpu::plan_quant(gpu::QuantFormat::Int4, 300, k, 300, 0);
    const gpu::GemvSplit s = gpu::gemv_quant_split(q);
    const int chunks = (q.ld + 1023) / 1024;
    if (chunks > 1 && (static_cast<uint64_t>(q.tiles) * chunks * 16 > s.floats || q.tiles > s.counters))
      ++bad;
  }
  ck.expect(bad == 0, "int4 split scratch covers units of 1024 columns");
}

// CudaBackend's out-of-memory message is host code: what it says fits must fit by the model's own
// layout (layout_model, the sizes the backend allocates), and what it says is too much must be.
void test_oom_message(Checks& ck) {
  constexpr uint64_t kGiB = 1ull << 30;
  const auto inputs = [](const ModelConfig& c, WeightFormat w, std::optional<WeightFormat> head = {}) {
    return gpu::LayoutInputs{"test GPU", c, w, head, 2048, 0, 0};
  };
  // Bytes the backend would ask for with `head` (what it loads: CudaBackendOptions::head_weights, or
  // when unset int6 beside int4 layers and bf16 otherwise), without the CUDA context margin.
  const auto need_of = [](const gpu::LayoutInputs& in, WeightFormat w, WeightFormat head, int capacity,
                          gpu::DeviceModel* plan) {
    const gpu::Dims d = gpu::make_dims(in.config, capacity, in.max_batch_tokens, w, head);
    return gpu::layout_model(in.config, d, in.attn_ws_bytes, in.attn_counters, nullptr, plan);
  };
  const auto has = [](const std::string& m, const std::string& part) {
    return m.find(part) != std::string::npos;
  };
  constexpr WeightFormat kBf16 = WeightFormat::Bf16, kInt8 = WeightFormat::Int8, kInt4 = WeightFormat::Int4,
                         kInt6 = WeightFormat::Int6;
  const ModelConfig c180 = gpu::synthetic_config("180b"), rw = gpu::synthetic_config("rw-1b"),
                    c40 = gpu::synthetic_config("40b");
  {  // Falcon-180B bf16: int8 does not fit 139 GiB, int4 does; nothing fits 80 GiB.
    const gpu::LayoutInputs in = inputs(c180, kBf16);
    gpu::DeviceModel plan;
    const uint64_t need = need_of(in, kBf16, kBf16, 2048, &plan);
    const uint64_t n8 = need_of(in, kInt8, kBf16, 2048, nullptr) + gpu::kCudaContextMargin;
    const uint64_t n4 = need_of(in, kInt4, kInt6, 2048, nullptr) + gpu::kCudaContextMargin;
    const std::string m = gpu::out_of_memory_message(in, plan, need, 139 * kGiB, 140 * kGiB);
    ck.expect(n8 > 139 * kGiB && n4 <= 139 * kGiB &&
                  has(m, "int4 weights would need " + gpu::gib_text(n4) + " and fit") &&
                  !has(m, "int8 weights") && !has(m, "KV cache of up to") &&
                  has(m, "needs " + gpu::gib_text(need + gpu::kCudaContextMargin)) &&
                  has(m, "weights " + gpu::gib_text(plan.weight_bytes)),
              "oom message, 180b bf16 on 139 GiB: the total, the weights, int4 fits (" + m + ")");
    const std::string s = gpu::out_of_memory_message(in, plan, need, 80 * kGiB, 80 * kGiB);
    ck.expect(n4 > 80 * kGiB && has(s, "; even int4 weights would need " + gpu::gib_text(n4)) &&
                  !has(s, "and fit") && !has(s, "KV cache of up to"),
              "oom message, 180b bf16 on 80 GiB: even int4 is too much (" + s + ")");
    // The app reads these messages back to say them in the user's language.
    const auto back = parse_gpu_oom_text(m), back_s = parse_gpu_oom_text(s);
    ck.expect(back && back->fit_format == "int4" && back->device == "test GPU" &&
                  back->cache_tokens == 2048 && back_s && back_s->fit_format.empty() &&
                  back_s->smallest_format == "int4" && gib_text(back_s->smallest_need) == gib_text(n4),
              "oom messages read back (parse_gpu_oom_text)");
  }
  {  // Falcon-40B int8 with an 8192-token cache on 30 GiB: only int4 is smaller, and it fits.
    const gpu::LayoutInputs in = inputs(c40, kInt8);
    gpu::DeviceModel plan;
    const uint64_t need = need_of(in, kInt8, kBf16, 8192, &plan);
    const uint64_t n4 = need_of(in, kInt4, kInt6, 8192, nullptr) + gpu::kCudaContextMargin;
    const std::string m = gpu::out_of_memory_message(in, plan, need, 30 * kGiB, 80 * kGiB);
    ck.expect(n4 <= 30 * kGiB && has(m, "int4 weights would need " + gpu::gib_text(n4) + " and fit") &&
                  !has(m, "int8 weights"),
              "oom message, 40b int8 on 30 GiB: int4 fits (" + m + ")");
  }
  {  // Falcon-40B bf16 (its head tied to the embedding): an int4 load takes an int6 head of its own
     // beside the bf16 embedding unless a head format was asked for, so the suggestion is sized with
     // the head that would be loaded. Free memory between the two sizes tells them apart.
    const gpu::LayoutInputs in = inputs(c40, kBf16), in_bf16_head = inputs(c40, kBf16, kBf16);
    gpu::DeviceModel plan;
    const uint64_t need = need_of(in, kBf16, kBf16, 2048, &plan);
    const uint64_t n4_bf16 = need_of(in, kInt4, kBf16, 2048, nullptr) + gpu::kCudaContextMargin;
    const uint64_t n4_int6 = need_of(in, kInt4, kInt6, 2048, nullptr) + gpu::kCudaContextMargin;
    const uint64_t free_b = n4_bf16 + (n4_int6 - n4_bf16) / 2;
    const std::string m = gpu::out_of_memory_message(in, plan, need, free_b, 80 * kGiB);
    ck.expect(n4_int6 > n4_bf16 + kGiB / 4 &&
                  has(m, "even int4 weights would need " + gpu::gib_text(n4_int6)) && !has(m, "and fit"),
              "oom message, 40b bf16, no head format asked: int4 sized with its int6 head (" + m + ")");
    const std::string b = gpu::out_of_memory_message(in_bf16_head, plan, need, free_b, 80 * kGiB);
    ck.expect(
        has(b, "int4 weights would need " + gpu::gib_text(n4_bf16) + " and fit"),
        "oom message, 40b bf16 with --head-weights bf16: int4 keeps the bf16 head and fits (" + b + ")");
  }
  {  // RW-1B with a 16M-token cache: the largest cache (a multiple of 64) that fits beside the weights.
    const gpu::LayoutInputs in = inputs(rw, kBf16);
    gpu::DeviceModel plan;
    const uint64_t need = need_of(in, kBf16, kBf16, 1 << 24, &plan), free_b = 139 * kGiB;
    const std::string m = gpu::out_of_memory_message(in, plan, need, free_b, 140 * kGiB);
    const std::string key = "a KV cache of up to ";
    const size_t at = m.find(key);
    const int n = at == std::string::npos ? 0 : std::atoi(m.c_str() + at + key.size());
    const auto fits = [&](int tokens) {
      return need_of(in, kBf16, kBf16, tokens, nullptr) + gpu::kCudaContextMargin <= free_b;
    };
    const auto back = parse_gpu_oom_text(m);
    ck.expect(back && back->fit_cache_tokens == n, "oom message with a cache that fits, read back");
    ck.expect(n >= 64 && n % 64 == 0 && fits(n) && !fits(n + 64) && !has(m, "weights would need"),
              "oom message, rw-1b with a 16M-token cache: the largest cache that fits, " + std::to_string(n) +
                  " tokens (" + m + ")");
  }
}

// The output head in its own format: the layout holds exactly that head's bytes (Falcon-40B ties
// its head to the embedding table, so a bf16 head costs nothing extra and a quantized one its own
// matrix), the staging buffer exists for it even with bf16 layers, and the layers keep theirs.
void test_head_formats(Checks& ck) {
  const ModelConfig c = gpu::synthetic_config("40b");
  const auto layout = [&](WeightFormat w, WeightFormat head, gpu::DeviceModel* m) {
    return gpu::layout_model(c, gpu::make_dims(c, 2048, 2048, w, head), 0, 0, nullptr, m);
  };
  const uint64_t V = static_cast<uint64_t>(c.vocab_size), D = static_cast<uint64_t>(c.hidden_size);
  gpu::DeviceModel plain, h8, h6, h4, bf_h8, bf;
  layout(WeightFormat::Int4, WeightFormat::Bf16, &plain);
  layout(WeightFormat::Int4, WeightFormat::Int8, &h8);
  layout(WeightFormat::Int4, WeightFormat::Int6, &h6);
  layout(WeightFormat::Int4, WeightFormat::Int4, &h4);
  layout(WeightFormat::Bf16, WeightFormat::Int8, &bf_h8);
  layout(WeightFormat::Bf16, WeightFormat::Bf16, &bf);
  ck.expect(c.tie_word_embeddings && !plain.d.quant_head,
            "40b int4, bf16 head: the head is the embedding table");
  ck.expect(h8.d.quant_head && h8.q_head.format == gpu::QuantFormat::Int8 &&
                h8.weight_bytes - plain.weight_bytes == V * D + V * 4,
            "40b int4 + int8 head: one byte a weight and a float scale a row more");
  // int6: 96 bytes per 128 columns (the row rounded up to whole 128-column steps), a float a row.
  ck.expect(h6.d.quant_head && h6.q_head.format == gpu::QuantFormat::Int6 &&
                h6.weight_bytes - plain.weight_bytes == V * ((D + 127) / 128 * 96) + V * 4 &&
                h6.q_head.bytes() < h8.q_head.bytes() && h6.q_head.bytes() > h4.q_head.bytes(),
            "40b int4 + int6 head: 6 bits a weight and a float scale a row more, between int4 and int8");
  ck.expect(h4.q_head.format == gpu::QuantFormat::Int4 &&
                h4.weight_bytes - plain.weight_bytes == h4.q_head.bytes() &&
                h4.q_head.bytes() < h8.q_head.bytes(),
            "40b int4 + int4 head: the int4 head's bytes, fewer than int8's");
  ck.expect(h8.layers[0].q[gpu::kUp].format == gpu::QuantFormat::Int4,
            "the layers stay int4 beside an int8 head");
  ck.expect(bf_h8.layers[0].q[gpu::kUp].n_rows == 0 && bf_h8.deq_elems > 0 && bf.deq_elems == 0 &&
                bf_h8.weight_bytes - bf.weight_bytes == V * D + V * 4,
            "bf16 layers + int8 head: bf16 layer matrices, a staging buffer for the head");
}

// layout_model's counting pass (base == nullptr: the size the backend allocates and the
// out-of-memory check uses) must count every byte its carving pass lays out, and every region must
// end inside the allocation: a region decided by a pointer the counting pass leaves null (session
// 23: the second cuBLAS workspace, keyed on xb) was laid out past the arena's end.
void test_layout_counts_what_it_carves(Checks& ck) {
  char* const base = reinterpret_cast<char*>(uintptr_t{1} << 40);  // never dereferenced
  int bad = 0;
  std::string first;
  for (const char* shape : {"7b", "40b", "180b", "11b", "rw-1b"}) {
    const ModelConfig c = gpu::synthetic_config(shape);
    for (WeightFormat w : {WeightFormat::Bf16, WeightFormat::Int8, WeightFormat::Int4}) {
      const gpu::Dims d = gpu::make_dims(c, 4096, 2048, w, w);
      gpu::DeviceModel counted, laid;
      const uint64_t n = gpu::layout_model(c, d, 1 << 20, 64, nullptr, &counted);
      const uint64_t m = gpu::layout_model(c, d, 1 << 20, 64, base, &laid);
      const auto inside = [&](const void* p, uint64_t bytes) {
        const char* q = static_cast<const char*>(p);
        return q >= base && q + bytes <= base + m;
      };
      const uint64_t ch = static_cast<uint64_t>(d.chunk);
      const bool ok = n == m && inside(laid.blas_ws, laid.blas_ws_bytes) &&
                      (laid.side_blas_ws == nullptr || inside(laid.side_blas_ws, laid.blas_ws_bytes)) &&
                      (laid.side_blas_ws != nullptr) == (laid.xb != nullptr) &&
                      inside(laid.x, ch * d.dim * 4) && inside(laid.act, ch * d.act_ld * 2) &&
                      (laid.xb == nullptr || inside(laid.xb, ch * d.xn_ld * 2)) &&
                      inside(laid.layers.back().k_cache, 1);
      if (!ok && bad++ == 0)
        first = std::string(shape) + " " + weight_format_name(w) + ": counted " + std::to_string(n) +
                " laid out " + std::to_string(m);
    }
  }
  ck.expect(bad == 0, "layout_model counts exactly what it lays out, every scratch region inside (" +
                          (bad ? first : std::string("all shapes and formats")) + ")");
}

}  // namespace
}  // namespace falcon::test

int main() {
  using namespace falcon::test;
  Checks ck;
  test_decode_split(ck);
  test_gemv_k_segments(ck);
  test_gemv_q4_chunk(ck);
  test_oom_message(ck);
  test_head_formats(ck);
  test_layout_counts_what_it_carves(ck);
  return ck.finish("test_gpu_plans");
}
