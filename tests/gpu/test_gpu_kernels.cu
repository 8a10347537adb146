// Each kernel family against a CPU reference in double precision, on fresh random inputs,
// outputs poisoned (NaN) first so unwritten elements fail. Attention covers every kernel (tensor
// core: head_dim 32/64/128 with mma.sync, the wgmma prefill for 64 on sm_90; generic: 16),
// prefill and split-K decode, GQA/MQA/MHA groups of
// 1..128 heads, RoPE and ALiBi, caches of 1..8192 tokens. The decode GEMV also with k_ready
// and the ReadySignal, beside a predecessor that is still writing x (pdl_late_writer.cuh).
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cmath>
#include <cstdio>
#include <cstring>

#include "core/common/error.h"
#include "gpu/blas.h"
#include "gpu/cuda_check.h"
#include "gpu/kernels/kernels.h"
#include "tests/gpu/gpu_test_util.h"
#include "tests/gpu/pdl_late_writer.cuh"

namespace falcon::test {
namespace {

using gpu::bf16;
std::mt19937 rng(7);

std::vector<float> rand_bf16(size_t n, float scale) {  // values exactly representable in bf16
  std::uniform_real_distribution<float> u(-scale, scale);
  std::vector<float> v(n);
  for (auto& x : v) x = bf16_round(u(rng));
  return v;
}

template <class T>
struct Dev {
  T* p = nullptr;
  size_t n = 0;
  explicit Dev(size_t count) : n(count) {
    FALCON_CUDA_CHECK(cudaMalloc(&p, std::max<size_t>(1, n) * sizeof(T)));
  }
  ~Dev() { cudaFree(p); }
  Dev(const Dev&) = delete;
  Dev& operator=(const Dev&) = delete;
};

Dev<bf16>* to_dev_bf16(const std::vector<float>& v) {
  std::vector<uint16_t> b(v.size());
  for (size_t i = 0; i < v.size(); ++i) b[i] = to_bf16_bits(v[i]);
  auto* d = new Dev<bf16>(v.size());
  FALCON_CUDA_CHECK(cudaMemcpy(d->p, b.data(), b.size() * 2, cudaMemcpyHostToDevice));
  return d;
}
std::vector<float> from_dev_bf16(const bf16* p, size_t n) {
  std::vector<uint16_t> b(n);
  FALCON_CUDA_CHECK(cudaMemcpy(b.data(), p, n * 2, cudaMemcpyDeviceToHost));
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) {
    uint32_t u = static_cast<uint32_t>(b[i]) << 16;
    std::memcpy(&v[i], &u, 4);
  }
  return v;
}
void poison(void* p, size_t bytes) {
  FALCON_CUDA_CHECK(cudaMemset(p, 0xff, bytes));
}  // NaN in bf16 and f32

std::vector<float> inv_freq_of(int hd, double theta) {
  std::vector<float> f(static_cast<size_t>(hd / 2));
  for (int i = 0; i < hd / 2; ++i)
    f[static_cast<size_t>(i)] = static_cast<float>(1.0 / std::pow(theta, 2.0 * i / hd));
  return f;
}
std::vector<float> slopes_of(int h) {  // any distinct positive values; the kernel rounds the product
  std::vector<float> s(static_cast<size_t>(h));
  for (int i = 0; i < h; ++i) s[static_cast<size_t>(i)] = bf16_round(std::pow(2.f, -8.f * (i + 1) / h));
  return s;
}

// ---- attention reference ----------------------------------------------------------------------
// q: (T, H, HD) unrotated; k, v: (KV, cap, HD); out (T, H, HD).
std::vector<double> attention_ref(const std::vector<float>& q, const std::vector<float>& k,
                                  const std::vector<float>& v, int T, int pos0, int H, int KV, int HD,
                                  int cap, const std::vector<float>* inv, const std::vector<float>* slopes) {
  std::vector<double> out(static_cast<size_t>(T) * H * HD);
  const int G = H / KV;
  std::vector<double> qr(HD), s;
  for (int t = 0; t < T; ++t)
    for (int h = 0; h < H; ++h) {
      const int pos = pos0 + t, kvh = h / G;
      const float* qp = &q[(static_cast<size_t>(t) * H + h) * HD];
      for (int d = 0; d < HD; ++d) qr[d] = qp[d];
      if (inv)
        for (int i = 0; i < HD / 2; ++i) {
          const double a = static_cast<float>(pos) * (*inv)[i];
          qr[i] = qp[i] * std::cos(a) - qp[i + HD / 2] * std::sin(a);
          qr[i + HD / 2] = qp[i + HD / 2] * std::cos(a) + qp[i] * std::sin(a);
        }
      s.assign(pos + 1, 0.0);
      double mx = -1e300;
      for (int j = 0; j <= pos; ++j) {
        const float* kp = &k[(static_cast<size_t>(kvh) * cap + j) * HD];
        double dot = 0;
        for (int d = 0; d < HD; ++d) dot += qr[d] * kp[d];
        if (slopes) dot += bf16_round((*slopes)[h] * static_cast<float>(j));
        s[j] = dot / std::sqrt(double(HD));
        mx = std::max(mx, s[j]);
      }
      double l = 0;
      for (auto& x : s) l += (x = std::exp(x - mx));
      double* op = &out[(static_cast<size_t>(t) * H + h) * HD];
      for (int j = 0; j <= pos; ++j) {
        const float* vp = &v[(static_cast<size_t>(kvh) * cap + j) * HD];
        for (int d = 0; d < HD; ++d) op[d] += s[j] / l * vp[d];
      }
    }
  return out;
}

void check_close(Checks& ck, const std::vector<float>& got, const std::vector<double>& ref, double tol,
                 const std::string& what) {
  double mx = 0, mr = 0;
  bool finite = true;
  for (size_t i = 0; i < ref.size(); ++i) {
    if (!std::isfinite(got[i])) finite = false;
    mx = std::max(mx, std::fabs(got[i] - ref[i]));
    mr = std::max(mr, std::fabs(ref[i]));
  }
  ck.expect(finite && mx <= tol * mr,
            what + fmt(": max|diff| %.3g, max|ref| %.3g, rel %.2e", mx, mr, mx / mr));
}

// Blas (the prefill GEMMs): Y = A W^T (+ Y) with padded strides, through cuBLAS's default, then
// after tune() (the timed choice), then with heuristic candidate `force` kept whatever the times,
// run at the tuned row count and at a smaller one of the same bucket. Every path must give the
// CPU product in double (fp32 output: only the accumulation order differs; bf16: plus rounding).
void test_blas(Checks& ck, int rows, int n, int k, bool f32) {
  const int lda = k + 8, ldw = k + 16, ldy = n + 8;
  const std::vector<float> a = rand_bf16(size_t(rows) * lda, 1.f), w = rand_bf16(size_t(n) * ldw, 1.f);
  const std::vector<float> y0 = rand_bf16(size_t(rows) * ldy, 4.f);
  std::unique_ptr<Dev<bf16>> da(to_dev_bf16(a)), dw(to_dev_bf16(w));
  Dev<float> dy(size_t(rows) * ldy);  // fp32, or bf16 in its first half
  Dev<unsigned char> ws(32 << 20);
  cudaStream_t s = nullptr;
  FALCON_CUDA_CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
  const float beta = f32 ? 1.f : 0.f;
  const std::string shape =
      (f32 ? "f32+= " : "bf16 ") + std::to_string(n) + "x" + std::to_string(k) + ", rows ";
  auto run_and_check = [&](gpu::Blas& blas, int r, const std::string& what) {
    if (f32)
      FALCON_CUDA_CHECK(cudaMemcpy(dy.p, y0.data(), y0.size() * 4, cudaMemcpyHostToDevice));
    else
      FALCON_CUDA_CHECK(cudaMemset(dy.p, 0xff, size_t(rows) * ldy * 2));  // NaN: unwritten fails
    blas.gemm(da->p, lda, r, dw->p, ldw, n, k, dy.p, ldy, f32, beta);
    FALCON_CUDA_CHECK(cudaStreamSynchronize(s));
    std::vector<float> raw(size_t(r) * ldy);
    if (f32)
      FALCON_CUDA_CHECK(cudaMemcpy(raw.data(), dy.p, raw.size() * 4, cudaMemcpyDeviceToHost));
    else
      raw = from_dev_bf16(reinterpret_cast<const bf16*>(dy.p), raw.size());
    std::vector<float> got(size_t(r) * n);
    std::vector<double> ref(got.size());
    for (int i = 0; i < r; ++i)
      for (int j = 0; j < n; ++j) {
        double acc = f32 ? y0[size_t(i) * ldy + j] : 0.0;
        for (int p = 0; p < k; ++p) acc += double(a[size_t(i) * lda + p]) * w[size_t(j) * ldw + p];
        ref[size_t(i) * n + j] = acc;
        got[size_t(i) * n + j] = raw[size_t(i) * ldy + j];
      }
    check_close(ck, got, ref, f32 ? 1e-5 : 8e-3, "blas " + shape + std::to_string(r) + ", " + what);
  };
  {
    gpu::Blas blas(s, ws.p, ws.n);
    run_and_check(blas, rows, "cuBLAS default");
    const double ratio = blas.tune(da->p, lda, rows, dw->p, ldw, n, k, dy.p, ldy, f32, beta);
    run_and_check(blas, rows, fmt("after tune() (kept/default %.3f)", ratio));
  }
  {
    gpu::Blas blas(s, ws.p, ws.n);
    blas.tune(da->p, lda, rows, dw->p, ldw, n, k, dy.p, ldy, f32, beta, 1);
    ck.expect(blas.tuned_shapes() == 1, "blas tune " + shape + std::to_string(rows) + ": candidate #1 kept");
    run_and_check(blas, rows, "candidate #1");
    run_and_check(blas, rows * 3 / 4 + 1, "candidate #1 tuned at " + std::to_string(rows) + " rows");
  }
  FALCON_CUDA_CHECK(cudaStreamDestroy(s));
}

// min_cap: a larger KV cache than the keys need (decode: the plan, made for the capacity as the
// backend makes it, then has more splits than this position uses).
void test_attention(Checks& ck, bool decode, int H, int KV, int HD, int T, int pos0, bool rope, bool alibi,
                    int min_cap = 0) {
  const int cap = std::max(min_cap, (pos0 + T + 63) / 64 * 64 + (decode ? 0 : 64));
  const auto q = rand_bf16(static_cast<size_t>(T) * H * HD, 1.5f);
  const auto k = rand_bf16(static_cast<size_t>(KV) * cap * HD, 1.5f);
  const auto v = rand_bf16(static_cast<size_t>(KV) * cap * HD, 1.f);
  const auto inv = inv_freq_of(HD, 10000.0);
  const auto sl = slopes_of(H);
  std::unique_ptr<Dev<bf16>> dq(to_dev_bf16(q)), dk(to_dev_bf16(k)), dv(to_dev_bf16(v));
  Dev<bf16> dout(static_cast<size_t>(T) * H * HD);
  Dev<float> dinv(inv.size()), dsl(sl.size());
  Dev<int> dpos(1);
  FALCON_CUDA_CHECK(cudaMemcpy(dinv.p, inv.data(), inv.size() * 4, cudaMemcpyHostToDevice));
  FALCON_CUDA_CHECK(cudaMemcpy(dsl.p, sl.data(), sl.size() * 4, cudaMemcpyHostToDevice));
  poison(dout.p, dout.n * 2);
  gpu::AttnArgs a;
  a.shape = {H, KV, HD, cap};
  a.q = dq->p;
  a.ldq = H * HD;
  a.k_cache = dk->p;
  a.v_cache = dv->p;
  a.out = dout.p;
  a.ldo = H * HD;
  a.inv_freq = rope ? dinv.p : nullptr;
  a.slopes = alibi ? dsl.p : nullptr;
  std::string what = std::string(decode ? "attention decode" : "attention prefill") +
                     " H=" + std::to_string(H) + " KV=" + std::to_string(KV) + " HD=" + std::to_string(HD) +
                     " T=" + std::to_string(T) + " pos0=" + std::to_string(pos0) + (rope ? " rope" : "") +
                     (alibi ? " alibi" : "") + (min_cap ? " cap=" + std::to_string(cap) : "");
  const auto ref =
      attention_ref(q, k, v, T, pos0, H, KV, HD, cap, rope ? &inv : nullptr, alibi ? &sl : nullptr);
  if (decode) {
    const gpu::DecodePlan plan = gpu::plan_decode_attention(a.shape, cap, 132);
    Dev<float> ws(gpu::decode_workspace_bytes(a.shape, plan) / 4 + 1);
    Dev<int> counters(static_cast<size_t>(gpu::decode_counter_count(a.shape, plan)) + 1);
    FALCON_CUDA_CHECK(cudaMemset(counters.p, 0, counters.n * 4));
    FALCON_CUDA_CHECK(cudaMemcpy(dpos.p, &pos0, 4, cudaMemcpyHostToDevice));
    const int used = falcon::gpu::decode_split((pos0 + 64) / 64, plan.splits, plan.key_warps).splits;
    what += " (splits " + std::to_string(plan.splits) + ", used " + std::to_string(used) + ", row tiles " +
            std::to_string(plan.rows_tiles) + ", key warps " + std::to_string(plan.key_warps) +
            (plan.fallback ? ", generic)" : ")");
    // Twice: the second launch checks that the counters were left at zero.
    for (int rep = 0; rep < 2; ++rep) {
      poison(dout.p, dout.n * 2);
      gpu::launch_attention_decode(a, dpos.p, plan, ws.p, counters.p, nullptr);
    }
    FALCON_CUDA_CHECK(cudaDeviceSynchronize());
    check_close(ck, from_dev_bf16(dout.p, dout.n), ref, 2e-2, what);
    return;
  }
  // Prefill: the mma.sync kernel, and the wgmma one wherever it can run (head_dim 64 on a
  // compute capability 9.0 device), each against the same reference.
  std::vector<gpu::PrefillAttnKernel> kernels{gpu::PrefillAttnKernel::Mma};
  if (gpu::attention_wgmma_usable(a.shape)) kernels.push_back(gpu::PrefillAttnKernel::Wgmma);
  for (gpu::PrefillAttnKernel kind : kernels) {
    poison(dout.p, dout.n * 2);
    gpu::launch_attention_prefill(a, T, pos0, nullptr, kind);
    FALCON_CUDA_CHECK(cudaDeviceSynchronize());
    check_close(ck, from_dev_bf16(dout.p, dout.n), ref, 2e-2,
                what + (kind == gpu::PrefillAttnKernel::Wgmma ? " (wgmma)" : " (mma.sync)"));
  }
}

// ---- GEMV ---------------------------------------------------------------------------------------
// segs < 0: no split-K scratch (one warp per pair); 0: the scratch, segments as the launcher
// picks; N: N segments forced. With scratch the GEMV runs twice on it: the second run only
// comes out right if the first left the counters at zero.
// maxima (Store): GemvArgs::block_max too, checked against the stored values; a bias then puts
// NaN in one row of block 1 and in every row of the last block (n >= 48).
void test_gemv_store(Checks& ck, int n, int k, bool residual, bool bias, int segs = -1, bool maxima = false) {
  const auto w = rand_bf16(static_cast<size_t>(n) * k, 1.f), x = rand_bf16(k, 1.f);
  auto b = rand_bf16(n, 1.f);
  if (maxima && bias && n >= 48) {
    b[17] = std::numeric_limits<float>::quiet_NaN();
    for (int r = (n - 1) / 16 * 16; r < n; ++r) b[r] = std::numeric_limits<float>::quiet_NaN();
  }
  const auto y0 = rand_bf16(n, 1.f);
  std::unique_ptr<Dev<bf16>> dw(to_dev_bf16(w)), dx(to_dev_bf16(x));
  Dev<float> dy(n), db(n);
  const gpu::GemvSplit sp = gpu::gemv_bf16_split(n);
  Dev<float> ws(segs >= 0 ? sp.floats : 1);
  Dev<int> cnt(segs >= 0 ? sp.counters : 1);
  FALCON_CUDA_CHECK(cudaMemset(cnt.p, 0, cnt.n * 4));
  FALCON_CUDA_CHECK(cudaMemcpy(db.p, b.data(), n * 4, cudaMemcpyHostToDevice));
  gpu::GemvArgs g;
  g.w = dw->p, g.n_rows = n, g.k = k, g.ldw = k, g.xa = dx->p, g.bias = bias ? db.p : nullptr,
  g.out_f32 = dy.p;
  if (segs >= 0) g.split_ws = ws.p, g.split_counters = cnt.p, g.k_segments = segs;
  Dev<float> dmax((n + 15) / 16);
  if (maxima) g.block_max = dmax.p;
  std::vector<double> ref(n);
  for (int r = 0; r < n; ++r) {
    double s = (residual ? y0[r] : 0.0) + (bias ? b[r] : 0.0);
    for (int i = 0; i < k; ++i) s += double(w[static_cast<size_t>(r) * k + i]) * x[i];
    ref[r] = s;
  }
  for (int run = 0; run < (segs >= 0 ? 2 : 1); ++run) {
    if (residual)
      FALCON_CUDA_CHECK(cudaMemcpy(dy.p, y0.data(), n * 4, cudaMemcpyHostToDevice));
    else
      poison(dy.p, n * 4);
    if (maxima) poison(dmax.p, dmax.n * 4);
    gpu::launch_gemv(residual ? gpu::GemvEpilogue::Residual : gpu::GemvEpilogue::Store, g, nullptr);
    std::vector<float> got(n);
    FALCON_CUDA_CHECK(cudaMemcpy(got.data(), dy.p, n * 4, cudaMemcpyDeviceToHost));
    const std::string what =
        std::string("gemv ") + (residual ? "residual" : "store") + " n=" + std::to_string(n) +
        " k=" + std::to_string(k) + (bias ? " bias" : "") +
        (segs >= 0 ? " k segments " + std::to_string(segs) + " run " + std::to_string(run) : "") +
        (maxima ? " block maxima" : "");
    if (maxima) {
      std::vector<float> m(dmax.n);
      FALCON_CUDA_CHECK(cudaMemcpy(m.data(), dmax.p, dmax.n * 4, cudaMemcpyDeviceToHost));
      std::string why;
      const bool same = block_maxima_match(got, m.data(), &why);  // sets why: before the message
      ck.expect(same, what + ": block maxima: " + why);
      for (int r = 0; r < n; ++r)  // the NaN rows (NaN in both): the others against the reference
        if (bias && std::isnan(b[r]) && std::isnan(got[r])) {
          got[r] = 0.f;
          ref[r] = 0.0;
        }
    }
    check_close(ck, got, ref, 1e-4, what);
  }
}

// GemvArgs::k_ready, on a stream of its own (programmatic dependent launch, as in the backend):
// the predecessor writes x[k_ready, k) only after spinning (hold_us), NaN until then. The GEMV must
// use the written values. The same launch told k_ready = k (a lie) must read the NaN: that shows
// the GEMV really ran beside the writer, so the first check could have failed.

// The fp64 product of w (n, k) and x.
std::vector<double> gemv_ref(const std::vector<float>& w, const std::vector<float>& x, int n, int k) {
  std::vector<double> ref(n);
  for (int r = 0; r < n; ++r) {
    double s = 0;
    for (int i = 0; i < k; ++i) s += double(w[static_cast<size_t>(r) * k + i]) * x[i];
    ref[r] = s;
  }
  return ref;
}

void test_gemv_k_ready(Checks& ck, int n, int k, int k_ready, int segs) {
  const auto w = rand_bf16(static_cast<size_t>(n) * k, 1.f), x = rand_bf16(k, 1.f);
  std::unique_ptr<Dev<bf16>> dw(to_dev_bf16(w)), dsrc(to_dev_bf16(x)), dx(to_dev_bf16(x));
  Dev<float> dy(n);
  const gpu::GemvSplit sp = gpu::gemv_bf16_split(n);
  Dev<float> ws(sp.floats);
  Dev<int> cnt(sp.counters);
  FALCON_CUDA_CHECK(cudaMemset(cnt.p, 0, cnt.n * 4));
  const std::vector<double> ref = gemv_ref(w, x, n, k);
  const std::string what = "gemv k_ready " + std::to_string(k_ready) + " n=" + std::to_string(n) +
                           " k=" + std::to_string(k) + " segments " + std::to_string(segs);
  for (const bool lie : {false, true}) {
    poison(dx->p + k_ready, static_cast<size_t>(k - k_ready) * 2);
    poison(dy.p, n * 4);
    FALCON_CUDA_CHECK(cudaDeviceSynchronize());
    gpu::GemvArgs g;
    g.w = dw->p, g.n_rows = n, g.k = k, g.ldw = k, g.xa = dx->p, g.out_f32 = dy.p;
    g.split_ws = ws.p, g.split_counters = cnt.p, g.k_segments = segs, g.k_ready = lie ? k : k_ready;
    launch_late_writer(reinterpret_cast<uint16_t*>(dx->p), reinterpret_cast<const uint16_t*>(dsrc->p),
                       k_ready, k, hold_us(static_cast<size_t>(n) * k * 2, 200), pdl_stream());
    gpu::launch_gemv(gpu::GemvEpilogue::Store, g, pdl_stream());
    FALCON_CUDA_CHECK(cudaStreamSynchronize(pdl_stream()));
    std::vector<float> got(n);
    FALCON_CUDA_CHECK(cudaMemcpy(got.data(), dy.p, n * 4, cudaMemcpyDeviceToHost));
    if (!lie)
      check_close(ck, got, ref, 1e-4, what);
    else
      expect_read_early(ck, got, what + ": told k_ready = k, every row read the NaN columns");
  }
}

// GemvArgs::ready (ReadySignal): x is all NaN until the predecessor writes x[0, k_ready) after
// a while (hold_us), signals, and writes the rest as long again later. Given the signal, the GEMV must get
// the product; told k_ready = k it must read the late NaN, and without the signal the early NaN (so both
// waits are real). A writer that never signals must cost the GEMV time (its 2 ms fall-back to waiting for the
// writer's end), not the product, nor a hang.
void test_gemv_ready_signal(Checks& ck, int n, int k, int k_ready) {
  const auto w = rand_bf16(static_cast<size_t>(n) * k, 1.f), x = rand_bf16(k, 1.f);
  std::unique_ptr<Dev<bf16>> dw(to_dev_bf16(w)), dsrc(to_dev_bf16(x)), dx(to_dev_bf16(x));
  Dev<float> dy(n);
  const gpu::GemvSplit sp = gpu::gemv_bf16_split(n);
  Dev<float> ws(sp.floats);
  Dev<int> cnt(sp.counters), serial(1);
  Dev<unsigned> flag(1);
  FALCON_CUDA_CHECK(cudaMemset(cnt.p, 0, cnt.n * 4));
  FALCON_CUDA_CHECK(cudaMemset(flag.p, 0, 4));
  const std::vector<double> ref = gemv_ref(w, x, n, k);
  const std::string what = "gemv ready signal, k_ready " + std::to_string(k_ready) +
                           " n=" + std::to_string(n) + " k=" + std::to_string(k);
  int step = 0;
  for (const char* mode : {"truth", "lie", "no signal", "signal never comes"}) {
    const bool truth = mode[0] == 't' || mode[0] == 's', lie = mode[0] == 'l';
    ++step;  // a new serial each run, as each decode step has
    FALCON_CUDA_CHECK(cudaMemcpy(serial.p, &step, 4, cudaMemcpyHostToDevice));
    poison(dx->p, static_cast<size_t>(k) * 2);
    poison(dy.p, n * 4);
    FALCON_CUDA_CHECK(cudaDeviceSynchronize());
    gpu::GemvArgs g;
    g.w = dw->p, g.n_rows = n, g.k = k, g.ldw = k, g.xa = dx->p, g.out_f32 = dy.p;
    g.split_ws = ws.p, g.split_counters = cnt.p, g.k_ready = lie ? k : k_ready;
    if (mode[0] != 'n') g.ready = {flag.p, serial.p};
    launch_signal_writer(reinterpret_cast<uint16_t*>(dx->p), reinterpret_cast<const uint16_t*>(dsrc->p),
                         k_ready, k, flag.p, serial.p, hold_us(static_cast<size_t>(n) * k * 2, 100),
                         hold_us(static_cast<size_t>(n) * k * 2, 100), pdl_stream(), mode[0] != 's');
    gpu::launch_gemv(gpu::GemvEpilogue::Store, g, pdl_stream());
    FALCON_CUDA_CHECK(cudaStreamSynchronize(pdl_stream()));
    std::vector<float> got(n);
    FALCON_CUDA_CHECK(cudaMemcpy(got.data(), dy.p, n * 4, cudaMemcpyDeviceToHost));
    if (truth)
      check_close(ck, got, ref, 1e-4, what + (mode[0] == 's' ? " (the signal never comes)" : ""));
    else
      expect_read_early(ck, got,
                        what + (lie ? ": told k_ready = k, every row read the late NaN"
                                    : ": without the signal, every row read the early NaN"));
  }
}

// QKV + up rows with RoPE, cache append and GELU; xa for QKV rows, xb for the MLP rows.
void test_gemv_qkv_up(Checks& ck, int H, int KV, int HD, int dim, int ffn, int pos, bool rope,
                      int segs = -1) {
  const int qkv = (H + 2 * KV) * HD, n = qkv + ffn, cap = 128;
  const auto w = rand_bf16(static_cast<size_t>(n) * dim, 0.3f), xa = rand_bf16(dim, 1.f),
             xb = rand_bf16(dim, 1.f);
  const auto b = rand_bf16(n, 0.5f);
  const auto inv = inv_freq_of(HD, 10000.0);
  std::unique_ptr<Dev<bf16>> dw(to_dev_bf16(w)), dxa(to_dev_bf16(xa)), dxb(to_dev_bf16(xb));
  Dev<bf16> q(static_cast<size_t>(H) * HD), h(ffn), kc(static_cast<size_t>(KV) * cap * HD), vc(kc.n);
  Dev<float> db(n), dinv(inv.size());
  Dev<int> dpos(1);
  FALCON_CUDA_CHECK(cudaMemcpy(db.p, b.data(), n * 4, cudaMemcpyHostToDevice));
  FALCON_CUDA_CHECK(cudaMemcpy(dinv.p, inv.data(), inv.size() * 4, cudaMemcpyHostToDevice));
  FALCON_CUDA_CHECK(cudaMemcpy(dpos.p, &pos, 4, cudaMemcpyHostToDevice));
  for (auto* p : {&q, &h, &kc, &vc}) poison(p->p, p->n * 2);
  gpu::GemvArgs g;
  g.w = dw->p, g.n_rows = n, g.k = dim, g.ldw = dim, g.xa = dxa->p, g.xb = dxb->p, g.split = qkv,
  g.bias = db.p;
  g.q_out = q.p, g.h_out = h.p, g.k_cache = kc.p, g.v_cache = vc.p, g.pos = dpos.p;
  g.inv_freq = rope ? dinv.p : nullptr;
  g.shape = {H, KV, HD, cap};
  const gpu::GemvSplit sp = gpu::gemv_bf16_split(n);
  Dev<float> ws(segs >= 0 ? sp.floats : 1);
  Dev<int> cnt(segs >= 0 ? sp.counters : 1);
  FALCON_CUDA_CHECK(cudaMemset(cnt.p, 0, cnt.n * 4));
  if (segs >= 0) g.split_ws = ws.p, g.split_counters = cnt.p, g.k_segments = segs;
  gpu::launch_gemv(gpu::GemvEpilogue::QkvUp, g, nullptr);
  FALCON_CUDA_CHECK(cudaDeviceSynchronize());
  std::vector<double> y(n);
  for (int r = 0; r < n; ++r) {
    const auto& x = r < qkv ? xa : xb;
    double s = b[r];
    for (int i = 0; i < dim; ++i) s += double(w[static_cast<size_t>(r) * dim + i]) * x[i];
    y[r] = s;
  }
  std::vector<double> rq(y.begin(), y.begin() + H * HD), rk, rv, rh;
  for (int kh = 0; kh < KV; ++kh) {
    std::vector<double> kk(y.begin() + H * HD + kh * HD, y.begin() + H * HD + (kh + 1) * HD);
    if (rope)
      for (int i = 0; i < HD / 2; ++i) {
        const double a = static_cast<float>(pos) * inv[i];
        const double x1 = kk[i], x2 = kk[i + HD / 2];
        kk[i] = x1 * std::cos(a) - x2 * std::sin(a);
        kk[i + HD / 2] = x2 * std::cos(a) + x1 * std::sin(a);
      }
    rk.insert(rk.end(), kk.begin(), kk.end());
    rv.insert(rv.end(), y.begin() + (H + KV + kh) * HD, y.begin() + (H + KV + kh + 1) * HD);
  }
  for (int i = 0; i < ffn; ++i) rh.push_back(0.5 * y[qkv + i] * (1 + std::erf(y[qkv + i] / std::sqrt(2.0))));
  const auto gk = from_dev_bf16(kc.p, kc.n), gv = from_dev_bf16(vc.p, vc.n);
  std::vector<float> gk_pos, gv_pos;
  for (int kh = 0; kh < KV; ++kh)
    for (int d = 0; d < HD; ++d) {
      gk_pos.push_back(gk[(static_cast<size_t>(kh) * cap + pos) * HD + d]);
      gv_pos.push_back(gv[(static_cast<size_t>(kh) * cap + pos) * HD + d]);
    }
  const std::string tag = " H=" + std::to_string(H) + " KV=" + std::to_string(KV) +
                          " HD=" + std::to_string(HD) + (rope ? " rope" : "") +
                          " pos=" + std::to_string(pos) +
                          (segs >= 0 ? " k segments " + std::to_string(segs) : "");
  check_close(ck, from_dev_bf16(q.p, q.n), rq, 1e-2, "gemv qkv-up: Q" + tag);
  check_close(ck, gk_pos, rk, 1e-2, "gemv qkv-up: K in cache" + tag);
  check_close(ck, gv_pos, rv, 1e-2, "gemv qkv-up: V in cache" + tag);
  check_close(ck, from_dev_bf16(h.p, h.n), rh, 1e-2, "gemv qkv-up: gelu(up)" + tag);
}

// ---- LayerNorm ----------------------------------------------------------------------------------
void test_layernorm(Checks& ck, int rows, int dim, bool two, bool bias) {
  std::vector<float> x(static_cast<size_t>(rows) * dim);
  std::uniform_real_distribution<float> u(-3.f, 5.f);
  for (auto& v : x) v = u(rng);
  const auto g1 = rand_bf16(dim, 1.f), b1 = rand_bf16(dim, 1.f), g2 = rand_bf16(dim, 1.f),
             b2 = rand_bf16(dim, 1.f);
  Dev<float> dx(x.size()), dg1(dim), db1(dim), dg2(dim), db2(dim);
  Dev<bf16> o1(x.size()), o2(x.size());
  FALCON_CUDA_CHECK(cudaMemcpy(dx.p, x.data(), x.size() * 4, cudaMemcpyHostToDevice));
  for (auto [d, h] : {std::pair{&dg1, &g1}, {&db1, &b1}, {&dg2, &g2}, {&db2, &b2}})
    FALCON_CUDA_CHECK(cudaMemcpy(d->p, h->data(), dim * 4, cudaMemcpyHostToDevice));
  poison(o1.p, o1.n * 2);
  poison(o2.p, o2.n * 2);
  gpu::launch_layernorm(dx.p, dim, rows, dim, 1e-5f, dg1.p, bias ? db1.p : nullptr, o1.p,
                        two ? dg2.p : nullptr, bias ? db2.p : nullptr, two ? o2.p : nullptr, dim, nullptr);
  FALCON_CUDA_CHECK(cudaDeviceSynchronize());
  std::vector<double> r1, r2;
  for (int r = 0; r < rows; ++r) {
    double m = 0, var = 0;
    for (int i = 0; i < dim; ++i) m += x[static_cast<size_t>(r) * dim + i];
    m /= dim;
    for (int i = 0; i < dim; ++i) var += std::pow(x[static_cast<size_t>(r) * dim + i] - m, 2);
    const double rs = 1 / std::sqrt(var / dim + 1e-5);
    for (int i = 0; i < dim; ++i) {
      const double nrm = (x[static_cast<size_t>(r) * dim + i] - m) * rs;
      r1.push_back(nrm * g1[i] + (bias ? b1[i] : 0));
      r2.push_back(nrm * g2[i] + (bias ? b2[i] : 0));
    }
  }
  const std::string tag =
      " rows=" + std::to_string(rows) + " dim=" + std::to_string(dim) + (bias ? " bias" : "");
  check_close(ck, from_dev_bf16(o1.p, o1.n), r1, 1e-2, "layernorm first" + tag);
  if (two) check_close(ck, from_dev_bf16(o2.p, o2.n), r2, 1e-2, "layernorm second (same read)" + tag);
}

// The GEMV's split plans count the warps the device holds from one variant (gemv_occupancy's
// `planned`); every launched variant must fit as many blocks, and the register bound chosen in
// run 19 (docs/GPU_NOTES.md) keeps 4 blocks of 8 warps per SM. A kernel edit that pushed a variant
// past 64 registers would fail here instead of silently running fewer warps than planned.
void test_gemv_occupancy(Checks& ck) {
  const gpu::GemvOccupancy o = gpu::gemv_occupancy();
  ck.expect(o.warps_per_block * o.planned >= 32, "gemv occupancy: " + std::to_string(o.planned) +
                                                     " blocks of " + std::to_string(o.warps_per_block) +
                                                     " warps per SM (at least 32 warps)");
  ck.expect(o.fewest == o.planned,
            "gemv occupancy: every launched variant fits as many blocks as the plans assume (" +
                std::to_string(o.fewest) + " vs " + std::to_string(o.planned) + ")");
}

// The read-ceiling kernel: the XOR of every 32-bit word against the host's, on a buffer whose
// 16-byte chunks do not fill the last round of loads, twice (XOR-ing into the sink twice gives
// 0 back: every word is read exactly once per launch); a misaligned buffer is refused.
void test_read_stream(Checks& ck, size_t n16) {
  std::vector<uint32_t> h(n16 * 4);
  std::uniform_int_distribution<uint32_t> u;
  for (auto& w : h) w = u(rng);
  uint32_t want = 0;
  for (uint32_t w : h) want ^= w;
  Dev<uint32_t> d(h.size()), sink(1);
  FALCON_CUDA_CHECK(cudaMemcpy(d.p, h.data(), h.size() * 4, cudaMemcpyHostToDevice));
  FALCON_CUDA_CHECK(cudaMemset(sink.p, 0, 4));
  gpu::launch_read_stream(d.p, n16 * 16, sink.p, 3, nullptr);
  uint32_t got = 0;
  FALCON_CUDA_CHECK(cudaMemcpy(&got, sink.p, 4, cudaMemcpyDeviceToHost));
  ck.expect(got == want, "read_stream: XOR of " + std::to_string(n16) + " chunks matches the host's");
  gpu::launch_read_stream(d.p, n16 * 16, sink.p, 132, nullptr);
  FALCON_CUDA_CHECK(cudaMemcpy(&got, sink.p, 4, cudaMemcpyDeviceToHost));
  ck.expect(got == 0, "read_stream: a second pass (more blocks) XORs the same words back to 0");
  bool threw = false;
  try {
    gpu::launch_read_stream(reinterpret_cast<const char*>(d.p) + 4, 32, sink.p, 1, nullptr);
  } catch (const falcon::Error&) {
    threw = true;
  }
  ck.expect(threw, "read_stream: a misaligned buffer is refused");
}

}  // namespace
}  // namespace falcon::test

int main() {
  using namespace falcon::test;
  if (no_device()) return 77;
  Checks ck;
  try {
    // 24 blocks, then a 132-SM grid: three whole rounds of its unrolled loads and a ragged fourth.
    test_read_stream(ck, 3 * 132 * 8 * 256 * 4 + 12345);
    test_read_stream(ck, 1);
    test_gemv_occupancy(ck);
    test_blas(ck, 256, 384, 520, false);
    test_blas(ck, 200, 264, 1000, true);
    test_layernorm(ck, 3, 4544, true, true);
    test_layernorm(ck, 5, 100, false, false);
    test_layernorm(ck, 1, 8192, true, true);
    test_gemv_store(ck, 1001, 4544, false, false);
    test_gemv_store(ck, 257, 100, false, true);  // scalar path (k % 8 != 0)
    test_gemv_store(ck, 4096, 8192, true, true);
    test_gemv_qkv_up(ck, 8, 2, 64, 512, 1024, 77, true);
    test_gemv_qkv_up(ck, 4, 1, 16, 64, 256, 5, true);
    test_gemv_qkv_up(ck, 4, 4, 64, 256, 256, 3, false);
    // Falcon-7B's k (4544 = 568 16-byte chunks, 22720): a partial last round of loads per row.
    test_gemv_qkv_up(ck, 8, 1, 64, 4544, 1000, 33, true);
    test_gemv_store(ck, 300, 22720, true, false);
    // Split k: segments forced (2 to 8; uneven last segment; the scalar path), and the
    // launcher's own choice on Falcon-7B's and Falcon-40B's down projections (residual + bias).
    test_gemv_store(ck, 300, 22720, true, true, 2);
    test_gemv_store(ck, 129, 5000, false, true, 3);
    test_gemv_store(ck, 64, 4544, true, false, 4);   // 568 chunks in 32-chunk blocks: 160 x 3 + 88
    test_gemv_store(ck, 129, 5000, false, true, 5);  // 625 chunks: 128 x 4 + 113
    test_gemv_store(ck, 300, 22720, true, true, 8);  // 2840 chunks: 384 x 7 + 152
    test_gemv_store(ck, 257, 2100, false, true, 2);  // scalar path (k % 8 != 0)
    test_gemv_store(ck, 4544, 22720, true, true, 0);
    test_gemv_store(ck, 8192, 40960, true, true, 0);  // 5 segments on the H200
    test_gemv_qkv_up(ck, 8, 1, 64, 4544, 1000, 33, true, 2);
    // Falcon-7B's QKV + fc1 at its real size (22848 x 4544: 71 query heads and one KV head, 18176
    // fc1 rows), with the split scratch given and the launcher's choice: Store, fused epilogue.
    test_gemv_store(ck, 22848, 4544, false, true, 0);
    test_gemv_qkv_up(ck, 71, 1, 64, 4544, 18176, 40, true, 0);
    // Block maxima (the head): Falcon-7B's and -40B's heads at full size, a row count that ends
    // mid-block, a k the launcher would split (and does not, with maxima), the scalar path, NaN.
    test_gemv_store(ck, 65024, 4544, false, false, 0, true);
    test_gemv_store(ck, 65024, 8192, false, false, 0, true);
    test_gemv_store(ck, 1001, 4544, false, true, 0, true);
    test_gemv_store(ck, 129, 22720, false, true, 3, true);
    test_gemv_store(ck, 257, 100, false, true, -1, true);
    test_gemv_store(ck, 7, 64, false, false, -1, true);
    // k_ready: Falcon-7B's down projection (ffn 18176 of 22720, inside the second segment), one
    // segment with the boundary mid-row, and a boundary that is not a whole 16-byte chunk.
    test_gemv_k_ready(ck, 4544, 22720, 18176, 0);
    test_gemv_k_ready(ck, 512, 40960, 32768, 1);
    test_gemv_k_ready(ck, 512, 40960, 32768, 6);   // boundary inside the fifth of 6 segments
    test_gemv_k_ready(ck, 8192, 40960, 32768, 0);  // Falcon-40B, the launcher's choice
    test_gemv_k_ready(ck, 300, 5000, 3003, 2);
    test_gemv_ready_signal(ck, 4544, 22720, 18176);
    test_gemv_ready_signal(ck, 4096, 40960, 32768);
    // Prefill, tensor cores and generic. A build with sm_90 code runs the wgmma kernel on a 9.0
    // device (test_attention checks it beside the mma.sync one).
#ifdef FALCON_HAVE_WGMMA
    {
      int dev = 0, major = 0, minor = 0;
      FALCON_CUDA_CHECK(cudaGetDevice(&dev));
      FALCON_CUDA_CHECK(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, dev));
      FALCON_CUDA_CHECK(cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, dev));
      const bool usable = falcon::gpu::attention_wgmma_usable({128, 8, 64, 128});
      ck.expect(usable == (major == 9 && minor == 0),
                "the wgmma prefill kernel is used exactly on compute capability 9.0 (this device: " +
                    std::to_string(major) + "." + std::to_string(minor) + ")");
      ck.expect(!falcon::gpu::attention_wgmma_usable({128, 8, 128, 128}) &&
                    !falcon::gpu::attention_wgmma_usable({128, 8, 64, 100}),
                "the wgmma prefill kernel refuses head_dim 128 and a cache capacity off the 64-key tiles");
    }
#endif
    for (int T : {1, 7, 63, 65, 200}) test_attention(ck, false, 8, 2, 64, T, 0, true, false);
    test_attention(ck, false, 4, 1, 128, 130, 37, true, false);
    test_attention(ck, false, 36, 1, 32, 63, 100, true, false);
    test_attention(ck, false, 4, 4, 64, 129, 0, false, true);
    test_attention(ck, false, 6, 1, 16, 20, 5, true, false);
    test_attention(ck, false, 4, 4, 16, 33, 0, false, true);
    // Prefill after cached keys (pos0 > 0) over several 128-row blocks: each warp's tiles wholly
    // below its first row skip the mask, tiles past its last row are skipped, and the row blocks
    // run last-first. ALiBi with the unmasked path too.
    test_attention(ck, false, 16, 2, 64, 300, 77, true, false);
    test_attention(ck, false, 4, 4, 64, 257, 64, false, true);
    test_attention(ck, false, 8, 1, 32, 129, 500, true, false);
    // Falcon-7B's heads (MQA, 71 heads) over five row blocks, and a short prompt after a long
    // cache: 30 unmasked tiles through both shared-memory stages before the diagonal.
    test_attention(ck, false, 71, 1, 64, 600, 0, true, false);
    test_attention(ck, false, 8, 1, 64, 130, 1900, true, false);
    // The bench's 576-token prefill: the last row block's second warpgroup has no rows over nine
    // key tiles. (A TMA form of the wgmma kernel, docs/bench/wgmma-tma-run23.patch, hung on the
    // case above and deadlocks here too: that warpgroup's arrivals on its ring's barriers ran ahead
    // of the tiles. docs/GPU_NOTES.md, run 24.)
    test_attention(ck, false, 128, 8, 64, 576, 0, true, false);
    // Decode (split-K), every group shape of the real models and more.
    // Under compute-sanitizer (FALCON_KERNEL_TEST_QUICK) the largest cases are left out.
    const bool quick = std::getenv("FALCON_KERNEL_TEST_QUICK") != nullptr;
    for (int n : {1, 64, 65, 512, 8192})
      if (!quick || n < 8192) test_attention(ck, true, 128, 8, 64, 1, n - 1, true, false);
    test_attention(ck, true, 71, 1, 64, 1, 999, true, false);               // Falcon-7B: 5 row tiles
    if (!quick) test_attention(ck, true, 232, 8, 64, 1, 300, true, false);  // Falcon-180B: group of 29
    test_attention(ck, true, 32, 8, 128, 1, 700, true, false);              // Falcon2-11B
    test_attention(ck, true, 32, 32, 64, 1, 2047, false, true);             // RW-1B: MHA + ALiBi
    test_attention(ck, true, 40, 2, 32, 1, 300, false, true);
    test_attention(ck, true, 6, 1, 16, 1, 49, true, false);  // generic
    // A cache planned for many more keys than the position has (the decode graph is captured once
    // for the capacity): one split that writes the output itself, or a few of the planned ones.
    test_attention(ck, true, 128, 8, 64, 1, 511, true, false, 8256);
    test_attention(ck, true, 71, 1, 64, 1, 100, true, false, 2176);
    test_attention(ck, true, 128, 8, 64, 1, 1500, true, false, 8256);
    test_attention(ck, true, 32, 8, 128, 1, 700, true, false, 4096);
    test_attention(ck, true, 40, 2, 32, 1, 900, false, true, 4096);
  } catch (const std::exception& e) {
    ck.expect(false, std::string("exception: ") + e.what());
  }
  return ck.finish("test_gpu_kernels");
}
