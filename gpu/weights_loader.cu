// Device layout of a model and the two ways to fill its weights: from a safetensors checkpoint
// (pinned staging buffers, host conversion to bf16 overlapped with the DMA of the previous
// chunk) and synthetic (random bf16 made on the device, for benchmarks of real shapes).
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <thread>

#include "core/model/checkpoint.h"
#include "gpu/cuda_check.h"
#include "gpu/cuda_model.h"
#include "gpu/kernels/kernels.h"
#include "gpu/weights_loader.h"

namespace falcon::gpu {
namespace {

int round_up(int v, int m) {
  return (v + m - 1) / m * m;
}

// Bump allocator over the one device allocation (or a counter when base is null).
struct Carver {
  char* base;
  uint64_t off = 0;
  template <class T>
  T* take(uint64_t count) {
    off = (off + 255) / 256 * 256;
    T* p = base ? reinterpret_cast<T*>(base + off) : nullptr;
    off += count * sizeof(T);
    return p;
  }
};

uint16_t f32_to_bf16_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  if ((u & 0x7f800000u) == 0x7f800000u)
    return static_cast<uint16_t>((u >> 16) | ((u & 0xffffu) ? 0x40u : 0u));
  u += 0x7fffu + ((u >> 16) & 1u);
  return static_cast<uint16_t>(u >> 16);
}

}  // namespace

Dims make_dims(const ModelConfig& c, int cache_capacity, int max_batch_tokens, WeightFormat weights,
               WeightFormat head) {
  if (!layer_format_ok(weights)) throw Error(ErrorKind::Usage, kInt6LayersMessage);
  Dims d;
  d.weights = weights;
  d.head = head;
  d.quant_head = head != WeightFormat::Bf16;
  d.dim = c.hidden_size;
  d.ffn = c.ffn_hidden_size;
  d.heads = c.num_heads;
  d.kv = c.num_kv_heads;
  d.hd = c.head_dim;
  d.qkv_out = (c.num_heads + 2 * c.num_kv_heads) * c.head_dim;
  d.vocab = c.vocab_size;
  d.layers = c.num_layers;
  d.capacity = cache_capacity;
  if (d.capacity <= 0) {  // as CpuBackend: room for what RoPE scaling was made for
    const double f = c.rope_scaling == RopeScaling::None ? 1.0 : c.rope_scaling_factor;
    d.capacity = static_cast<int>(std::min(1e7, std::ceil(c.max_position_embeddings * f)));
  }
  d.cap = round_up(std::max(d.capacity, 1), 64);
  d.chunk = std::max(1, std::min(max_batch_tokens > 0 ? max_batch_tokens : 2048, d.capacity));
  d.logit_rows = std::min(d.chunk, 256);
  d.off_h = d.qkv_out;
  d.off_ctx = d.qkv_out + d.ffn;
  d.act_ld = round_up(d.qkv_out + d.ffn + d.dim, 8);
  d.xn_ld = round_up(d.dim, 8);
  return d;
}

uint64_t layout_model(const ModelConfig& c, const Dims& d, uint64_t attn_ws_bytes, int attn_counters,
                      void* base, DeviceModel* m) {
  Carver cv{static_cast<char*>(base)};
  DeviceModel tmp;
  DeviceModel& M = m ? *m : tmp;
  M.d = d;
  const uint64_t dim = d.dim, vocab = d.vocab;
  const bool quant = d.weights != WeightFormat::Bf16;
  const QuantFormat qf = d.weights == WeightFormat::Int8 ? QuantFormat::Int8 : QuantFormat::Int4;
  auto carve = [&](QuantMatrix& q) {
    q.data = cv.take<char>(q.data_bytes());
    if (q.per_row()) {
      q.scales = cv.take<float>(q.n_rows);
    } else {
      q.gscales = cv.take<__half>(q.scale_bytes() / 2);
      q.row_of = cv.take<int32_t>(q.table_bytes() / 4);
    }
  };
  M.embed = cv.take<bf16>(vocab * dim);
  if (d.quant_head) {
    M.lm_head = nullptr;
    const QuantFormat hf = d.head == WeightFormat::Int8   ? QuantFormat::Int8
                           : d.head == WeightFormat::Int6 ? QuantFormat::Int6
                                                          : QuantFormat::Int4;
    M.q_head = plan_quant(hf, d.vocab, d.dim, d.vocab, 0);
    carve(M.q_head);  // quantized and dequantized in slices that fit the layers' staging area
  } else {
    M.lm_head = c.tie_word_embeddings ? M.embed : cv.take<bf16>(vocab * dim);
  }
  M.lnf_g = cv.take<float>(dim);
  M.lnf_b = cv.take<float>(dim);
  const bool two_ln = !c.parallel_attn || c.has_two_parallel_layernorms();
  M.layers.assign(static_cast<size_t>(d.layers), LayerDev{});
  for (auto& L : M.layers) {
    L.ln1_g = cv.take<float>(dim);
    L.ln1_b = cv.take<float>(dim);
    if (two_ln) {
      L.ln2_g = cv.take<float>(dim);
      L.ln2_b = cv.take<float>(dim);
    }
    if (!quant) {
      L.w_up = cv.take<bf16>(static_cast<uint64_t>(d.qkv_out + d.ffn) * dim);
      L.w_down = cv.take<bf16>(dim * static_cast<uint64_t>(d.ffn + d.dim));
    } else {
      const int hp = c.rotary() ? d.hd : 0;  // RoPE rows in rotation pairs (int4 tiles)
      if (c.parallel_attn) {
        L.q[kUp] = plan_quant(qf, d.qkv_out + d.ffn, d.dim, d.qkv_out, hp);
        L.q[kDown] = plan_quant(qf, d.dim, d.ffn + d.dim, d.dim, 0);
      } else {
        L.q[kUp] = plan_quant(qf, d.qkv_out, d.dim, d.qkv_out, hp);
        L.q[kFc1] = plan_quant(qf, d.ffn, d.dim, 0, 0);
        L.q[kDown] = plan_quant(qf, d.dim, d.ffn, d.dim, 0);
        L.q[kDense] = plan_quant(qf, d.dim, d.dim, d.dim, 0);
      }
      for (QuantMatrix& q : L.q)
        if (q.n_rows > 0) {
          carve(q);
          M.deq_elems = std::max<uint64_t>(M.deq_elems, static_cast<uint64_t>(q.n_rows) * q.k);
        }
    }
    if (c.bias) {
      L.b_up = cv.take<float>(d.qkv_out + d.ffn);
      L.b_fc2 = cv.take<float>(dim);
      L.b_dense = cv.take<float>(dim);
      L.b_down = cv.take<float>(dim);
    }
    const uint64_t kv = static_cast<uint64_t>(d.kv) * d.cap * d.hd;
    L.k_cache = cv.take<bf16>(kv);
    L.v_cache = cv.take<bf16>(kv);
    M.cache_bytes += 2 * kv * sizeof(bf16);
  }
  M.weight_bytes = cv.off - M.cache_bytes;  // everything carved so far that is not cache
  if (quant || d.quant_head) {              // the head is quantized (and dequantized) through it in slices
    M.deq_elems = std::max<uint64_t>(M.deq_elems, static_cast<uint64_t>(std::min(d.vocab, 4096)) * dim);
    M.deq = cv.take<bf16>(M.deq_elems);
  }
  const uint64_t ch = d.chunk;
  M.x = cv.take<float>(ch * dim);
  M.xa = cv.take<bf16>(ch * d.xn_ld);
  const bool parallel_two_ln = c.parallel_attn && c.has_two_parallel_layernorms();
  M.xb = parallel_two_ln ? cv.take<bf16>(ch * d.xn_ld) : nullptr;
  M.act = cv.take<bf16>(ch * d.act_ld);
  M.logits = cv.take<float>(static_cast<uint64_t>(d.logit_rows) * vocab);
  M.inv_freq = cv.take<float>(std::max(1, d.hd / 2));
  M.slopes = cv.take<float>(d.heads);
  M.tokens = cv.take<int32_t>(ch);
  M.step = cv.take<int32_t>(4);
  M.ready_flags = cv.take<unsigned>(std::max<uint64_t>(1, M.layers.size()));
  // The decode LayerNorms' outputs staged for the int4 GEMVs (two: ln_attn's and ln_mlp's).
  M.staged = d.weights == WeightFormat::Int4 ? cv.take<StagedX>(2ull * staged_chunks(dim)) : nullptr;
  M.attn_ws = cv.take<float>(std::max<uint64_t>(1, attn_ws_bytes / sizeof(float)));
  M.attn_counters = cv.take<int>(std::max(1, attn_counters));
  {  // one split-K workspace for all decode GEMVs (they run one after another)
    GemvSplit most;
    auto need = [&](const GemvSplit& s) {
      most.floats = std::max(most.floats, s.floats);
      most.counters = std::max(most.counters, s.counters);
    };
    if (d.quant_head)
      need(gemv_quant_split(M.q_head));
    else
      need(gemv_bf16_split(d.vocab));
    if (quant) {
      for (const auto& L : M.layers)
        for (const QuantMatrix& q : L.q)
          if (q.n_rows > 0) need(gemv_quant_split(q));
    } else {
      need(gemv_bf16_split(d.qkv_out + d.ffn));  // the largest: [QKV | fc1] rows
      need(gemv_bf16_split(d.dim));
    }
    M.split_ws = cv.take<float>(std::max<uint64_t>(1, most.floats));
    M.split_counters = cv.take<int>(std::max(1, most.counters));
  }
  M.blas_ws_bytes = 32ull << 20;  // cuBLAS's recommended workspace on Hopper
  M.blas_ws = cv.take<char>(M.blas_ws_bytes);
  // fc1's prefill GEMM runs on a second stream beside the QKV GEMM when there are two LayerNorms.
  // (Decided by the config, not by M.xb: the counting pass, base == nullptr, takes null pointers.)
  M.side_blas_ws = parallel_two_ln ? cv.take<char>(M.blas_ws_bytes) : nullptr;
  M.base = base;
  M.bytes = (cv.off + 255) / 256 * 256;
  return M.bytes;
}

std::vector<int> qkv_source_blocks(const ModelConfig& c) {
  const int H = c.num_heads, KV = c.num_kv_heads, G = H / KV;
  std::vector<int> src(static_cast<size_t>(H + 2 * KV));
  for (int h = 0; h < H; ++h) {
    if (c.new_decoder_architecture)
      src[h] = (h / G) * (G + 2) + h % G;  // per group [q x G, k, v]
    else if (KV == 1)
      src[h] = h;  // [q x H, k, v]
    else
      src[h] = 3 * h;  // per head [q, k, v]
  }
  for (int g = 0; g < KV; ++g) {
    int k, v;
    if (c.new_decoder_architecture)
      k = g * (G + 2) + G, v = k + 1;
    else if (KV == 1)
      k = H, v = H + 1;
    else
      k = 3 * g + 1, v = 3 * g + 2;
    src[H + g] = k;
    src[H + KV + g] = v;
  }
  return src;
}

// ---- checkpoint upload ------------------------------------------------------------------------

namespace {
// Up to 8 host threads (FALCON_UPLOAD_THREADS=N overrides, for A/B benchmarks).
int upload_threads() {
  if (const char* e = std::getenv("FALCON_UPLOAD_THREADS")) return std::clamp(std::atoi(e), 1, 64);
  const int hw = static_cast<int>(std::thread::hardware_concurrency());
  return std::clamp(hw, 1, 8);
}
}  // namespace

Uploader::Uploader(cudaStream_t stream, size_t staging_bytes, FaultInjection* faults)
    : stream_(stream), bytes_(staging_bytes), pool_(upload_threads()) {
  // A constructor that throws runs no destructor body: the events made so far go here, the
  // pinned buffers with their members.
  try {
    for (int i = 0; i < 2; ++i) {
      staging_[i] = alloc_pinned(bytes_, "the weight upload staging buffers", faults);
      FALCON_CUDA_CHECK(cudaEventCreateWithFlags(&done_[i], cudaEventDisableTiming));
    }
  } catch (...) {
    for (cudaEvent_t e : done_)
      if (e) cudaEventDestroy(e);
    throw;
  }
}

Uploader::~Uploader() {
  cudaStreamSynchronize(stream_);  // no copy may still read a staging buffer when it is freed
  for (int i = 0; i < 2; ++i)
    if (done_[i]) cudaEventDestroy(done_[i]);
}

void Uploader::finish() {
  FALCON_CUDA_CHECK(cudaStreamSynchronize(stream_));
}

// Converts one source row (row_size elements of view's dtype) to bf16.
static void row_to_bf16(const TensorView& v, int64_t row, uint16_t* out) {
  const int64_t n = v.row_size();
  const std::byte* p = v.data.data() + static_cast<size_t>(row * n) * dtype_size(v.dtype);
  if (v.dtype == DType::BF16) {
    std::memcpy(out, p, static_cast<size_t>(n) * 2);
  } else if (v.dtype == DType::F16) {
    for (int64_t i = 0; i < n; ++i) {
      uint16_t b;
      std::memcpy(&b, p + 2 * i, 2);
      out[i] = f32_to_bf16_bits(f16_to_float(b));
    }
  } else {
    for (int64_t i = 0; i < n; ++i) {
      float f;
      std::memcpy(&f, p + 4 * i, 4);
      out[i] = f32_to_bf16_bits(f);
    }
  }
}

void Uploader::put_rows(const TensorView& v, const std::function<int64_t(int64_t)>& source_row, int64_t rows,
                        bf16* dst, int64_t dst_pitch) {
  const int64_t width = v.row_size();
  const int64_t rows_per_chunk = std::max<int64_t>(1, static_cast<int64_t>(bytes_ / (width * 2)));
  for (int64_t r0 = 0; r0 < rows; r0 += rows_per_chunk) {
    const int64_t n = std::min(rows_per_chunk, rows - r0);
    // Wait until the DMA that last read this buffer is done, then fill it while the other
    // buffer's copy is in flight.
    FALCON_CUDA_CHECK(cudaEventSynchronize(done_[next_]));
    auto* buf = staging_[next_].as<uint16_t>();
    // At least 16 rows per thread, so tiny tensors do not pay for waking the pool.
    pool_.parallel_for((n + 15) / 16, [&](int64_t b, int64_t e) {
      for (int64_t r = b * 16; r < std::min(n, e * 16); ++r)
        row_to_bf16(v, source_row ? source_row(r0 + r) : r0 + r, buf + r * width);
    });
    FALCON_CUDA_CHECK(cudaMemcpy2DAsync(dst + r0 * dst_pitch, dst_pitch * 2, buf, width * 2, width * 2, n,
                                        cudaMemcpyHostToDevice, stream_));
    FALCON_CUDA_CHECK(cudaEventRecord(done_[next_], stream_));
    next_ ^= 1;
  }
}

void Uploader::put_floats(const float* host, int64_t n, float* dst) {
  // Small vectors (norms, biases): synchronous copies from pageable memory are fine.
  FALCON_CUDA_CHECK(cudaMemcpyAsync(dst, host, static_cast<size_t>(n) * 4, cudaMemcpyHostToDevice, stream_));
  FALCON_CUDA_CHECK(cudaStreamSynchronize(stream_));
}

namespace {

// Int4 row tables go up before anything is quantized.
void upload_row_tables(DeviceModel& m, cudaStream_t stream) {
  auto put = [&](const QuantMatrix& q) {
    if (q.n_rows == 0 || q.format != QuantFormat::Int4) return;
    const std::vector<int32_t> t = int4_row_table(q);
    FALCON_CUDA_CHECK(cudaMemcpyAsync(q.row_of, t.data(), t.size() * 4, cudaMemcpyHostToDevice, stream));
    FALCON_CUDA_CHECK(cudaStreamSynchronize(stream));  // t is pageable and about to go away
  };
  put(m.q_head);
  for (const LayerDev& L : m.layers)
    for (const QuantMatrix& q : L.q) put(q);
}

// Rows per slice when the quantized lm_head passes through the staging buffer.
int head_slice_rows(const DeviceModel& m) {
  return std::max(16, static_cast<int>(m.deq_elems / static_cast<uint64_t>(m.d.dim)) / 16 * 16);
}

}  // namespace

void load_checkpoint_weights(const ModelConfig& c, const CheckpointReader& ck, DeviceModel& m,
                             cudaStream_t stream, FaultInjection* faults,
                             const std::function<void(uint64_t, uint64_t)>& progress, bool quantized_done) {
  const Dims& d = m.d;
  const bool quant = d.weights != WeightFormat::Bf16;
  if (!quantized_done) upload_row_tables(m, stream);
  Uploader up(stream, 64ull << 20, faults);
  const uint64_t total = ck.total_tensor_bytes();
  uint64_t done = 0;
  auto tick = [&](const TensorView& v) {
    done += v.data.size();
    if (progress) progress(std::min(done, total), total);
  };
  const int64_t h = d.dim;
  auto vec = [&](const std::string& name, int64_t n, float* dst) {
    std::vector<float> tmp(static_cast<size_t>(n));
    const TensorView v = ck.get(name, std::vector<int64_t>{n});
    to_float(v, 0, n, tmp.data());
    up.put_floats(tmp.data(), n, dst);
    tick(v);
    return tmp;
  };
  {
    const TensorView e = ck.get(kWordEmbeddings, std::vector<int64_t>{d.vocab, h});
    up.put_rows(e, nullptr, d.vocab, m.embed, h);
    tick(e);
    if (d.quant_head) {
      const TensorView l = ck.lm_head(c);
      const int step = head_slice_rows(m);
      for (int r0 = quantized_done ? d.vocab : 0; r0 < d.vocab; r0 += step) {
        const int n = std::min(step, d.vocab - r0);
        up.put_rows(
            l, [r0](int64_t r) { return r0 + r; }, n, m.deq, h);
        launch_quantize(m.deq, static_cast<int>(h), m.q_head, stream, r0, n);
      }
      if (!c.tie_word_embeddings) tick(l);
    } else if (m.lm_head != m.embed) {
      const TensorView l = ck.lm_head(c);
      up.put_rows(l, nullptr, d.vocab, m.lm_head, h);
      tick(l);
    }
  }
  vec("transformer.ln_f.weight", h, m.lnf_g);
  vec("transformer.ln_f.bias", h, m.lnf_b);
  const std::vector<int> blocks = qkv_source_blocks(c);
  const int hd = d.hd;
  for (int i = 0; i < d.layers; ++i) {
    LayerDev& L = m.layers[static_cast<size_t>(i)];
    const std::string p = layer_prefix(i);
    std::string n1 = "input_layernorm", n2;
    if (!c.parallel_attn)
      n2 = "post_attention_layernorm";
    else if (c.has_two_parallel_layernorms())
      n1 = "ln_attn", n2 = "ln_mlp";
    vec(p + n1 + ".weight", h, L.ln1_g);
    vec(p + n1 + ".bias", h, L.ln1_b);
    if (!n2.empty()) {
      vec(p + n2 + ".weight", h, L.ln2_g);
      vec(p + n2 + ".bias", h, L.ln2_b);
    }
    const TensorView qkv =
        ck.get(p + "self_attention.query_key_value.weight", std::vector<int64_t>{d.qkv_out, h});
    auto qkv_row = [&](int64_t r) {
      return static_cast<int64_t>(blocks[static_cast<size_t>(r / hd)]) * hd + r % hd;
    };
    const TensorView fc1 = ck.get(p + "mlp.dense_h_to_4h.weight", std::vector<int64_t>{d.ffn, h});
    const TensorView fc2 = ck.get(p + "mlp.dense_4h_to_h.weight", std::vector<int64_t>{h, d.ffn});
    const TensorView dense = ck.get(p + "self_attention.dense.weight", std::vector<int64_t>{h, h});
    const int64_t down_ld = d.ffn + d.dim;
    if (quantized_done) {
      // filled from the quantization cache
    } else if (!quant) {
      up.put_rows(qkv, qkv_row, d.qkv_out, L.w_up, h);
      up.put_rows(fc1, nullptr, d.ffn, L.w_up + static_cast<int64_t>(d.qkv_out) * h, h);
      up.put_rows(fc2, nullptr, h, L.w_down, down_ld);
      up.put_rows(dense, nullptr, h, L.w_down + d.ffn, down_ld);
    } else if (c.parallel_attn) {
      // Each merged matrix is assembled in bf16 in the staging area, then quantized from there.
      up.put_rows(qkv, qkv_row, d.qkv_out, m.deq, h);
      up.put_rows(fc1, nullptr, d.ffn, m.deq + static_cast<int64_t>(d.qkv_out) * h, h);
      launch_quantize(m.deq, static_cast<int>(h), L.q[kUp], stream);
      up.put_rows(fc2, nullptr, h, m.deq, down_ld);
      up.put_rows(dense, nullptr, h, m.deq + d.ffn, down_ld);
      launch_quantize(m.deq, static_cast<int>(down_ld), L.q[kDown], stream);
    } else {
      up.put_rows(qkv, qkv_row, d.qkv_out, m.deq, h);
      launch_quantize(m.deq, static_cast<int>(h), L.q[kUp], stream);
      up.put_rows(fc1, nullptr, d.ffn, m.deq, h);
      launch_quantize(m.deq, static_cast<int>(h), L.q[kFc1], stream);
      up.put_rows(fc2, nullptr, h, m.deq, d.ffn);
      launch_quantize(m.deq, d.ffn, L.q[kDown], stream);
      up.put_rows(dense, nullptr, h, m.deq, h);
      launch_quantize(m.deq, static_cast<int>(h), L.q[kDense], stream);
    }
    tick(qkv);
    tick(fc1);
    tick(fc2);
    tick(dense);
    if (c.bias) {
      std::vector<float> bq(static_cast<size_t>(d.qkv_out)), bu(static_cast<size_t>(d.qkv_out + d.ffn));
      const TensorView bqv =
          ck.get(p + "self_attention.query_key_value.bias", std::vector<int64_t>{d.qkv_out});
      to_float(bqv, 0, d.qkv_out, bq.data());
      tick(bqv);
      for (int r = 0; r < d.qkv_out; ++r) bu[static_cast<size_t>(r)] = bq[static_cast<size_t>(qkv_row(r))];
      const TensorView b1 = ck.get(p + "mlp.dense_h_to_4h.bias", std::vector<int64_t>{d.ffn});
      to_float(b1, 0, d.ffn, bu.data() + d.qkv_out);
      tick(b1);
      up.put_floats(bu.data(), d.qkv_out + d.ffn, L.b_up);
      const std::vector<float> b2 = vec(p + "mlp.dense_4h_to_h.bias", h, L.b_fc2);
      const std::vector<float> bd = vec(p + "self_attention.dense.bias", h, L.b_dense);
      std::vector<float> sum(static_cast<size_t>(h));
      for (int64_t j = 0; j < h; ++j)
        sum[static_cast<size_t>(j)] = b2[static_cast<size_t>(j)] + bd[static_cast<size_t>(j)];
      up.put_floats(sum.data(), h, L.b_down);
    }
  }
  up.finish();
  if (progress) progress(total, total);
}

void fill_synthetic_weights(const ModelConfig& c, DeviceModel& m, uint64_t seed, cudaStream_t stream) {
  const Dims& d = m.d;
  uint64_t s = seed;
  const uint64_t h = d.dim;
  // Uniform(-a, a) with a = sqrt(3 / fan_in) keeps activations O(1) through the layers.
  auto w = [&](bf16* p, uint64_t rows, uint64_t cols, float a) {
    launch_fill_random_bf16(p, rows * cols, ++s, a, stream);
  };
  auto f = [&](float* p, uint64_t n, float offset, float scale) {
    if (p) launch_fill_random_f32(p, n, ++s, offset, scale, stream);
  };
  upload_row_tables(m, stream);
  w(m.embed, d.vocab, h, 1.f);
  if (d.quant_head) {
    const int step = head_slice_rows(m);
    for (int r0 = 0; r0 < d.vocab; r0 += step) {
      const int n = std::min(step, d.vocab - r0);
      w(m.deq, n, h, std::sqrt(3.f / h));
      launch_quantize(m.deq, static_cast<int>(h), m.q_head, stream, r0, n);
    }
  } else if (m.lm_head != m.embed) {
    w(m.lm_head, d.vocab, h, std::sqrt(3.f / h));
  }
  // Quantized layers: random bf16 in the staging area, quantized like a checkpoint's.
  auto q = [&](QuantMatrix& qm, float a) {
    if (qm.n_rows == 0) return;
    w(m.deq, qm.n_rows, qm.k, a);
    launch_quantize(m.deq, qm.k, qm, stream);
  };
  f(m.lnf_g, h, 1.f, 0.1f);
  f(m.lnf_b, h, 0.f, 0.1f);
  for (auto& L : m.layers) {
    f(L.ln1_g, h, 1.f, 0.1f);
    f(L.ln1_b, h, 0.f, 0.1f);
    f(L.ln2_g, h, 1.f, 0.1f);
    f(L.ln2_b, h, 0.f, 0.1f);
    if (d.weights == WeightFormat::Bf16) {
      w(L.w_up, d.qkv_out + d.ffn, h, std::sqrt(3.f / h));
      // fc2 and dense columns differ in fan-in; one scale for the merged row is close enough here.
      w(L.w_down, h, d.ffn + d.dim, std::sqrt(3.f / (d.ffn + d.dim)));
    } else {
      q(L.q[kUp], std::sqrt(3.f / h));
      q(L.q[kFc1], std::sqrt(3.f / h));
      q(L.q[kDown], std::sqrt(3.f / L.q[kDown].k));
      q(L.q[kDense], std::sqrt(3.f / h));
    }
    f(L.b_up, d.qkv_out + d.ffn, 0.f, 0.02f);
    f(L.b_fc2, h, 0.f, 0.02f);
    f(L.b_dense, h, 0.f, 0.02f);
    f(L.b_down, h, 0.f, 0.04f);
  }
  (void)c;
  FALCON_CUDA_CHECK(cudaStreamSynchronize(stream));
}

}  // namespace falcon::gpu
