// Weight-only int8/int4 and the int6 head (gpu/kernels/quant*.cu, CudaBackend with WeightFormat
// int8/int4 layers and int8/int6/int4 heads). The int6 kernels run every case the int8 ones do.
//
// Kernels, against a CPU implementation of the same scheme written here from the definition in
// gpu/kernels/kernels.h:
//  - quantize -> dequantize equals the CPU reference value for every element (ties at exactly
//    .5 may round either way: at most 1 in 10^4 elements may differ, by one step), and every
//    element is within half a quantization step of the bf16 weight (+ bf16 rounding);
//  - partial row ranges (the lm_head path) equal the whole-matrix result;
//  - the decode GEMV (Store / Residual) equals the fp64 product of the CPU-dequantized matrix
//    within 1e-3 of sum |w x|, also for x of magnitude 3e5 and 1e-6 and for one outlier among
//    small values (the int8 path feeds x to the tensor cores as scaled fp16), and for k over
//    several chunks (split-K), launched on a stream of its own as in the backend;
//  - GemvArgs::k_ready and the ReadySignal: the result is exact while a predecessor still writes
//    x (pdl_late_writer.cuh), and told a lie or not given the signal the GEMV reads its NaN;
//  - the fused QKV/RoPE/cache/GELU epilogue on the quantized matrix equals the bf16 GEMV on the
//    dequantized matrix (2e-2 of the largest value).
// Backend, on every HF fixture, the bundled model and random checkpoints of real head sizes:
//  - the same quantized model through the prefill path (dequantize + cuBLAS) and the decode
//    path (quantized GEMV, CUDA graph) gives the same logits (2e-2) - the two layouts agree;
//  - the logit error against bf16 and the top-1 agreement over a 24-token greedy run are
//    printed (docs/BENCHMARKS.md records them) and bounded loosely: int8 agreement >= 0.75.
#include <cuda_runtime.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/model/weight_format_name.h"
#include "gpu/cuda_backend.h"
#include "gpu/cuda_check.h"
#include "gpu/kernels/kernels.h"
#include "tests/common/quant_reference.h"
#include "tests/gpu/gpu_test_util.h"
#include "tests/gpu/pdl_late_writer.cuh"

namespace falcon::test {
namespace {

using gpu::QuantFormat;
using gpu::QuantMatrix;

float bf16_bits_to_float(uint16_t b) {
  uint32_t u = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

using testref::RefQuant;

RefQuant ref_quantize(const std::vector<float>& w, int n, int k, QuantFormat f) {
  return testref::ref_quantize(w, n, k,
                               f == QuantFormat::Int4   ? testref::RefScheme::Int4
                               : f == QuantFormat::Int6 ? testref::RefScheme::Int6
                                                        : testref::RefScheme::Int8);
}

template <class T>
struct Dev {
  T* p = nullptr;
  explicit Dev(size_t n) { FALCON_CUDA_CHECK(cudaMalloc(&p, std::max<size_t>(n, 1) * sizeof(T))); }
  ~Dev() { cudaFree(p); }
  Dev(const Dev&) = delete;
  Dev& operator=(const Dev&) = delete;
  void put(const std::vector<T>& v) {
    FALCON_CUDA_CHECK(cudaMemcpy(p, v.data(), v.size() * sizeof(T), cudaMemcpyHostToDevice));
  }
  std::vector<T> get(size_t n) const {
    std::vector<T> v(n);
    FALCON_CUDA_CHECK(cudaMemcpy(v.data(), p, n * sizeof(T), cudaMemcpyDeviceToHost));
    return v;
  }
};

struct Case {
  int n, k, split, hd;  // hd > 0: rows [0, split) are QKV heads of hd rows with RoPE pairs
  int heads, kv;
};

struct QuantOnDevice {
  QuantMatrix q;
  std::unique_ptr<Dev<char>> data, scales, table, split_ws, split_counters;
  QuantOnDevice(QuantFormat f, const Case& c) {
    q = gpu::plan_quant(f, c.n, c.k, c.split, f == QuantFormat::Int4 ? c.hd : 0);
    data = std::make_unique<Dev<char>>(q.data_bytes());
    scales = std::make_unique<Dev<char>>(q.scale_bytes());
    q.data = data->p;
    if (q.per_row()) {
      q.scales = reinterpret_cast<float*>(scales->p);
    } else {
      q.gscales = reinterpret_cast<__half*>(scales->p);
      table = std::make_unique<Dev<char>>(q.table_bytes());
      q.row_of = reinterpret_cast<int32_t*>(table->p);
      const std::vector<int32_t> t = gpu::int4_row_table(q);
      FALCON_CUDA_CHECK(cudaMemcpy(q.row_of, t.data(), t.size() * 4, cudaMemcpyHostToDevice));
    }
    const gpu::GemvSplit sp = gpu::gemv_quant_split(q);
    split_ws = std::make_unique<Dev<char>>(sp.floats * 4);
    split_counters = std::make_unique<Dev<char>>(size_t(std::max(sp.counters, 1)) * 4);
    FALCON_CUDA_CHECK(cudaMemset(split_counters->p, 0, size_t(std::max(sp.counters, 1)) * 4));
  }
  // The split-K scratch of q's decode GEMV, into a.
  void use(gpu::GemvArgs& a) const {
    a.split_ws = reinterpret_cast<float*>(split_ws->p);
    a.split_counters = reinterpret_cast<int*>(split_counters->p);
  }
};

// The GEMVs run on pdl_stream() (pdl_late_writer.cuh), as in the backend.

std::vector<float> to_floats(const std::vector<uint16_t>& b) {
  std::vector<float> f(b.size());
  for (size_t i = 0; i < b.size(); ++i) f[i] = bf16_bits_to_float(b[i]);
  return f;
}

// A check's name suffix for GemvArgs::q4_chunk (0: the launcher's choice, no suffix).
std::string units_name(int q4_chunk) {
  return q4_chunk ? " (units of " + std::to_string(q4_chunk) + " columns)" : "";
}

void run_case(Checks& ck, QuantFormat f, const Case& c, std::mt19937& rng) {
  const std::string name = std::string(f == QuantFormat::Int8   ? "int8 "
                                       : f == QuantFormat::Int6 ? "int6 "
                                                                : "int4 ") +
                           std::to_string(c.n) + "x" + std::to_string(c.k) + (c.hd ? " rope-pairs" : "") +
                           ": ";
  std::normal_distribution<float> nd(0.f, 1.f);
  std::vector<uint16_t> wb(size_t(c.n) * c.k);
  for (size_t i = 0; i < wb.size(); ++i) wb[i] = to_bf16_bits(0.05f * nd(rng));
  for (int col = 0; col < c.k; ++col) wb[size_t(1) * c.k + col] = 0;  // an all-zero row
  wb[size_t(2) * c.k + c.k / 2] = to_bf16_bits(3.f);                  // an outlier
  const std::vector<float> w = to_floats(wb);
  const RefQuant ref = ref_quantize(w, c.n, c.k, f);

  Dev<uint16_t> dw(wb.size());
  dw.put(wb);
  QuantOnDevice qd(f, c);
  gpu::launch_quantize(reinterpret_cast<const gpu::bf16*>(dw.p), c.k, qd.q, nullptr);
  Dev<uint16_t> dd(wb.size());
  gpu::launch_dequantize(qd.q, 0, c.n, reinterpret_cast<gpu::bf16*>(dd.p), c.k, nullptr);
  FALCON_CUDA_CHECK(cudaDeviceSynchronize());
  const std::vector<float> deq = to_floats(dd.get(wb.size()));
  size_t differ = 0, outside = 0;
  for (size_t i = 0; i < w.size(); ++i) {
    const float expect = bf16_round(ref.deq[i]);
    if (deq[i] != expect) {
      ++differ;
      if (std::fabs(deq[i] - expect) > ref.step[i] * 1.001f + std::fabs(expect) * 0.008f) ++outside;
    }
    if (std::fabs(deq[i] - w[i]) > 0.5f * ref.step[i] * 1.001f + std::fabs(w[i]) * 0.008f + 1e-30f) ++outside;
  }
  ck.expect(outside == 0 && differ * 10000 <= w.size(),
            name + "dequantized = CPU reference (" + std::to_string(differ) + " ties differ, " +
                std::to_string(outside) + " outside the error bound)");

  // Partial rows (natural order only): the lm_head path quantizes and dequantizes in slices.
  if (c.split == c.n && c.hd == 0 && c.n > 48) {
    QuantOnDevice q2(f, c);
    for (int r0 = 0; r0 < c.n; r0 += 32) {
      const int rows = std::min(32, c.n - r0);
      gpu::launch_quantize(reinterpret_cast<const gpu::bf16*>(dw.p) + size_t(r0) * c.k, c.k, q2.q, nullptr,
                           r0, rows);
    }
    Dev<uint16_t> d2(size_t(16) * c.k);
    gpu::launch_dequantize(q2.q, 32, 16, reinterpret_cast<gpu::bf16*>(d2.p), c.k, nullptr);
    FALCON_CUDA_CHECK(cudaDeviceSynchronize());
    const std::vector<float> part = to_floats(d2.get(size_t(16) * c.k));
    ck.expect(std::equal(part.begin(), part.end(), deq.begin() + size_t(32) * c.k),
              name + "quantized in 32-row slices, rows 32..47 dequantized alone = whole matrix");
  }

  // GEMV, Store and Residual epilogues, x random bf16.
  std::vector<uint16_t> xb(c.k);
  for (auto& v : xb) v = to_bf16_bits(nd(rng));
  std::vector<float> bias(c.n), base(c.n);
  for (int i = 0; i < c.n; ++i) bias[i] = 0.1f * nd(rng), base[i] = nd(rng);
  Dev<uint16_t> dx(c.k), dsrc(c.k);
  Dev<float> dbias(c.n), dout(c.n);
  Dev<unsigned> flag(1);
  Dev<int32_t> serial(1);
  flag.put({0u});
  int32_t step = 0;
  dbias.put(bias);
  // x_mag != 1: no bias (its rounding would hide errors in a tiny product) and an absolute floor
  // that scales with x. late >= 0: GemvArgs::k_ready = late (k with `lie`), x[late, k) NaN until
  // a predecessor that lets the GEMV start at once writes it after 200 us (pdl_late_writer.cuh).
  // sig 1 / 2: all of x NaN until the signal writer writes x[0, late) after 100 us, signals, and
  // writes the rest 100 us later; the GEMV gets the ReadySignal (1) or not (2: reads the NaN).
  // sig 3: the GEMV gets the signal, which never comes (it falls back to the writer's end).
  // int4: both unit sizes (gemv_q4_chunk picks by shape; these small matrices would get 1024).
  const std::vector<int> q4_chunks =
      f == QuantFormat::Int4 ? std::vector<int>{1024, 2048} : std::vector<int>{0};
  int q4_chunk = 0;
  // Store over one region in natural row order (an output head): GemvArgs::block_max too.
  const bool maxima = c.split == c.n && c.hd == 0;
  Dev<float> dmax((c.n + 15) / 16);
  auto check_gemv = [&](const std::vector<uint16_t>& xbits, bool residual, const std::string& what_in,
                        double x_mag = 1.0, int late = -1, bool lie = false, int sig = 0) {
    const bool with_bias = x_mag == 1.0;
    const std::string what = what_in + units_name(q4_chunk);
    const std::vector<float> x = to_floats(xbits);
    std::vector<uint16_t> xput = xbits;
    if (late >= 0) {
      dsrc.put(xbits);
      std::fill(xput.begin() + (sig ? 0 : late), xput.end(), uint16_t{0xffff});  // NaN
      serial.put({++step});
    }
    dx.put(xput);
    dout.put(base);
    gpu::GemvArgs a;
    a.xa = reinterpret_cast<const gpu::bf16*>(dx.p);
    a.bias = with_bias ? dbias.p : nullptr;
    a.out_f32 = dout.p;
    a.k_ready = late < 0 ? 0 : lie ? c.k : late;
    if (sig == 1 || sig == 3) a.ready = {flag.p, serial.p};
    a.q4_chunk = q4_chunk;
    qd.use(a);
    if (maxima && !residual) {
      a.block_max = dmax.p;
      FALCON_CUDA_CHECK(
          cudaMemset(dmax.p, 0xff, size_t(c.n + 15) / 16 * 4));  // NaN: a block not written fails
    }
    FALCON_CUDA_CHECK(cudaDeviceSynchronize());  // the copies above ran on the legacy stream
    if (late >= 0 && sig)
      launch_signal_writer(dx.p, dsrc.p, late, c.k, flag.p, serial.p, hold_us(size_t(c.n) * c.k, 100),
                           hold_us(size_t(c.n) * c.k, 100), pdl_stream(), sig != 3);
    else if (late >= 0)
      launch_late_writer(dx.p, dsrc.p, late, c.k, hold_us(size_t(c.n) * c.k, 200), pdl_stream());
    gpu::launch_gemv_quant(residual ? gpu::GemvEpilogue::Residual : gpu::GemvEpilogue::Store, a, qd.q,
                           pdl_stream());
    FALCON_CUDA_CHECK(cudaStreamSynchronize(pdl_stream()));
    const std::vector<float> y = dout.get(c.n);
    if (a.block_max) {
      std::string why;
      const bool same =
          block_maxima_match(y, dmax.get(size_t(c.n + 15) / 16).data(), &why);  // sets why first
      ck.expect(same, name + what + ": block maxima: " + why);
    }
    if (lie || sig == 2) {
      expect_read_early(ck, y,
                        name + what +
                            (lie ? ": told k_ready = k, every row read the NaN columns"
                                 : ": without the signal, every row read the early NaN"));
      return;
    }
    double worst = 0;
    for (int r = 0; r < c.n; ++r) {
      double dot = 0, mag = 0, zp = 0;
      for (int col = 0; col < c.k; ++col) {
        const size_t i = size_t(r) * c.k + col;
        const double t = double(ref.deq[i]) * x[col];
        dot += t;
        mag += std::fabs(t);
        zp += 8.0 * ref.step[i] * std::fabs(x[col]);
      }
      const double expect = dot + (with_bias ? bias[r] : 0.0) + (residual ? base[r] : 0.0);
      // Int4's fast form sums the nibbles u (weight u - 8) times x in fp32 and takes 8 times the
      // group's sum of x off after: a cancellation of terms as large as zp (8 scale |x| summed),
      // whose fp32 rounding is a fixed fraction of zp however small the row's own |w x| are (a
      // group of near-zero weights beside an outlier). 2^-18 of zp, 64 fp32 ulps of it: on the
      // H200 (session 23) the worst of these checks used a tenth of the whole bound.
      const double zp_term = f == QuantFormat::Int4 ? zp * 0x1p-18 : 0.0;
      const double err = std::fabs(y[r] - expect) / (1e-3 * mag + 1e-5 * x_mag + zp_term);
      worst = std::isfinite(y[r]) ? std::max(worst, err) : INFINITY;
    }
    ck.expect(worst <= 1.0,
              name + what + fmt(" = fp64 product of the reference (worst error %.2f of the bound)", worst));
  };
  for (const int chunk : q4_chunks) {
    q4_chunk = chunk;
    check_gemv(xb, false, "GEMV store");
    check_gemv(xb, true, "GEMV residual");
    // Inputs far from 1: the int8 path feeds x to the tensor cores as fp16 (largest 65504, normal
    // down to 6e-5) after a power-of-two scale; without it these overflow or lose their digits.
    for (const double mag : {3e5, 1e-6}) {
      std::vector<uint16_t> xm(c.k);
      for (auto& v : xm) v = to_bf16_bits(static_cast<float>(mag * nd(rng)));
      check_gemv(xm, false, fmt("GEMV store, |x| ~ %.0e", mag), mag);
    }
    {  // one huge value among small ones: the small ones must still count
      std::vector<uint16_t> xm(c.k);
      for (auto& v : xm) v = to_bf16_bits(1e-3f * nd(rng));
      xm[size_t(c.k) / 3] = to_bf16_bits(4e4f);
      check_gemv(xm, false, "GEMV store, one |x| = 4e4 among 1e-3", 1e-3);
    }
    // The int4 kernel's fast form (zero point taken off per group of 128 columns) is used while a
    // group's largest |x| is at most the sum of the others'; just inside and just outside. (At 7.2
    // times, on the fast form, rows with a zero weight there missed the bound 2.3 times over.)
    // The form is chosen per step of two groups (fast only if both may): the dominant value also
    // goes in the second group of a step (columns 128-255), where a check of the step's first
    // group alone would miss it (20 times is far outside: the fast form fails the bound there).
    // (Row 2's groups around its outlier weight hold near-zero weights: the fast form's error there
    // follows the zero-point term of the bound, not the row's |w x|; more draws of x below.)
    const auto plant = [&](std::vector<uint16_t> xm, int group, double ratio, const std::string& note) {
      const int c0 = group * 128, c1 = std::min(c.k, c0 + 128), at = c0 + (c1 - c0) / 3;
      if (c1 - c0 < 2) return;
      double rest = 0;
      for (int col = c0; col < c1; ++col)
        if (col != at) rest += std::fabs(bf16_bits_to_float(xm[col]));
      xm[at] = to_bf16_bits(static_cast<float>(ratio * rest));
      check_gemv(xm, false,
                 fmt("GEMV store, one |x| = %.1f x the sum of its group's others", ratio) +
                     (group ? " (second group of a step)" : "") + note);
    };
    for (const int group : {0, 1})
      for (const double ratio : {0.9, 1.1, 20.0})
        if (group == 1 || ratio < 2) plant(xb, group, ratio, "");
    // The same just-inside case on other draws of x (its own generators, so the checks above keep
    // their inputs): session 21 found a draw that this check's bound, then without the zero-point
    // term, missed 2.6 times over.
    if (f == QuantFormat::Int4 && size_t(c.n) * c.k <= (size_t(1) << 22))
      for (int draw = 1; draw <= 6; ++draw) {
        std::mt19937 xr(7919u * static_cast<unsigned>(draw) + static_cast<unsigned>(c.k));
        std::vector<uint16_t> xm(c.k);
        for (auto& v : xm) v = to_bf16_bits(nd(xr));
        plant(xm, draw % 2, 0.9, ", x draw " + std::to_string(draw));
      }
    // GemvArgs::k_ready: the chunks wholly before it start at once, the others wait.
    if (c.k >= 2048) {
      const int late = c.k - 700;
      check_gemv(xb, true, "GEMV residual, k_ready " + std::to_string(late), 1.0, late);
      check_gemv(xb, true, "GEMV residual, k_ready " + std::to_string(late), 1.0, late, true);
      const std::string sw = "GEMV residual, ready signal, k_ready " + std::to_string(late);
      check_gemv(xb, true, sw, 1.0, late, false, 1);
      check_gemv(xb, true, sw, 1.0, late, true, 1);
      // Without the signal only blocks whose chunk lies wholly before `late` read too early: both
      // formats have one when late >= 2048 (chunks of 1024 / 2048 columns).
      if (late >= 2048) check_gemv(xb, true, sw, 1.0, late, false, 2);
      check_gemv(xb, true, sw + ", the signal never comes", 1.0, late, false, 3);
    }
  }

  // The fused QKV epilogue against the bf16 GEMV on the dequantized matrix.
  if (c.hd > 0) {
    const gpu::AttnShape s{c.heads, c.kv, c.hd, 8};
    const int nq = c.heads * c.hd, cache = c.kv * 8 * c.hd, fc1 = c.n - c.split;
    std::vector<uint16_t> xb2(c.k);
    for (auto& v : xb2) v = to_bf16_bits(nd(rng));
    Dev<uint16_t> dx2(c.k);
    dx2.put(xb2);
    std::vector<float> inv(c.hd / 2);
    for (int i = 0; i < c.hd / 2; ++i) inv[i] = std::pow(10000.f, -2.f * i / c.hd);
    Dev<float> dinv(inv.size());
    dinv.put(inv);
    Dev<int> dpos(1);
    dpos.put({5});
    auto run = [&](bool quant, int chunk) {
      Dev<uint16_t> qo(nq), ho(std::max(fc1, 1)), kc(cache), vc(cache);
      FALCON_CUDA_CHECK(cudaMemset(kc.p, 0, cache * 2));
      FALCON_CUDA_CHECK(cudaMemset(vc.p, 0, cache * 2));
      gpu::GemvArgs a;
      a.w = reinterpret_cast<const gpu::bf16*>(dd.p);
      a.n_rows = c.n;
      a.k = c.k;
      a.ldw = c.k;
      a.split = c.split;
      a.xa = reinterpret_cast<const gpu::bf16*>(dx.p);
      a.xb = reinterpret_cast<const gpu::bf16*>(dx2.p);
      a.bias = dbias.p;
      a.q_out = reinterpret_cast<gpu::bf16*>(qo.p);
      a.h_out = reinterpret_cast<gpu::bf16*>(ho.p);
      a.k_cache = reinterpret_cast<gpu::bf16*>(kc.p);
      a.v_cache = reinterpret_cast<gpu::bf16*>(vc.p);
      a.pos = dpos.p;
      a.inv_freq = dinv.p;
      a.shape = s;
      a.q4_chunk = chunk;
      qd.use(a);
      FALCON_CUDA_CHECK(cudaDeviceSynchronize());  // the memsets above ran on the legacy stream
      if (quant)
        gpu::launch_gemv_quant(gpu::GemvEpilogue::QkvUp, a, qd.q, pdl_stream());
      else
        gpu::launch_gemv(gpu::GemvEpilogue::QkvUp, a, pdl_stream());
      FALCON_CUDA_CHECK(cudaStreamSynchronize(pdl_stream()));
      std::vector<float> all = to_floats(qo.get(nq));
      for (float v : to_floats(ho.get(fc1))) all.push_back(v);
      for (float v : to_floats(kc.get(cache))) all.push_back(v);
      for (float v : to_floats(vc.get(cache))) all.push_back(v);
      return all;
    };
    const std::vector<float> expect = run(false, 0);
    for (const int chunk : q4_chunks) {
      const std::vector<float> got = run(true, chunk);
      const Diff d = diff(got.data(), expect.data(), got.size());
      ck.expect(d.finite && d.max_abs <= 2e-2 * d.max_ref,
                name + "QKV+RoPE+cache+GELU epilogue = bf16 GEMV on the dequantized matrix" +
                    units_name(chunk) + fmt(" (max|diff| %.3g, max %.3g)", d.max_abs, d.max_ref));
    }
  }
}

// The int4 GEMV at a scale of several waves (16384 x 8192: 2048 blocks of 8 KiB units, the
// launcher's choice here, or 1024 of 16 KiB, more than the 660 an H200 holds at once: split-K
// counters reused by later blocks and launches), against
// the fp64 product of the matrix as the GPU dequantizes it (the cases above check that
// dequantization against the CPU reference): three launches in a row on one workspace, then each
// unit size, also with the last quarter of x written late (k_ready 6144).
void run_scale(Checks& ck, std::mt19937& rng) {
  const int n = 16384, k = 8192;
  std::normal_distribution<float> nd(0.f, 1.f);
  std::vector<uint16_t> wb(size_t(n) * k);
  for (auto& v : wb) v = to_bf16_bits(0.05f * nd(rng));
  Dev<uint16_t> dw(wb.size());
  dw.put(wb);
  QuantOnDevice qd(QuantFormat::Int4, Case{n, k, n, 0, 0, 0});
  gpu::launch_quantize(reinterpret_cast<const gpu::bf16*>(dw.p), k, qd.q, nullptr);
  gpu::launch_dequantize(qd.q, 0, n, reinterpret_cast<gpu::bf16*>(dw.p), k, nullptr);
  FALCON_CUDA_CHECK(cudaDeviceSynchronize());
  const std::vector<uint16_t> deq = dw.get(wb.size());
  std::vector<uint16_t> xb(k);
  for (auto& v : xb) v = to_bf16_bits(nd(rng));
  const std::vector<float> x = to_floats(xb);
  std::vector<double> dot(n), mag(n);
  for (int r = 0; r < n; ++r)
    for (int c = 0; c < k; ++c) {
      const double t = double(bf16_bits_to_float(deq[size_t(r) * k + c])) * x[c];
      dot[r] += t;
      mag[r] += std::fabs(t);
    }
  Dev<uint16_t> dx(k), dsrc(k);
  Dev<float> dout(n);
  dsrc.put(xb);
  auto check = [&](int chunk, int late, const std::string& what) {
    std::vector<uint16_t> xput = xb;
    if (late >= 0) std::fill(xput.begin() + late, xput.end(), uint16_t{0xffff});  // NaN until written
    dx.put(xput);
    dout.put(std::vector<float>(n, 0.f));
    gpu::GemvArgs a;
    a.xa = reinterpret_cast<const gpu::bf16*>(dx.p);
    a.out_f32 = dout.p;
    a.k_ready = late < 0 ? 0 : late;
    a.q4_chunk = chunk;
    qd.use(a);
    FALCON_CUDA_CHECK(cudaDeviceSynchronize());  // the copies above ran on the legacy stream
    if (late >= 0) launch_late_writer(dx.p, dsrc.p, late, k, hold_us(size_t(n) * k, 200), pdl_stream());
    gpu::launch_gemv_quant(gpu::GemvEpilogue::Store, a, qd.q, pdl_stream());
    FALCON_CUDA_CHECK(cudaStreamSynchronize(pdl_stream()));
    const std::vector<float> y = dout.get(n);
    double worst = 0;
    for (int r = 0; r < n; ++r) {
      const double err = std::fabs(y[r] - dot[r]) / (1e-3 * mag[r] + 1e-5);
      worst = std::isfinite(y[r]) ? std::max(worst, err) : INFINITY;
    }
    ck.expect(worst <= 1.0,
              "int4 " + std::to_string(n) + "x" + std::to_string(k) + " " + what + units_name(chunk) +
                  fmt(" = fp64 product of the dequantized matrix (worst error %.2f of the bound)", worst));
  };
  for (int i = 0; i < 3; ++i) check(0, -1, "GEMV, launch " + std::to_string(i + 1));
  for (const int chunk : {1024, 2048}) {
    check(chunk, -1, "GEMV");
    check(chunk, 6144, "GEMV, k_ready 6144 (x written late)");
  }
}

// The staged form of x (gpu::StagedX) computed on the CPU from its bf16 bits, a chunk of 2048 columns
// at a time (zeros past k): per group of 128 columns the power of two 2^e that puts the largest |x|
// in [2^29, 2^30) (2^0 for an all-zero group; within 2^-98..2^126), each value times it rounded to
// the nearest integer (ties to even) and cut into balanced base-256 digits by repeated division
// (x = 2^24 d0 + 2^16 d1 + 2^8 d2 + d3); the accumulators' start from each digit's group sum; 2^-e,
// or NaN for a group holding a NaN or inf (whose digits are then all zero).
gpu::StagedX cpu_stage_digits(const uint16_t* xb, int k, int chunk) {
  gpu::StagedX st{};
  for (int g = 0; g < 16; ++g) {
    const int c0 = chunk * 2048 + g * 128;
    auto at = [&](int col) { return col < k ? xb[col] : uint16_t{0}; };
    float big = 0.f;
    bool bad = false;
    for (int e = 0; e < 128; ++e) {
      const float v = bf16_bits_to_float(at(c0 + e));
      bad = bad || !std::isfinite(v);
      big = std::max(big, std::fabs(v));
    }
    int e = 0;
    if (big > 0.f && !bad) e = std::min(126, std::max(-98, 29 - std::ilogb(big)));
    int sums[4] = {0, 0, 0, 0};
    for (int i = 0; i < 128; ++i) {
      const double v = bf16_bits_to_float(at(c0 + i));
      int64_t n = bad ? 0 : static_cast<int64_t>(std::nearbyint(std::ldexp(v, e)));
      int d[4];
      for (int j = 3; j >= 0; --j) {  // d3 first: the balanced remainder, in [-128, 127]
        int r = static_cast<int>(((n % 256) + 256) % 256);
        if (r >= 128) r -= 256;
        d[j] = r;
        n = (n - r) / 256;
      }
      // Byte position of value i in its word of 4: values 0, 2, 1, 3 in bytes 0-3.
      const int col = g * 128 + i, pos = (col & 1) * 2 + ((col >> 1) & 1);
      for (int j = 0; j < 4; ++j) {
        st.xd[j][col / 4] |= static_cast<uint32_t>(static_cast<uint8_t>(d[j])) << (8 * pos);
        sums[j] += d[j];
      }
    }
    st.ginit[g][0] = int4{-136 * sums[0], -136 * sums[1], -128 * sums[0], -128 * sums[1]};
    st.ginit[g][1] = int4{-136 * sums[2], -136 * sums[3], -128 * sums[2], -128 * sums[3]};
    st.gxe[g] = bad ? std::nanf("") : std::ldexp(1.f, -e);
  }
  return st;
}

// launch_layernorm_staged: the LayerNorm outputs equal launch_layernorm's within one bf16 step; the staged
// chunks equal cpu_stage_digits of those bf16 values, bit for bit; and the int4 GEMV of 2048-column
// units on the integer tensor cores fed the staged chunks (both regions, two LayerNorms) gives exactly
// what it gives staging x itself and agrees with the quantized reference.
void run_staged(Checks& ck, std::mt19937& rng) {
  std::normal_distribution<float> nd(0.f, 1.f);
  // (rows, dim, split): dims with a partial group (4544, 200), a last chunk of 512 columns
  // (2560), rows of up to 4, 8 and 16 float4 a thread (Falcon-180B's 14848), one and two
  // LayerNorms.
  const Case cases[] = {{96, 4544, 96, 0, 0, 0},    {1100, 4096, 576, 64, 7, 1}, {64, 8192, 64, 0, 0, 0},
                        {200, 2560, 120, 0, 0, 0},  {40, 200, 40, 0, 0, 0},      {300, 12288, 256, 64, 2, 1},
                        {320, 14848, 256, 64, 2, 1}};
  for (const Case& c : cases) {
    const int dim = c.k, chunks = gpu::staged_chunks(dim);
    const bool two = c.split < c.n;
    const std::string name = "staged x, dim " + std::to_string(dim) + (two ? ", two LayerNorms" : "") + ": ";
    std::vector<float> xin(dim), g1(dim), b1(dim), g2(dim), b2(dim);
    for (int i = 0; i < dim; ++i) {
      xin[i] = 3.f * nd(rng) + (i % 97 == 0 ? 40.f : 0.f);
      g1[i] = 1.f + 0.3f * nd(rng), b1[i] = 0.1f * nd(rng);
      g2[i] = 0.5f + 0.3f * nd(rng), b2[i] = 0.2f * nd(rng);
    }
    g1[dim / 2] = 300.f;  // one large output: the other chunks' scales differ from its chunk's
    Dev<float> dxin(dim), dg1(dim), db1(dim), dg2(dim), db2(dim);
    dxin.put(xin), dg1.put(g1), db1.put(b1), dg2.put(g2), db2.put(b2);
    Dev<uint16_t> ref1(dim), ref2(dim), out1(dim), out2(dim);
    Dev<gpu::StagedX> st(2 * size_t(chunks));
    FALCON_CUDA_CHECK(
        cudaMemset(st.p, 0xff, 2 * size_t(chunks) * sizeof(gpu::StagedX)));  // NaN: all written?
    auto bf = [](const Dev<uint16_t>& d) { return reinterpret_cast<gpu::bf16*>(d.p); };
    gpu::launch_layernorm(dxin.p, dim, 1, dim, 1e-5f, dg1.p, db1.p, bf(ref1), two ? dg2.p : nullptr, db2.p,
                          two ? bf(ref2) : nullptr, dim, pdl_stream());
    const bool staged =
        gpu::launch_layernorm_staged(dxin.p, dim, 1e-5f, dg1.p, db1.p, bf(out1), st.p, two ? dg2.p : nullptr,
                                     db2.p, two ? bf(out2) : nullptr, st.p + chunks, pdl_stream());
    FALCON_CUDA_CHECK(cudaStreamSynchronize(pdl_stream()));
    ck.expect(staged, name + "the one-read LayerNorm takes the row");
    const std::vector<uint16_t> o1 = out1.get(dim), o2 = out2.get(dim);
    // The statistics are summed in another order than launch_layernorm's: a rounding may go the
    // other way, by one bf16 step at most.
    auto far = [](const std::vector<uint16_t>& a, const std::vector<uint16_t>& b) {
      size_t n = 0;
      for (size_t i = 0; i < a.size(); ++i)
        n += (a[i] ^ b[i]) & 0x8000u || std::abs(int(a[i] & 0x7fffu) - int(b[i] & 0x7fffu)) > 1;
      return n;
    };
    const size_t far1 = far(o1, ref1.get(dim)), far2 = two ? far(o2, ref2.get(dim)) : 0;
    ck.expect(far1 == 0 && far2 == 0,
              name + fmt("LayerNorm outputs = launch_layernorm's within one bf16 step (%.0f differ more)",
                         far1 + far2));
    const std::vector<gpu::StagedX> sx = st.get(2 * size_t(chunks));
    size_t bad_chunks = 0;
    for (int o = 0; o < (two ? 2 : 1); ++o)
      for (int ch = 0; ch < chunks; ++ch) {
        const gpu::StagedX want = cpu_stage_digits((o ? o2 : o1).data(), dim, ch);
        bad_chunks += std::memcmp(&want, &sx[size_t(o) * chunks + ch], sizeof want) != 0;
      }
    ck.expect(bad_chunks == 0,
              name + fmt("staged chunks = CPU staging, bit for bit (%.0f differ)", bad_chunks));

    // The int4 GEMV on those LayerNorm outputs, staging x itself and fed the staged chunks.
    std::vector<uint16_t> wb(size_t(c.n) * dim);
    for (auto& v : wb) v = to_bf16_bits(0.05f * nd(rng));
    Dev<uint16_t> dw(wb.size());
    dw.put(wb);
    QuantOnDevice qd(QuantFormat::Int4, c);
    gpu::launch_quantize(reinterpret_cast<const gpu::bf16*>(dw.p), dim, qd.q, nullptr);
    FALCON_CUDA_CHECK(cudaDeviceSynchronize());
    Dev<float> dout(c.n);
    auto gemv = [&](bool use_staged) {
      dout.put(std::vector<float>(c.n, 0.f));
      gpu::GemvArgs a;
      a.xa = bf(out1);
      a.xb = two ? bf(out2) : bf(out1);
      a.out_f32 = dout.p;
      a.q4_chunk = 2048;
      if (use_staged) a.staged_a = st.p, a.staged_b = two ? st.p + chunks : st.p;
      qd.use(a);
      gpu::launch_gemv_quant(gpu::GemvEpilogue::Store, a, qd.q, pdl_stream());
      FALCON_CUDA_CHECK(cudaStreamSynchronize(pdl_stream()));
      return dout.get(c.n);
    };
    const std::vector<float> self = gemv(false), fed = gemv(true);
    ck.expect(std::memcmp(self.data(), fed.data(), self.size() * sizeof(float)) == 0,
              name + "int4 GEMV fed the staged chunks = staging x itself, bit for bit");
    // And both are the product of the quantized reference. On the integer tensor cores the digits'
    // products are exact integers, so what is left is the fp32 sum of each group's result (a chunk's
    // 16, then the chunks'): at most ~80 roundings of 2^-24 of the sum of |terms|, 5e-6 of it; the
    // bound is 3e-5. The fp16 kernel (FALCON_Q4_IMMA=0, which ignores the staged chunks) has
    // run_gemv's bound: x in fp16, and the zero point's cancellation.
    const char* imma_env = std::getenv("FALCON_Q4_IMMA");  // as quant_gemv.cu reads it
    const bool imma = !(imma_env && imma_env[0] == '0');
    const RefQuant ref = ref_quantize(to_floats(wb), c.n, dim, QuantFormat::Int4);
    double worst = 0;
    for (int r = 0; r < c.n; ++r) {
      const std::vector<uint16_t>& xr = two && r >= c.split ? o2 : o1;
      double want = 0, mag = 0, zp = 0;
      for (int col = 0; col < dim; ++col) {
        const size_t i = size_t(r) * dim + col;
        const double xv = bf16_bits_to_float(xr[col]);
        want += ref.deq[i] * xv;
        mag += std::fabs(ref.deq[i] * xv);
        zp += 8.0 * ref.step[i] * std::fabs(xv);
      }
      const double bound = imma ? 3e-5 * mag : 1e-3 * mag + zp * 0x1p-18;
      const double err = std::fabs(double(fed[r]) - want) / (bound + 1e-30);
      worst = std::isfinite(fed[r]) ? std::max(worst, err) : INFINITY;
    }
    ck.expect(worst <= 1.0, name +
                                fmt("int4 GEMV fed the staged chunks = the reference product (worst %.2f of "
                                    "the bound, ",
                                    worst) +
                                (imma ? "integer tensor cores)" : "fp16 kernel)"));
  }
}

// ---- backend level ----

std::unique_ptr<Backend> make(const std::filesystem::path& dir, WeightFormat w, WeightFormat head,
                              int capacity) {
  CudaBackendOptions o;
  o.cache_capacity = capacity;
  o.weights = w;
  o.head_weights = head;
  return create_cuda_backend(dir, o);
}

void run_model(Checks& ck, const std::filesystem::path& dir, const std::string& name) {
  const ModelConfig cfg = load_model_config(dir);
  // Dynamic NTK RoPE changes its frequencies with the sequence length, so one long prefill and
  // step-by-step decoding legitimately differ past max_position_embeddings (HF behaves the same):
  // there the two paths are compared only on rows whose sequence fits.
  const bool dynamic = cfg.rope_scaling == RopeScaling::Dynamic;
  const int V = cfg.vocab_size, prompt_len = dynamic ? std::max(2, cfg.max_position_embeddings / 3) : 40,
            steps = 24, cap = prompt_len + steps + 8;
  const int comparable =
      dynamic ? std::max(1, std::min(steps, cfg.max_position_embeddings - prompt_len)) : steps;
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> tok(3, V - 1);
  std::vector<int32_t> prompt(prompt_len);
  for (auto& t : prompt) t = tok(rng);
  // bf16 greedy run: the reference sequence and its logits.
  auto bf = make(dir, WeightFormat::Bf16, WeightFormat::Bf16, cap);
  std::vector<int32_t> seq = prompt;
  std::vector<std::vector<float>> ref_rows;
  std::vector<float> logits;
  bf->forward(prompt, false, logits);
  for (int i = 0; i < steps; ++i) {
    ref_rows.push_back(logits);
    seq.push_back(argmax(logits.data(), V));
    bf->forward(std::vector<int32_t>{seq.back()}, false, logits);
  }
  // (layers, head): each format alone, with its head, int4 with an int8 head, bf16 with an int8 head.
  constexpr WeightFormat B = WeightFormat::Bf16, I8 = WeightFormat::Int8, I4 = WeightFormat::Int4,
                         I6 = WeightFormat::Int6;
  const std::pair<WeightFormat, WeightFormat> variants[] = {{I8, B},  {I8, I8}, {I4, B}, {I4, I4},
                                                            {I4, I8}, {I4, I6}, {B, I8}};
  for (const auto& [w, head] : variants) {
    {
      const std::string label = std::string(weight_format_name(w)) +
                                (head == B   ? ""
                                 : head == w ? "+head"
                                             : std::string("+head-") + weight_format_name(head));
      const std::string tag = name + " " + label + ": ";
      auto q = make(dir, w, head, cap);
      // Decode path, teacher-forced on the bf16 sequence.
      std::vector<float> lq;
      q->forward(prompt, false, lq);
      int agree = 0;
      double err = 0, ref_max = 0;
      std::vector<float> decode_rows;
      for (int i = 0; i < steps; ++i) {
        const std::vector<float>& r = ref_rows[size_t(i)];
        agree += argmax(lq.data(), V) == argmax(r.data(), V);
        const Diff d = diff(lq.data(), r.data(), size_t(V));
        err = std::max(err, d.max_abs);
        ref_max = std::max(ref_max, d.max_ref);
        decode_rows.insert(decode_rows.end(), lq.begin(), lq.end());
        q->forward(std::vector<int32_t>{seq[size_t(prompt_len + i)]}, false, lq);
      }
      // Prefill path (dequantize + GEMM) on the same sequence, every row.
      auto q2 = make(dir, w, head, cap);
      std::vector<float> all;
      q2->forward(std::span<const int32_t>(seq.data(), size_t(prompt_len + comparable - 1)), true, all);
      const Diff pd =
          diff(decode_rows.data(), all.data() + size_t(prompt_len - 1) * V, size_t(comparable) * V);
      ck.expect(pd.finite && pd.max_abs <= 2e-2 * pd.max_ref,
                tag + "decode GEMV path = prefill dequantize path" +
                    fmt(" (rel %.2e over %.0f rows)", pd.rel(), comparable));
      const double rel = err / ref_max, agreement = double(agree) / steps;
      std::printf("ACCURACY %s %s rel_logit_err %.4f top1_agree %.3f weights_MiB %.1f (bf16 %.1f)\n",
                  name.c_str(), label.c_str(), rel, agreement, q->memory().weights_bytes / 1048576.0,
                  bf->memory().weights_bytes / 1048576.0);
      ck.expect(std::isfinite(rel) && (w == WeightFormat::Int4 || agreement >= 0.75),
                tag + fmt("logit error vs bf16 %.4f, top-1 agreement %.3f", rel, agreement));
    }
  }
}

// The quantization cache: written on the first load (0600), reused on the next with identical
// logits, ignored and rewritten when the checkpoint changes or the file is damaged.
void run_cache(Checks& ck, const std::filesystem::path& fixture) {
  namespace fs = std::filesystem;
  const fs::path root = fs::temp_directory_path() / "falcon_quant_cache_test";
  fs::remove_all(root);
  const fs::path model = root / "model", cache = root / "cache";
  fs::create_directories(model);
  for (const auto& e : fs::directory_iterator(fixture)) fs::copy(e.path(), model / e.path().filename());
  std::vector<int32_t> prompt;
  for (int i = 0; i < 20; ++i) prompt.push_back(3 + 7 * i);
  // (layers, head, the file name's part that only this variant's files have)
  const struct {
    WeightFormat w, head;
    const char* file_tag;
  } variants[] = {{WeightFormat::Int8, WeightFormat::Int8, "-int8-head-"},
                  {WeightFormat::Int4, WeightFormat::Int4, "-int4-head-"},
                  {WeightFormat::Int4, WeightFormat::Int8, "-int4-head-int8-"},
                  {WeightFormat::Int4, WeightFormat::Int6, "-int4-head-int6-"}};
  for (const auto& [w, head, file_tag] : variants) {
    const std::string tag =
        std::string("cache ") + weight_format_name(w) + "+head-" + weight_format_name(head) + ": ";
    std::vector<std::string> notes;
    auto load = [&](std::vector<float>& logits) {
      CudaBackendOptions o;
      o.cache_capacity = 64;
      o.weights = w;
      o.head_weights = head;
      o.quant_cache_dir = cache;
      o.notice = [&](const std::string& n) { notes.push_back(n); };
      auto be = create_cuda_backend(model, o);
      be->forward(prompt, true, logits);
    };
    auto last_note_has = [&](const char* text) {
      return !notes.empty() && notes.back().find(text) != std::string::npos;
    };
    const std::string fmt_tag = file_tag;
    auto cache_files = [&] {
      std::vector<fs::path> v;
      for (const auto& e : fs::directory_iterator(cache))
        if (e.path().filename().string().find(fmt_tag) != std::string::npos) v.push_back(e.path());
      return v;
    };
    std::vector<float> first, second, third;
    load(first);
    ck.expect(last_note_has("cached in"),
              tag + "first load writes the cache (" + (notes.empty() ? "" : notes.back()) + ")");
    std::vector<fs::path> files = cache_files();
    ck.expect(files.size() == 1, tag + std::to_string(files.size()) + " cache file for this format");
    const fs::path file = files.empty() ? fs::path() : files.back();
    struct stat st {};
    ck.expect(!file.empty() && ::stat(file.c_str(), &st) == 0 && (st.st_mode & 0777) == 0600,
              tag + "cache file mode 0600");
    load(second);
    ck.expect(last_note_has("read from the cache") && second == first,
              tag + "second load reads the cache, logits bit-identical");
    // A damaged file: truncated by one byte.
    fs::resize_file(file, fs::file_size(file) - 1);
    load(third);
    ck.expect(!notes.empty() && notes[notes.size() - 2].find("truncated") != std::string::npos &&
                  last_note_has("cached in") && third == first,
              tag + "truncated cache rejected, weights quantized again, file rewritten");
    // The checkpoint changes (new modification time): a new key, so a new file.
    fs::last_write_time(model / "config.json", fs::file_time_type::clock::now() + std::chrono::hours(1));
    load(third);
    ck.expect(
        notes[notes.size() - 2].find("no cache file") != std::string::npos && last_note_has("cached in"),
        tag + "changed checkpoint: old cache not used, new one written");
  }
  fs::remove_all(root);
}

// Held-out perplexity of the bundled model (tests/fixtures/bundled/ppl_heldout.jsonl) with each
// weight format, through the prefill path (all logits).
void run_perplexity(Checks& ck, const std::filesystem::path& model) {
  std::ifstream in(fixtures_dir() / "bundled" / "ppl_heldout.jsonl");
  std::vector<std::vector<int32_t>> docs;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) docs.push_back(nlohmann::json::parse(line).at("tokens").get<std::vector<int32_t>>());
  if (!ck.expect(!docs.empty(), "perplexity: held-out samples found")) return;
  size_t longest = 0;
  for (const auto& d : docs) longest = std::max(longest, d.size());
  double ppl[5] = {0, 0, 0, 0, 0};
  constexpr WeightFormat B = WeightFormat::Bf16, I8 = WeightFormat::Int8, I4 = WeightFormat::Int4,
                         I6 = WeightFormat::Int6;
  const std::pair<WeightFormat, WeightFormat> formats[5] = {
      {B, B}, {I8, B}, {I4, B}, {I4, I8}, {I4, I6}};  // (layers, head)
  for (int f = 0; f < 5; ++f) {
    auto be = make(model, formats[f].first, formats[f].second, static_cast<int>(longest) + 8);
    const int V = be->config().vocab_size;
    double nll = 0;
    size_t count = 0;
    std::vector<float> logits;
    for (const auto& d : docs) {
      be->truncate(0);
      be->forward(std::span<const int32_t>(d.data(), d.size() - 1), true, logits);
      for (size_t i = 0; i + 1 < d.size(); ++i) {
        const float* row = logits.data() + i * size_t(V);
        const float m = *std::max_element(row, row + V);
        double z = 0;
        for (int v = 0; v < V; ++v) z += std::exp(double(row[v]) - m);
        nll += std::log(z) + m - row[d[i + 1]];
        ++count;
      }
    }
    ppl[f] = std::exp(nll / double(count));
  }
  std::printf(
      "PERPLEXITY falcon-mini bf16 %.4f int8 %.4f (%+.2f%%) int4 %.4f (%+.2f%%) int4+head-int8 %.4f "
      "(%+.2f%%) int4+head-int6 %.4f (%+.2f%%)\n",
      ppl[0], ppl[1], 100 * (ppl[1] / ppl[0] - 1), ppl[2], 100 * (ppl[2] / ppl[0] - 1), ppl[3],
      100 * (ppl[3] / ppl[0] - 1), ppl[4], 100 * (ppl[4] / ppl[0] - 1));
  ck.expect(
      ppl[1] <= ppl[0] * 1.02 && ppl[2] <= ppl[0] * 1.10 && ppl[3] <= ppl[0] * 1.10 &&
          ppl[4] <= ppl[0] * 1.10,
      fmt("perplexity bf16 %.3f, int8 %.3f, int4 %.3f", ppl[0], ppl[1], ppl[2]) +
          fmt(", int4+head-int8 %.3f, int4+head-int6 %.3f (sanity bounds +2%% / +10%%)", ppl[3], ppl[4]));
}

}  // namespace
}  // namespace falcon::test

int main() {
  using namespace falcon::test;
  if (no_device()) return 77;
  Checks ck;
  try {
    std::mt19937 rng(99);
    const Case cases[] = {
        {37, 200, 37, 0, 0, 0},       // k not a multiple of 16 or 128; one region
        {130, 300, 48, 16, 1, 1},     // QKV of 3 heads (hd 16) + 82 fc1 rows
        {40, 96, 24, 8, 1, 1},        // hd 8: RoPE pairs closer than 8 rows
        {1100, 1024, 576, 64, 7, 1},  // 7 query heads + MQA, fc1 524 rows
        {640, 4544, 640, 0, 0, 0},    // Falcon-7B's k
        {256, 2304, 256, 0, 0, 0},
        {300, 2500, 256, 64, 2, 1},   // RoPE pairs and fc1 rows with k over 2 chunks (split-K)
        {96, 8192, 96, 0, 0, 0},      // k_ready 7492: 7 of 8 int8 chunks ready, 3 of 4 int4
        {1100, 4096, 576, 64, 7, 1},  // both regions, RoPE pairs, partial tile groups, 2-4 int4 chunks
        {64, 40960, 64, 0, 0, 0},     // Falcon-40B's down projection: 40 int8 / 20-40 int4 chunks a
                                      // tile, whose partials are summed in batches of 16
    };
    // FALCON_QUANT_TEST_FORMATS=int6 (a list of int8, int4, int6): the kernel checks of those
    // formats only (a sanitizer pass over one kernel; int4's run_scale and run_staged with int4).
    const char* formats_env = std::getenv("FALCON_QUANT_TEST_FORMATS");
    const std::string formats = formats_env ? formats_env : "int8,int4,int6";
    auto wanted = [&](const char* name) { return formats.find(name) != std::string::npos; };
    for (QuantFormat f : {QuantFormat::Int8, QuantFormat::Int4, QuantFormat::Int6})
      if (wanted(f == QuantFormat::Int8 ? "int8" : f == QuantFormat::Int4 ? "int4" : "int6"))
        for (const Case& c : cases) run_case(ck, f, c, rng);
    if (wanted("int4")) {
      run_scale(ck, rng);
      run_staged(ck, rng);
    }
    // FALCON_QUANT_TEST_QUICK=kernels: the kernel checks above only (compute-sanitizer's racecheck,
    // which checks shared memory, is too slow for the model runs below within its time limit).
    const char* quick_env = std::getenv("FALCON_QUANT_TEST_QUICK");
    if (quick_env && std::string(quick_env) == "kernels") return ck.finish("test_gpu_quant (kernels only)");
    const std::filesystem::path models = fixtures_dir() / "models";
    std::vector<std::filesystem::path> dirs;
    for (const auto& e : std::filesystem::directory_iterator(models)) dirs.push_back(e.path());
    std::sort(dirs.begin(), dirs.end());
    for (const auto& d : dirs) run_model(ck, d, d.filename().string());
    run_cache(ck, models / "gqa_2ln_sharded");
    const std::filesystem::path bundled =
        fixtures_dir().parent_path().parent_path() / "resources/models/falcon-mini";
    // Under compute-sanitizer (FALCON_QUANT_TEST_QUICK) the perplexity pass and the larger
    // random checkpoints are left out: the kernels and paths they run are covered above.
    if (quick_env) return ck.finish("test_gpu_quant (quick)");
    if (std::filesystem::exists(bundled / "config.json")) {
      run_model(ck, bundled, "falcon-mini");
      run_perplexity(ck, bundled);
    }
    // Real head sizes (tensor-core attention) on a random checkpoint of each block type.
    const std::filesystem::path root = std::filesystem::temp_directory_path() / "falcon_quant_test";
    SynthSpec par;  // 7B-like: MQA, parallel, RoPE, hd 64
    write_synth_checkpoint(root / "parallel_rope_hd64", par, 5);
    run_model(ck, root / "parallel_rope_hd64", "synth-parallel-rope-hd64");
    SynthSpec seqs;
    seqs.parallel = false, seqs.multi_query = false, seqs.kv_heads = 4, seqs.bias = true, seqs.alibi = true;
    write_synth_checkpoint(root / "sequential_alibi_bias", seqs, 6);
    run_model(ck, root / "sequential_alibi_bias", "synth-sequential-alibi-bias");
    std::filesystem::remove_all(root);
  } catch (const std::exception& e) {
    ck.expect(false, std::string("exception: ") + e.what());
  }
  return ck.finish("test_gpu_quant");
}
