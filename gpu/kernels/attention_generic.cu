// Attention family, generic path: any head_dim (up to 256) and any cache capacity. Used by the
// tiny test models (head_dim 8 or 16) and as the fallback of the tensor-core kernel; same
// semantics as attention.cu (RoPE on Q inside, ALiBi, causal, fp32 softmax), plain FMAs.
// One block per (token, head); keys in chunks of one per thread, block-wide online softmax.
#include <algorithm>

#include "gpu/cuda_check.h"
#include "gpu/kernels/common.cuh"
#include "gpu/kernels/kernels.h"

namespace falcon::gpu {
namespace {

constexpr int kThreads = 128;
constexpr int kMaxHd = 256;

__global__ void __launch_bounds__(kThreads)
    attention_generic_kernel(AttnArgs a, int pos0, const int* __restrict__ dpos) {
  __shared__ float q[kMaxHd], o[kMaxHd], p[kThreads], scratch[32];
  const int tok = blockIdx.x, head = blockIdx.y, hd = a.shape.head_dim;
  // An ordinary launch: the kernel before has completed (ReadySignal).
  if (dpos && a.signal.flag && tok == 0 && head == 0 && threadIdx.x == 0)
    signal_ready(a.signal.flag, a.signal.serial);
  const int G = a.shape.num_heads / a.shape.num_kv, kvh = head / G;
  const int qpos = (dpos ? *dpos : pos0) + tok;
  const bf16* qp = a.q + static_cast<size_t>(tok) * a.ldq + head * hd;
  for (int d = threadIdx.x; d < hd; d += blockDim.x) {
    float v = __bfloat162float(qp[d]);
    if (a.inv_freq) {
      const int half = hd / 2, i = d % half;
      float sn, cs;
      sincosf(static_cast<float>(qpos) * a.inv_freq[i], &sn, &cs);
      const float other = __bfloat162float(qp[d < half ? d + half : d - half]);
      v = d < half ? v * cs - other * sn : v * cs + other * sn;
    }
    q[d] = v;
    o[d] = 0.f;
  }
  __syncthreads();
  const float scale = rsqrtf(static_cast<float>(hd));
  const float slope = a.slopes ? a.slopes[head] : 0.f;
  const bf16* kb = a.k_cache + static_cast<size_t>(kvh) * a.shape.cache_cap * hd;
  const bf16* vb = a.v_cache + static_cast<size_t>(kvh) * a.shape.cache_cap * hd;
  float m = -INFINITY, l = 0.f;
  for (int k0 = 0; k0 <= qpos; k0 += kThreads) {
    const int key = k0 + threadIdx.x;
    float s = -INFINITY;
    if (key <= qpos) {
      const bf16* kr = kb + static_cast<size_t>(key) * hd;
      float dot = 0.f;
      for (int d = 0; d < hd; ++d) dot = fmaf(q[d], __bfloat162float(kr[d]), dot);
      const float bias = a.slopes ? __bfloat162float(__float2bfloat16(slope * static_cast<float>(key))) : 0.f;
      s = (dot + bias) * scale;
    }
    const float m_new = fmaxf(m, block_max(s, scratch));  // key k0 <= qpos always exists
    const float corr = __expf(m - m_new);
    const float pj = key <= qpos ? __expf(s - m_new) : 0.f;
    p[threadIdx.x] = pj;
    l = l * corr + block_sum(pj, scratch);  // block_sum's barriers also publish p[]
    m = m_new;
    const int n = min(kThreads, qpos + 1 - k0);
    for (int d = threadIdx.x; d < hd; d += blockDim.x) {
      float acc = o[d] * corr;
      for (int j = 0; j < n; ++j)
        acc = fmaf(p[j], __bfloat162float(vb[static_cast<size_t>(k0 + j) * hd + d]), acc);
      o[d] = acc;
    }
    __syncthreads();  // p[] is rewritten by the next chunk
  }
  bf16* op = a.out + static_cast<size_t>(tok) * a.ldo + head * hd;
  for (int d = threadIdx.x; d < hd; d += blockDim.x) op[d] = __float2bfloat16(o[d] / l);
}

}  // namespace

void launch_attention_generic(const AttnArgs& a, int rows, int pos0, const int* pos, cudaStream_t stream) {
  if (rows <= 0) return;
  if (a.shape.head_dim > kMaxHd || a.shape.head_dim <= 0)
    throw Error(ErrorKind::Load, "attention: head_dim " + std::to_string(a.shape.head_dim) + " is above 256");
  attention_generic_kernel<<<dim3(rows, a.shape.num_heads), kThreads, 0, stream>>>(a, pos0, pos);
  FALCON_CHECK_LAUNCH("attention_generic_kernel");
}

}  // namespace falcon::gpu
