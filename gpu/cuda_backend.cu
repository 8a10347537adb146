// CudaBackend: Backend on one GPU. Prefill runs layer by layer with cuBLAS GEMMs and our
// attention/LayerNorm/elementwise kernels; a decode step (one token) is a fixed sequence of
// ~4 kernels per layer (LayerNorm, fused QKV+up GEMV with RoPE/cache append/GELU, split-K
// attention, fused down GEMV with residual add) captured once in a CUDA graph and replayed with
// the token and position read from device memory.
//
// Cache semantics follow CpuBackend exactly: positions are cache indices 0..n-1; evict() in
// exact mode recomputes the tokens after the evicted span from their ids (so logits after
// evictions equal a fresh prefill of the kept tokens), in shift mode moves their K/V down and
// re-rotates the keys; with dynamic NTK RoPE, a change of the frequency set replays the whole
// cache under the new frequencies. Keys are stored rotated.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "core/common/error.h"
#include "core/model/cpu_ops.h"
#include "core/model/quant_cache_file.h"
#include "core/model/weight_format_name.h"
#include "gpu/blas.h"
#include "gpu/cuda_backend.h"
#include "gpu/cuda_check.h"
#include "gpu/cuda_model.h"
#include "gpu/device_alloc.h"
#include "gpu/kernels/kernels.h"
#include "gpu/quant_cache.h"
#include "gpu/weights_loader.h"

namespace falcon {
namespace {

using gpu::bf16;
using gpu::GemvArgs;
using gpu::GemvEpilogue;

// The decode down projection starts on gelu(fc1) while attention runs (GemvArgs::k_ready), as
// soon as attention signals that the up projection has completed (ReadySignal). For A/B
// benchmarks, FALCON_DECODE_OVERLAP=0 turns both off and =nosignal the signal only (attention then
// lets the down projection start after its wait). Read once per process.
enum class Overlap { Off, NoSignal, Signal };
Overlap decode_overlap() {
  static const Overlap o = [] {
    const char* e = std::getenv("FALCON_DECODE_OVERLAP");
    if (e && e[0] == '0') return Overlap::Off;
    if (e && std::strcmp(e, "nosignal") == 0) return Overlap::NoSignal;
    return Overlap::Signal;
  }();
  return o;
}

// What the prefill runs on its second stream (A/B benchmarks: FALCON_PREFILL_OVERLAP, read once
// per process). Full (default): with two LayerNorms, fc1's GEMM and the GELU pass, beside the QKV
// GEMM, RoPE and attention; with one, the GELU pass beside attention. Gelu ("gelu"): the GELU pass
// only. Off ("0"): everything on one stream.
enum class PrefillOverlap { Off, Gelu, Full };
PrefillOverlap prefill_overlap() {
  static const PrefillOverlap o = [] {
    const char* e = std::getenv("FALCON_PREFILL_OVERLAP");
    if (e && e[0] == '0') return PrefillOverlap::Off;
    if (e && std::strcmp(e, "gelu") == 0) return PrefillOverlap::Gelu;
    return PrefillOverlap::Full;
  }();
  return o;
}

// The one-row head GEMV (a decode step, a prefill's last token) writes its fp32 logits straight
// into the pinned host buffer, which the device reaches through unified addressing: no copy
// follows the kernel, so a step ends when the head's last block does; with forward_last the
// host copies them nowhere either (GPU_NOTES run 46: the three together 25 us a Falcon-7B step,
// +0.7%). For A/B benchmarks, FALCON_LOGITS_DIRECT=0 writes m_.logits and copies it, as before.
// Read once per process.
bool logits_direct() {
  static const bool on = [] {
    const char* e = std::getenv("FALCON_LOGITS_DIRECT");
    return !(e && e[0] == '0');
  }();
  return on;
}

// The one-row head GEMV also writes each block of 16 logits' largest beside them (where it
// writes the logits into pinned memory), for the sampler (Backend::last_block_maxima).
// FALCON_HEAD_MAXIMA=0 leaves them out, for A/B benchmarks. Read once per process.
bool head_maxima() {
  static const bool on = [] {
    const char* e = std::getenv("FALCON_HEAD_MAXIMA");
    return !(e && e[0] == '0');
  }();
  return on;
}

class CudaBackend final : public Backend {
 public:
  CudaBackend(const ModelConfig& c, const CudaBackendOptions& o, const CheckpointReader* ck, uint64_t seed);
  ~CudaBackend() override;
  CudaBackend(const CudaBackend&) = delete;
  CudaBackend& operator=(const CudaBackend&) = delete;

  const ModelConfig& config() const override { return c_; }
  std::string describe() const override { return falcon::describe(identity()); }
  BackendIdentity identity() const override { return {BackendIdentity::Kind::Cuda, 0, device_name_}; }
  int cache_size() const override { return static_cast<int>(tokens_.size()); }
  int cache_capacity() const override { return d_.capacity; }
  BackendMemory memory() const override {
    BackendMemory mem{m_.weight_bytes, m_.cache_bytes, m_.bytes - m_.weight_bytes - m_.cache_bytes, true,
                      weight_format_name(d_.weights)};
    mem.embedding_bytes = uint64_t{2} * c_.vocab_size * c_.hidden_size;  // bf16 (cuda_model.h's embed)
    size_t free_b = 0, total_b = 0;
    if (cudaSetDevice(o_.device) == cudaSuccess && cudaMemGetInfo(&free_b, &total_b) == cudaSuccess) {
      mem.device_total = total_b;
      mem.device_used = total_b - free_b;
    } else {
      cudaGetLastError();  // a status-bar query never leaves an error behind
    }
    return mem;
  }
  void forward(std::span<const int32_t> tokens, bool all_logits, std::vector<float>& logits) override;
  std::span<const float> forward_last(std::span<const int32_t> tokens, std::vector<float>& scratch) override;
  std::span<const float> last_block_maxima() const override {
    return maxima_valid_ ? std::span<const float>(h_maxima_, static_cast<size_t>(blocks_of_vocab()))
                         : std::span<const float>();
  }
  void evict(int begin, int count, EvictMode mode) override;
  void truncate(int n) override;

 private:
  int freq_len_for(int seq_len) const {
    return c_.rope_scaling == RopeScaling::Dynamic && seq_len > c_.max_position_embeddings ? seq_len : 0;
  }
  void set_rope(int seq_len);
  void load_weights(const CheckpointReader& ck);
  // Runs tokens at positions cache_size().. through the model, chunk by chunk; writes logits
  // (all rows or the last) to `out` when not null.
  void run(const int32_t* tokens, int n, bool all_logits, float* out);
  void check_tokens(std::span<const int32_t> tokens) const;  // throws Error(Usage)
  // forward() after check_tokens(), writing into out (h_logits_ itself: the last row stays there).
  void forward_into(std::span<const int32_t> tokens, bool all_logits, float* out);
  void prefill_chunk(const int32_t* tokens, int T, int pos0, bool all_logits, float* out);
  // The last layer of a chunk of which only the last `keep` rows' output is read (the last
  // token's logits, or none in a chunk before the last).
  void prefill_last_layer(const gpu::LayerDev& L, int T, int pos0, int keep);
  void prefill_sequential_rest(const gpu::LayerDev& L, bf16* a, float* x, bf16* xn, int rows);
  void decode_step(int32_t token, int pos, float* out);
  void enqueue_decode();
  void destroy_streams();
  void tune_prefill_gemms();
  // The cuBLAS handle of fc1's prefill GEMM with two LayerNorms: the second stream's unless
  // FALCON_PREFILL_OVERLAP keeps it on the first.
  gpu::Blas& fc1_blas() {
    return side_blas_ && prefill_overlap() == PrefillOverlap::Full ? *side_blas_ : *blas_;
  }
  gpu::AttnShape shape() const { return {d_.heads, d_.kv, d_.hd, d_.cap}; }
  gpu::AttnArgs attn_args(const gpu::LayerDev& L) const;
  // A layer matrix for a prefill GEMM: the bf16 weights, or the quantized ones dequantized into
  // the staging area (valid until the next call).
  struct Mat {
    const bf16* p;
    int ld;
  };
  Mat prefill_matrix(const gpu::LayerDev& L, gpu::QuantPart part);
  void lm_head_gemv(const bf16* x, float* logits);
  // Copies the one-row head's logits to h_logits_ on stream_, unless the head wrote them there.
  void copy_head_out();
  bool quant() const { return d_.weights != WeightFormat::Bf16; }

  ModelConfig c_;
  CudaBackendOptions o_;
  gpu::FaultInjection faults_ = gpu::FaultInjection::from_environment();  // read once, counted here
  bool fail_launch_ = false;  // this forward() is the injected one and has not failed yet
  gpu::Dims d_;
  gpu::DeviceModel m_;
  gpu::DecodePlan plan_;
  cudaStream_t stream_ = nullptr;
  // Prefill: fc1's GEMM (two LayerNorms) and the GELU pass run on side_ while the QKV GEMM and
  // attention run on stream_; fork_ / join_ order them. side_blas_ is side_'s cuBLAS handle, with
  // a workspace of its own (concurrent GEMMs cannot share one).
  cudaStream_t side_ = nullptr;
  cudaEvent_t fork_ = nullptr, join_ = nullptr;
  std::unique_ptr<gpu::Blas> blas_, side_blas_;
  cudaGraph_t graph_ = nullptr;
  cudaGraphExec_t graph_exec_ = nullptr;
  // Owned allocations (freed after the destructor's body has synchronized the stream); m_ and
  // the two pointers below point into them.
  gpu::DeviceBuffer arena_;
  gpu::PinnedBuffer h_step_buf_, h_logits_buf_, h_maxima_buf_;
  int32_t* h_step_ = nullptr;  // pinned [token, position, serial]
  uint32_t serial_ = 0;        // decode steps so far (the ReadySignal value)
  float* h_logits_ = nullptr;  // pinned (logit_rows, vocab)
  // Where the one-row head GEMV writes: h_logits_'s device address (logits_direct()), or m_.logits.
  float* head_out_ = nullptr;
  // Each block of 16 logits' largest (Backend::last_block_maxima), which the one-row head GEMV
  // writes beside the logits where it writes them into h_logits_ (head_maxima_: h_maxima_'s
  // device address; null otherwise). Valid after forward_last.
  float* h_maxima_ = nullptr;
  float* head_maxima_ = nullptr;
  bool maxima_valid_ = false;
  int blocks_of_vocab() const {
    return (d_.vocab + static_cast<int>(kLogitBlock) - 1) / static_cast<int>(kLogitBlock);
  }
  std::vector<int32_t> tokens_;
  int rope_freq_len_ = -1;
  bool rotary_;
  std::string device_name_;
};

CudaBackend::CudaBackend(const ModelConfig& c, const CudaBackendOptions& o, const CheckpointReader* ck,
                         uint64_t seed)
    : c_(c), o_(o), rotary_(c.rotary()) {
  if (o.cache_capacity < 0) throw_usage_error("cache_capacity must be >= 0");
  if (c.num_kv_heads <= 0 || c.num_heads % c.num_kv_heads != 0 || c.head_dim <= 0)
    throw_load_error("config: num_heads must be a multiple of num_kv_heads");
  if (c.head_dim > 256) throw_load_error("CUDA backend: head_dim above 256 is not supported");
  if (ck) ck->validate(c);  // names every missing or misshaped tensor before any allocation
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
    cudaGetLastError();
    throw Error(ErrorKind::Other, "no usable CUDA device (the CPU backend still works)");
  }
  if (o.device < 0 || o.device >= count)
    throw_usage_error("CUDA device " + std::to_string(o.device) + " does not exist (" +
                      std::to_string(count) + " found)");
  FALCON_CUDA_CHECK(cudaSetDevice(o.device));
  cudaDeviceProp prop{};
  FALCON_CUDA_CHECK(cudaGetDeviceProperties(&prop, o.device));
  device_name_ = prop.name;
  d_ = gpu::make_dims(c, o.cache_capacity, o.max_batch_tokens, o.weights, head_format(o));
  plan_ = gpu::plan_decode_attention(shape(), d_.capacity, prop.multiProcessorCount);
  const uint64_t ws = gpu::decode_workspace_bytes(shape(), plan_);
  const int counters = gpu::decode_counter_count(shape(), plan_);
  gpu::DeviceModel plan;  // sizes only (no base): for the message below
  const uint64_t need = gpu::layout_model(c, d_, ws, counters, nullptr, &plan);
  size_t free_b = 0, total_b = 0;
  FALCON_CUDA_CHECK(cudaMemGetInfo(&free_b, &total_b));
  if (need + gpu::kCudaContextMargin > free_b) {
    throw Error(ErrorKind::OutOfMemory,
                gpu::out_of_memory_message(
                    {device_name_, c, o.weights, o.head_weights, o.max_batch_tokens, ws, counters}, plan,
                    need, free_b, total_b));
  }
  arena_ = gpu::alloc_device(need,
                             "the model (weights, a KV cache of " + std::to_string(d_.capacity) +
                                 " tokens and scratch) on " + device_name_,
                             &faults_);
  void* base = arena_.get();
  try {
    gpu::layout_model(c, d_, ws, counters, base, &m_);
    FALCON_CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking));
    FALCON_CUDA_CHECK(cudaStreamCreateWithFlags(&side_, cudaStreamNonBlocking));
    FALCON_CUDA_CHECK(cudaEventCreateWithFlags(&fork_, cudaEventDisableTiming));
    FALCON_CUDA_CHECK(cudaEventCreateWithFlags(&join_, cudaEventDisableTiming));
    // Everything but the weights starts at zero: cache rows past the end stay finite.
    FALCON_CUDA_CHECK(cudaMemsetAsync(base, 0, need, stream_));
    if (ck)
      load_weights(*ck);
    else
      gpu::fill_synthetic_weights(c, m_, seed, stream_);
    if (c.alibi) {
      std::vector<float> s = cpu::alibi_slopes(c.num_heads);
      for (float& v : s) v = cpu::round_to_bf16(v);  // HF builds the ALiBi tensor in bf16
      FALCON_CUDA_CHECK(cudaMemcpyAsync(m_.slopes, s.data(), s.size() * 4, cudaMemcpyHostToDevice, stream_));
    }
    gpu::expect_library_alloc("the cuBLAS handle", &faults_);  // its workspace is in the arena
    blas_ = std::make_unique<gpu::Blas>(stream_, m_.blas_ws, m_.blas_ws_bytes);
    if (m_.side_blas_ws) {
      gpu::expect_library_alloc("the second stream's cuBLAS handle", &faults_);
      side_blas_ = std::make_unique<gpu::Blas>(side_, m_.side_blas_ws, m_.blas_ws_bytes);
    }
    h_step_buf_ = gpu::alloc_pinned(4 * sizeof(int32_t), "the decode step's input", &faults_);
    h_step_ = h_step_buf_.as<int32_t>();
    h_logits_buf_ = gpu::alloc_pinned(static_cast<size_t>(d_.logit_rows) * d_.vocab * sizeof(float),
                                      "the logits buffer", &faults_);
    h_logits_ = h_logits_buf_.as<float>();
    h_maxima_buf_ = gpu::alloc_pinned(static_cast<size_t>(blocks_of_vocab()) * sizeof(float),
                                      "the logits' block maxima", &faults_);
    h_maxima_ = h_maxima_buf_.as<float>();
    head_out_ = m_.logits;
    if (logits_direct()) {
      void* mapped = nullptr;
      void* mapped_maxima = nullptr;
      if (cudaHostGetDevicePointer(&mapped, h_logits_, 0) == cudaSuccess &&
          cudaHostGetDevicePointer(&mapped_maxima, h_maxima_, 0) == cudaSuccess) {
        head_out_ = static_cast<float*>(mapped);
        if (head_maxima()) head_maxima_ = static_cast<float*>(mapped_maxima);
      } else {
        cudaGetLastError();  // not mapped on this system: the copy stays
      }
    }
    gpu::prepare_attention(d_.hd);
    gpu::prepare_gemv();
    if (d_.weights == WeightFormat::Int4 || d_.head == WeightFormat::Int4) gpu::prepare_gemv_quant();
    tune_prefill_gemms();
    if (rotary_) set_rope(0);
    FALCON_CUDA_CHECK(cudaStreamSynchronize(stream_));
  } catch (...) {
    // No destructor body runs for a constructor that throws: undo here what members do not.
    // The stream goes first, once idle, so no copy still uses the buffers the members free.
    if (stream_) cudaStreamSynchronize(stream_);
    if (side_) cudaStreamSynchronize(side_);
    side_blas_.reset();
    blas_.reset();
    destroy_streams();
    m_.base = nullptr;
    throw;
  }
  tokens_.reserve(static_cast<size_t>(d_.capacity));
}

CudaBackend::~CudaBackend() {
  if (stream_) cudaStreamSynchronize(stream_);
  if (side_) cudaStreamSynchronize(side_);
  if (graph_exec_) cudaGraphExecDestroy(graph_exec_);
  if (graph_) cudaGraphDestroy(graph_);
  side_blas_.reset();
  blas_.reset();
  destroy_streams();
  // arena_, h_step_buf_ and h_logits_buf_ are freed by their destructors.
}

void CudaBackend::destroy_streams() {
  if (join_) cudaEventDestroy(join_);
  if (fork_) cudaEventDestroy(fork_);
  if (side_) cudaStreamDestroy(side_);
  if (stream_) cudaStreamDestroy(stream_);
  join_ = fork_ = nullptr;
  side_ = stream_ = nullptr;
}

// From the checkpoint; with int8/int4 and a cache folder, the quantized matrices come from the
// cache file when it matches the checkpoint, else they are quantized and the file is written.
void CudaBackend::load_weights(const CheckpointReader& ck) {
  const bool cached = quant() && !o_.quant_cache_dir.empty();
  uint64_t key = 0;
  std::filesystem::path file;
  bool from_cache = false;
  auto note = [&](const std::string& text) {
    if (o_.notice) o_.notice(text);
  };
  // With the cache, reading it is the first half of the progress bar, the other tensors the second.
  const uint64_t total = ck.total_tensor_bytes();
  if (cached) {
    key = qcache::checkpoint_key(ck.dir());
    file = gpu::quant_cache_file(o_.quant_cache_dir, ck.dir(), d_, key);
    std::string why;
    gpu::CacheProgress half;
    if (o_.progress)
      half = [&](uint64_t done, uint64_t all) { o_.progress(all ? done * (total / 2) / all : 0, total); };
    from_cache = gpu::read_quant_cache(file, key, m_, stream_, &faults_, half, &why);
    note(from_cache ? qcache::cache_notice(qcache::CacheNotice::Read, file.string())
                    : qcache::cache_notice(qcache::CacheNotice::Unusable, why));
  }
  std::function<void(uint64_t, uint64_t)> rest = o_.progress;
  if (from_cache && o_.progress)
    rest = [&](uint64_t done, uint64_t) { o_.progress(total / 2 + done / 2, total); };
  gpu::load_checkpoint_weights(c_, ck, m_, stream_, &faults_, rest, from_cache);
  ck.check_unchanged();  // a shard truncated while it was read: zeros were uploaded, not weights
  if (cached && !from_cache) {
    // The outdated files of this model first: their space may be what the new one needs.
    const qcache::CacheFiles removed = qcache::remove_stale(file);
    std::string why;
    if (gpu::write_quant_cache(file, key, m_, stream_, &faults_, &why))
      note(qcache::cache_notice(qcache::CacheNotice::Written, qcache::with_removed(file.string(), removed)));
    else
      note(qcache::cache_notice(qcache::CacheNotice::NotWritten, qcache::with_removed(why, removed)));
  }
}

// Uploads the RoPE frequencies HF uses for a sequence of seq_len tokens (they change only
// with dynamic scaling past max_position_embeddings).
void CudaBackend::set_rope(int seq_len) {
  const int fl = freq_len_for(seq_len);
  if (fl == rope_freq_len_) return;
  const std::vector<float> inv = cpu::rope_inv_freq(c_, std::max(seq_len, 1));
  FALCON_CUDA_CHECK(
      cudaMemcpyAsync(m_.inv_freq, inv.data(), inv.size() * 4, cudaMemcpyHostToDevice, stream_));
  FALCON_CUDA_CHECK(cudaStreamSynchronize(stream_));  // `inv` is pageable and about to go away
  rope_freq_len_ = fl;
}

gpu::AttnArgs CudaBackend::attn_args(const gpu::LayerDev& L) const {
  gpu::AttnArgs a;
  a.shape = shape();
  a.q = m_.act;
  a.ldq = d_.act_ld;
  a.k_cache = L.k_cache;
  a.v_cache = L.v_cache;
  a.out = m_.act + d_.off_ctx;
  a.ldo = d_.act_ld;
  a.inv_freq = rotary_ ? m_.inv_freq : nullptr;
  a.slopes = c_.alibi ? m_.slopes : nullptr;
  return a;
}

void CudaBackend::forward(std::span<const int32_t> tokens, bool all_logits, std::vector<float>& logits) {
  check_tokens(tokens);
  maxima_valid_ = false;  // h_logits_ may hold other rows after this
  // Every element is written below; resize, not assign: no 260 KB memset a decode step.
  logits.resize((all_logits ? tokens.size() : 1) * static_cast<size_t>(d_.vocab));
  forward_into(tokens, all_logits, logits.data());
}

std::span<const float> CudaBackend::forward_last(std::span<const int32_t> tokens, std::vector<float>&) {
  check_tokens(tokens);
  maxima_valid_ = false;
  forward_into(tokens, false, h_logits_);   // the last row stays where the head put it
  maxima_valid_ = head_maxima_ != nullptr;  // written with it by the one-row head GEMV
  return {h_logits_, static_cast<size_t>(d_.vocab)};
}

void CudaBackend::check_tokens(std::span<const int32_t> tokens) const {
  const int n = static_cast<int>(tokens.size());
  if (n == 0) throw_usage_error("forward: no tokens");
  if (n > d_.capacity - cache_size())
    throw_usage_error("forward: " + std::to_string(n) + " tokens do not fit in the KV cache (" +
                      std::to_string(cache_size()) + " of " + std::to_string(d_.capacity) + " used)");
  for (int32_t t : tokens)
    if (t < 0 || t >= c_.vocab_size)
      throw_usage_error("forward: token id " + std::to_string(t) + " is outside the vocabulary (0.." +
                        std::to_string(c_.vocab_size - 1) + ")");
}

void CudaBackend::forward_into(std::span<const int32_t> tokens, bool all_logits, float* out) {
  const int n = static_cast<int>(tokens.size());
  fail_launch_ = faults_.next_forward_fails();
  // The current device is per host thread; the app creates the backend on one thread and runs
  // it on its inference worker.
  FALCON_CUDA_CHECK(cudaSetDevice(o_.device));
  const int seq_len = cache_size() + n;
  if (rotary_ && freq_len_for(seq_len) != rope_freq_len_) {
    // Dynamic scaling: new frequencies for every cached key; recompute the cache under them.
    std::vector<int32_t> replay(tokens_);
    tokens_.clear();
    set_rope(seq_len);
    if (!replay.empty()) run(replay.data(), static_cast<int>(replay.size()), false, nullptr);
  }
  run(tokens.data(), n, all_logits, out);
}

void CudaBackend::run(const int32_t* tokens, int n, bool all_logits, float* out) {
  if (n == 1) {
    decode_step(tokens[0], cache_size(), out);
    tokens_.push_back(tokens[0]);
    return;
  }
  for (int done = 0; done < n;) {
    const int k = std::min(d_.chunk, n - done);
    const bool last = done + k == n;
    float* o =
        out ? (all_logits ? out + static_cast<size_t>(done) * d_.vocab : (last ? out : nullptr)) : nullptr;
    prefill_chunk(tokens + done, k, cache_size(), all_logits, o);
    tokens_.insert(tokens_.end(), tokens + done, tokens + done + k);
    done += k;
  }
}

void CudaBackend::prefill_chunk(const int32_t* tokens, int T, int pos0, bool all_logits, float* out) {
  const gpu::Dims& d = d_;
  cudaStream_t s = stream_;
  FALCON_CUDA_CHECK(
      cudaMemcpyAsync(m_.tokens, tokens, static_cast<size_t>(T) * 4, cudaMemcpyHostToDevice, s));
  gpu::launch_embed(m_.tokens, T, m_.embed, d.dim, m_.x, s);
  const float eps = static_cast<float>(c_.layer_norm_epsilon);
  const float* kinv = rotary_ ? m_.inv_freq : nullptr;
  bf16* act = m_.act;
  // Rows of the last layer's output that anything reads: the logits' rows (all, the last one, or
  // none before the last chunk).
  const int keep = all_logits ? T : (out ? 1 : 0);
  for (const gpu::LayerDev& L : m_.layers) {
    if (keep < T && &L == &m_.layers.back()) {
      prefill_last_layer(L, T, pos0, keep);
      break;
    }
    const gpu::AttnArgs aa = attn_args(L);
    if (c_.parallel_attn) {
      gpu::launch_layernorm(m_.x, d.dim, T, d.dim, eps, L.ln1_g, L.ln1_b, m_.xa, L.ln2_g, L.ln2_b, m_.xb,
                            d.xn_ld, s);
      const Mat up = prefill_matrix(L, gpu::kUp);
      const PrefillOverlap ov = prefill_overlap();
      // fc1 (its own GEMM with two LayerNorms) and GELU write the h columns, QKV, RoPE and
      // attention the q/k/v and ctx columns: disjoint, so with an overlap they run on two streams
      // and only the down projection (which reads both) waits for the side.
      const bool side_fc1 = &fc1_blas() != blas_.get();
      const bool side = ov != PrefillOverlap::Off;
      auto fork = [&] {
        FALCON_CUDA_CHECK(cudaEventRecord(fork_, s));
        FALCON_CUDA_CHECK(cudaStreamWaitEvent(side_, fork_, 0));
      };
      const bf16* w_fc1 = up.p + static_cast<size_t>(d.qkv_out) * up.ld;
      if (side_fc1) fork();
      if (m_.xb) {
        // QKV first: its blocks take the SMs first, fc1's fill those its last wave leaves.
        blas_->gemm(m_.xa, d.xn_ld, T, up.p, up.ld, d.qkv_out, d.dim, act, d.act_ld, false, 0.f);
        fc1_blas().gemm(m_.xb, d.xn_ld, T, w_fc1, up.ld, d.ffn, d.dim, act + d.off_h, d.act_ld, false, 0.f);
      } else {
        blas_->gemm(m_.xa, d.xn_ld, T, up.p, up.ld, d.qkv_out + d.ffn, d.dim, act, d.act_ld, false, 0.f);
      }
      gpu::launch_rope_append(act, d.act_ld, T, pos0, shape(), L.b_up, kinv, L.k_cache, L.v_cache, s);
      if (side && !side_fc1) fork();
      gpu::launch_bias_gelu(act + d.off_h, d.act_ld, T, d.ffn, L.b_up ? L.b_up + d.qkv_out : nullptr,
                            side ? side_ : s);
      if (side) FALCON_CUDA_CHECK(cudaEventRecord(join_, side_));
      gpu::launch_attention_prefill(aa, T, pos0, s);
      if (L.b_down) gpu::launch_add_bias(m_.x, d.dim, T, d.dim, L.b_down, s);
      if (side) FALCON_CUDA_CHECK(cudaStreamWaitEvent(s, join_, 0));
      const Mat down = prefill_matrix(L, gpu::kDown);
      blas_->gemm(act + d.off_h, d.act_ld, T, down.p, down.ld, d.dim, d.ffn + d.dim, m_.x, d.dim, true, 1.f);
    } else {
      gpu::launch_layernorm(m_.x, d.dim, T, d.dim, eps, L.ln1_g, L.ln1_b, m_.xa, nullptr, nullptr, nullptr,
                            d.xn_ld, s);
      const Mat qkv = prefill_matrix(L, gpu::kUp);
      blas_->gemm(m_.xa, d.xn_ld, T, qkv.p, qkv.ld, d.qkv_out, d.dim, act, d.act_ld, false, 0.f);
      gpu::launch_rope_append(act, d.act_ld, T, pos0, shape(), L.b_up, kinv, L.k_cache, L.v_cache, s);
      gpu::launch_attention_prefill(aa, T, pos0, s);
      prefill_sequential_rest(L, act, m_.x, m_.xa, T);
    }
  }
  if (fail_launch_) gpu::throw_injected_launch_failure(true, "cublasGemmEx", faults_, &fail_launch_);
  if (!out) {
    FALCON_CUDA_CHECK(cudaStreamSynchronize(s));
    return;
  }
  const size_t V = static_cast<size_t>(d.vocab);
  if (all_logits) {
    gpu::launch_layernorm(m_.x, d.dim, T, d.dim, eps, m_.lnf_g, m_.lnf_b, m_.xa, nullptr, nullptr, nullptr,
                          d.xn_ld, s);
    for (int r0 = 0; r0 < T; r0 += d.logit_rows) {
      const int rows = std::min(d.logit_rows, T - r0);
      const bf16* xr = m_.xa + static_cast<size_t>(r0) * d.xn_ld;
      if (!d.quant_head) {
        blas_->gemm(xr, d.xn_ld, rows, m_.lm_head, d.dim, d.vocab, d.dim, m_.logits, d.vocab, true, 0.f);
      } else {
        // The quantized head, dequantized a slice of vocabulary rows at a time.
        const int step = std::max(16, static_cast<int>(m_.deq_elems / d.dim) / 16 * 16);
        for (int v0 = 0; v0 < d.vocab; v0 += step) {
          const int n = std::min(step, d.vocab - v0);
          gpu::launch_dequantize(m_.q_head, v0, n, m_.deq, d.dim, s);
          blas_->gemm(xr, d.xn_ld, rows, m_.deq, d.dim, n, d.dim, m_.logits + v0, d.vocab, true, 0.f);
        }
      }
      FALCON_CUDA_CHECK(cudaMemcpyAsync(h_logits_, m_.logits, rows * V * 4, cudaMemcpyDeviceToHost, s));
      FALCON_CUDA_CHECK(cudaStreamSynchronize(s));
      std::memcpy(out + static_cast<size_t>(r0) * V, h_logits_, rows * V * 4);
    }
    return;
  }
  gpu::launch_layernorm(m_.x + static_cast<size_t>(T - 1) * d.dim, d.dim, 1, d.dim, eps, m_.lnf_g, m_.lnf_b,
                        m_.xa, nullptr, nullptr, nullptr, d.xn_ld, s);
  lm_head_gemv(m_.xa, head_out_);
  copy_head_out();
  FALCON_CUDA_CHECK(cudaStreamSynchronize(s));
  if (out != h_logits_) std::memcpy(out, h_logits_, V * 4);
}

void CudaBackend::copy_head_out() {
  if (head_out_ == m_.logits)
    FALCON_CUDA_CHECK(cudaMemcpyAsync(h_logits_, m_.logits, static_cast<size_t>(d_.vocab) * 4,
                                      cudaMemcpyDeviceToHost, stream_));
}

// Every row's K and V still go to the cache, so the LayerNorm, the K/V part of the QKV GEMM and
// RoPE's cache append run on all T rows; Q, attention, the dense and MLP projections only on the
// last `keep`. For a 2048-token prompt of Falcon-40B that skips 99% of one layer's GEMM FLOPs (1.6%
// of the prefill's). One stream: the side stream's overlap has nothing to hide behind at one row.
// Nothing reads the other rows of m_.x afterwards (the final LayerNorm takes the last row; the
// next chunk starts from its embeddings).
void CudaBackend::prefill_last_layer(const gpu::LayerDev& L, int T, int pos0, int keep) {
  const gpu::Dims& d = d_;
  cudaStream_t s = stream_;
  const float eps = static_cast<float>(c_.layer_norm_epsilon);
  bf16* act = m_.act;
  const bool two_ln = c_.parallel_attn && m_.xb;
  gpu::launch_layernorm(m_.x, d.dim, T, d.dim, eps, L.ln1_g, L.ln1_b, m_.xa, two_ln ? L.ln2_g : nullptr,
                        two_ln ? L.ln2_b : nullptr, two_ln ? m_.xb : nullptr, d.xn_ld, s);
  const Mat up = prefill_matrix(L, gpu::kUp);
  // K and V (canonical rows H*HD.. of the QKV block) of every row, Q of the kept rows: the other
  // rows' Q columns keep whatever they held (RoPE's append adds the bias to them; nothing reads them).
  const int r0 = T - keep;
  bf16* a = act + static_cast<size_t>(r0) * d.act_ld;  // row r0 of the activations
  const int q_cols = d.heads * d.hd;
  blas_->gemm(m_.xa, d.xn_ld, T, up.p + static_cast<size_t>(q_cols) * up.ld, up.ld, d.qkv_out - q_cols, d.dim,
              act + q_cols, d.act_ld, false, 0.f);
  if (keep > 0)
    blas_->gemm(m_.xa + static_cast<size_t>(r0) * d.xn_ld, d.xn_ld, keep, up.p, up.ld, q_cols, d.dim, a,
                d.act_ld, false, 0.f);
  gpu::launch_rope_append(act, d.act_ld, T, pos0, shape(), L.b_up, rotary_ ? m_.inv_freq : nullptr, L.k_cache,
                          L.v_cache, s);
  if (keep == 0) return;
  float* x = m_.x + static_cast<size_t>(r0) * d.dim;
  gpu::AttnArgs aa = attn_args(L);
  aa.q = a;
  aa.out = a + d.off_ctx;
  gpu::launch_attention_prefill(aa, keep, pos0 + r0, s);
  if (c_.parallel_attn) {
    const bf16* xin = (two_ln ? m_.xb : m_.xa) + static_cast<size_t>(r0) * d.xn_ld;
    blas_->gemm(xin, d.xn_ld, keep, up.p + static_cast<size_t>(d.qkv_out) * up.ld, up.ld, d.ffn, d.dim,
                a + d.off_h, d.act_ld, false, 0.f);
    gpu::launch_bias_gelu(a + d.off_h, d.act_ld, keep, d.ffn, L.b_up ? L.b_up + d.qkv_out : nullptr, s);
    if (L.b_down) gpu::launch_add_bias(x, d.dim, keep, d.dim, L.b_down, s);
    const Mat down = prefill_matrix(L, gpu::kDown);  // (quantized: after fc1 read the staging area)
    blas_->gemm(a + d.off_h, d.act_ld, keep, down.p, down.ld, d.dim, d.ffn + d.dim, x, d.dim, true, 1.f);
    return;
  }
  prefill_sequential_rest(L, a, x, m_.xa + static_cast<size_t>(r0) * d.xn_ld, keep);
}

// A sequential block after attention, for `rows` rows starting at activation row `a`, residual
// row `x` and LayerNorm output row `xn`: the dense projection into the residual, the second
// LayerNorm, fc1 with GELU, fc2 into the residual.
void CudaBackend::prefill_sequential_rest(const gpu::LayerDev& L, bf16* a, float* x, bf16* xn, int rows) {
  const gpu::Dims& d = d_;
  cudaStream_t s = stream_;
  const float eps = static_cast<float>(c_.layer_norm_epsilon);
  if (L.b_dense) gpu::launch_add_bias(x, d.dim, rows, d.dim, L.b_dense, s);
  const Mat dense = prefill_matrix(L, gpu::kDense);
  blas_->gemm(a + d.off_ctx, d.act_ld, rows, dense.p, dense.ld, d.dim, d.dim, x, d.dim, true, 1.f);
  gpu::launch_layernorm(x, d.dim, rows, d.dim, eps, L.ln2_g, L.ln2_b, xn, nullptr, nullptr, nullptr, d.xn_ld,
                        s);
  const Mat fc1 = prefill_matrix(L, gpu::kFc1);
  blas_->gemm(xn, d.xn_ld, rows, fc1.p, fc1.ld, d.ffn, d.dim, a + d.off_h, d.act_ld, false, 0.f);
  gpu::launch_bias_gelu(a + d.off_h, d.act_ld, rows, d.ffn, L.b_up ? L.b_up + d.qkv_out : nullptr, s);
  if (L.b_fc2) gpu::launch_add_bias(x, d.dim, rows, d.dim, L.b_fc2, s);
  const Mat fc2 = prefill_matrix(L, gpu::kDown);
  blas_->gemm(a + d.off_h, d.act_ld, rows, fc2.p, fc2.ld, d.dim, d.ffn, x, d.dim, true, 1.f);
}

// One decode step's kernels; token and position come from m_.step (device), so the same
// sequence can be captured once and replayed.
void CudaBackend::enqueue_decode() {
  const gpu::Dims& d = d_;
  cudaStream_t s = stream_;
  const float eps = static_cast<float>(c_.layer_norm_epsilon);
  const int* pos = m_.step + 1;
  auto gemv = [&](GemvEpilogue e, GemvArgs a, const gpu::LayerDev& L, gpu::QuantPart part) {
    a.split_ws = m_.split_ws;
    a.split_counters = m_.split_counters;
    if (quant())
      gpu::launch_gemv_quant(e, a, L.q[part], s);
    else
      gpu::launch_gemv(e, a, s);
  };
  // The LayerNorm of a row that int4 GEMVs of 2048-column units on the integer tensor cores read
  // also stages it for them (StagedX: x's digits), once instead of in each of their blocks
  // (FALCON_STAGED_X=0: each block stages its own, for A/B runs).
  static const bool staged_x = [] {
    const char* e = std::getenv("FALCON_STAGED_X");
    return !(e && e[0] == '0');
  }();
  const int nch = gpu::staged_chunks(d.dim);
  auto layernorm = [&](const float* g1, const float* b1, bf16* out1, const float* g2, const float* b2,
                       bf16* out2, GemvArgs& reader, const gpu::QuantMatrix& q) {
    reader.staged_a = reader.staged_b = nullptr;
    if (!m_.staged || !staged_x || !gpu::gemv_q4_takes_staged(q)) {
      gpu::launch_layernorm(m_.x, d.dim, 1, d.dim, eps, g1, b1, out1, g2, b2, out2, d.xn_ld, s);
      return;
    }
    gpu::StagedX* st2 = out2 ? m_.staged + nch : nullptr;
    // (false: the row does not fit the staging kernel, and the plain LayerNorm ran instead)
    if (gpu::launch_layernorm_staged(m_.x, d.dim, eps, g1, b1, out1, m_.staged, g2, b2, out2, st2, s)) {
      reader.staged_a = m_.staged;
      reader.staged_b = out2 ? st2 : m_.staged;
    }
  };
  gpu::launch_embed(m_.step, 1, m_.embed, d.dim, m_.x, s);
  for (const gpu::LayerDev& L : m_.layers) {
    GemvArgs up;
    up.w = L.w_up;
    up.k = d.dim;
    up.ldw = d.dim;
    up.xa = m_.xa;
    up.bias = L.b_up;
    up.q_out = m_.act;
    up.h_out = m_.act + d.off_h;
    up.k_cache = L.k_cache;
    up.v_cache = L.v_cache;
    up.pos = pos;
    up.inv_freq = rotary_ ? m_.inv_freq : nullptr;
    up.shape = shape();
    GemvArgs down;
    down.ldw = d.ffn + d.dim;
    down.out_f32 = m_.x;
    if (c_.parallel_attn) {
      layernorm(L.ln1_g, L.ln1_b, m_.xa, L.ln2_g, L.ln2_b, m_.xb, up, L.q[gpu::kUp]);
      up.n_rows = d.qkv_out + d.ffn;
      up.split = d.qkv_out;
      up.xb = m_.xb ? m_.xb : m_.xa;
      gemv(GemvEpilogue::QkvUp, up, L, gpu::kUp);
      // gelu(fc1) is complete once attention is past its wait, which it signals: the down
      // projection starts during attention's start, streams the fc2 columns while attention
      // runs, and waits for attention's end only for the ctx columns.
      gpu::AttnArgs aa = attn_args(L);
      const gpu::ReadySignal ready{m_.ready_flags + (&L - m_.layers.data()), m_.step + 2};
      if (decode_overlap() == Overlap::Signal) aa.signal = ready;
      gpu::launch_attention_decode(aa, pos, plan_, m_.attn_ws, m_.attn_counters, s);
      down.w = L.w_down;
      down.n_rows = d.dim;
      down.k = d.ffn + d.dim;
      down.xa = m_.act + d.off_h;
      down.bias = L.b_down;
      if (decode_overlap() != Overlap::Off) down.k_ready = d.ffn;
      if (decode_overlap() == Overlap::Signal) down.ready = ready;
      gemv(GemvEpilogue::Residual, down, L, gpu::kDown);
    } else {
      layernorm(L.ln1_g, L.ln1_b, m_.xa, nullptr, nullptr, nullptr, up, L.q[gpu::kUp]);
      up.n_rows = d.qkv_out;
      up.split = d.qkv_out;
      gemv(GemvEpilogue::QkvUp, up, L, gpu::kUp);
      gpu::launch_attention_decode(attn_args(L), pos, plan_, m_.attn_ws, m_.attn_counters, s);
      down.w = L.w_down + d.ffn;
      down.n_rows = d.dim;
      down.k = d.dim;
      down.xa = m_.act + d.off_ctx;
      down.bias = L.b_dense;
      gemv(GemvEpilogue::Residual, down, L, gpu::kDense);
      GemvArgs fc1 = up;
      layernorm(L.ln2_g, L.ln2_b, m_.xa, nullptr, nullptr, nullptr, fc1, L.q[gpu::kFc1]);
      fc1.w = L.w_up + static_cast<size_t>(d.qkv_out) * d.dim;
      fc1.n_rows = d.ffn;
      fc1.split = 0;
      fc1.bias = L.b_up ? L.b_up + d.qkv_out : nullptr;
      gemv(GemvEpilogue::QkvUp, fc1, L, gpu::kFc1);
      GemvArgs fc2 = down;
      fc2.w = L.w_down;
      fc2.k = d.ffn;
      fc2.xa = m_.act + d.off_h;
      fc2.bias = L.b_fc2;
      gemv(GemvEpilogue::Residual, fc2, L, gpu::kDown);
    }
  }
  gpu::launch_layernorm(m_.x, d.dim, 1, d.dim, eps, m_.lnf_g, m_.lnf_b, m_.xa, nullptr, nullptr, nullptr,
                        d.xn_ld, s);
  lm_head_gemv(m_.xa, head_out_);
}

void CudaBackend::lm_head_gemv(const bf16* x, float* logits) {
  GemvArgs g;
  g.w = m_.lm_head;
  g.n_rows = d_.vocab;
  g.k = d_.dim;
  g.ldw = d_.dim;
  g.xa = x;
  g.out_f32 = logits;
  g.block_max = logits == head_out_ ? head_maxima_ : nullptr;
  g.split_ws = m_.split_ws;
  g.split_counters = m_.split_counters;
  if (d_.quant_head)
    gpu::launch_gemv_quant(GemvEpilogue::Store, g, m_.q_head, stream_);
  else
    gpu::launch_gemv(GemvEpilogue::Store, g, stream_);
}

// Opt-in (FALCON_GEMM_TUNE=1, or =verbose to print each shape's gain on stderr): times cuBLAS's
// default against cuBLASLt's candidates for each prefill GEMM shape of this model and each row
// bucket from the chunk size down to 256 (Blas::tune), on layer 0's matrices with the activation
// buffers as scratch: nothing in them matters before the first forward(), and they go back to
// zero after. The shapes mirror prefill_chunk(); one that differed would only run untuned. Off by
// default: measured on the H200 (docs/GPU_NOTES.md, run 10), it made Falcon-7B's 2048-token
// prefill 2.5% faster but Falcon-40B's 2% slower, with the 40B 2048-row GEMMs left on the default.
void CudaBackend::tune_prefill_gemms() {
  const char* env = std::getenv("FALCON_GEMM_TUNE");
  if (!env || (std::strcmp(env, "1") != 0 && std::strcmp(env, "verbose") != 0)) return;
  const bool verbose = std::strcmp(env, "verbose") == 0;  // each shape's gain, on stderr
  auto tune_on = [&](gpu::Blas& b, const char* what, const bf16* a, int lda, int rows, const bf16* w, int ldw,
                     int n, int k, void* y, int ldy, bool f32, float beta) {
    const double r = b.tune(a, lda, rows, w, ldw, n, k, y, ldy, f32, beta);
    if (verbose) std::fprintf(stderr, "gemm tune: %s %dx%dx%d: best/default %.3f\n", what, rows, n, k, r);
  };
  auto tune = [&](auto&&... args) { tune_on(*blas_, args...); };
  if (m_.layers.empty() || d_.chunk < 256) return;
  const gpu::Dims& d = d_;
  cudaStream_t s = stream_;
  const gpu::LayerDev& L = m_.layers.front();
  // Random inputs: tensor cores draw less power on zeros, and the ranking is wanted at the cap.
  const uint64_t xn = static_cast<uint64_t>(d.chunk) * d.xn_ld,
                 an = static_cast<uint64_t>(d.chunk) * d.act_ld;
  gpu::launch_fill_random_bf16(m_.xa, xn, 11, 1.f, s);
  if (m_.xb) gpu::launch_fill_random_bf16(m_.xb, xn, 12, 1.f, s);
  gpu::launch_fill_random_bf16(m_.act, an, 13, 1.f, s);
  FALCON_CUDA_CHECK(cudaStreamSynchronize(s));  // fc1 may be timed on the second stream
  bf16* act = m_.act;
  for (int T = d.chunk; T >= 256; T = (T + 1) / 2) {
    if (c_.parallel_attn) {
      const Mat up = prefill_matrix(L, gpu::kUp);
      if (m_.xb) {
        tune("qkv", m_.xa, d.xn_ld, T, up.p, up.ld, d.qkv_out, d.dim, act, d.act_ld, false, 0.f);
        // On the handle prefill_chunk() runs fc1 on (that of the second stream, by default).
        tune_on(fc1_blas(), "fc1", m_.xb, d.xn_ld, T, up.p + static_cast<size_t>(d.qkv_out) * up.ld, up.ld,
                d.ffn, d.dim, act + d.off_h, d.act_ld, false, 0.f);
      } else {
        tune("up", m_.xa, d.xn_ld, T, up.p, up.ld, d.qkv_out + d.ffn, d.dim, act, d.act_ld, false, 0.f);
      }
      const Mat down = prefill_matrix(L, gpu::kDown);
      tune("down", act + d.off_h, d.act_ld, T, down.p, down.ld, d.dim, d.ffn + d.dim, m_.x, d.dim, true, 1.f);
    } else {
      const Mat qkv = prefill_matrix(L, gpu::kUp);
      tune("qkv", m_.xa, d.xn_ld, T, qkv.p, qkv.ld, d.qkv_out, d.dim, act, d.act_ld, false, 0.f);
      const Mat dense = prefill_matrix(L, gpu::kDense);
      tune("dense", act + d.off_ctx, d.act_ld, T, dense.p, dense.ld, d.dim, d.dim, m_.x, d.dim, true, 1.f);
      const Mat fc1 = prefill_matrix(L, gpu::kFc1);
      tune("fc1", m_.xa, d.xn_ld, T, fc1.p, fc1.ld, d.ffn, d.dim, act + d.off_h, d.act_ld, false, 0.f);
      const Mat fc2 = prefill_matrix(L, gpu::kDown);
      tune("fc2", act + d.off_h, d.act_ld, T, fc2.p, fc2.ld, d.dim, d.ffn, m_.x, d.dim, true, 1.f);
    }
  }
  FALCON_CUDA_CHECK(cudaMemsetAsync(m_.xa, 0, xn * sizeof(bf16), s));
  if (m_.xb) FALCON_CUDA_CHECK(cudaMemsetAsync(m_.xb, 0, xn * sizeof(bf16), s));
  FALCON_CUDA_CHECK(cudaMemsetAsync(m_.act, 0, an * sizeof(bf16), s));
  FALCON_CUDA_CHECK(cudaMemsetAsync(m_.x, 0, static_cast<size_t>(d.chunk) * d.dim * sizeof(float), s));
}

CudaBackend::Mat CudaBackend::prefill_matrix(const gpu::LayerDev& L, gpu::QuantPart part) {
  const gpu::Dims& d = d_;
  if (quant()) {
    const gpu::QuantMatrix& q = L.q[part];
    gpu::launch_dequantize(q, 0, q.n_rows, m_.deq, q.k, stream_);
    return {m_.deq, q.k};
  }
  const int down_ld = d.ffn + d.dim;
  switch (part) {
    case gpu::kUp:
      return {L.w_up, d.dim};
    case gpu::kFc1:
      return {L.w_up + static_cast<size_t>(d.qkv_out) * d.dim, d.dim};
    case gpu::kDown:
      return {L.w_down, down_ld};
    case gpu::kDense:
      return {L.w_down + d.ffn, down_ld};
  }
  return {nullptr, 0};
}

void CudaBackend::decode_step(int32_t token, int pos, float* out) {
  cudaStream_t s = stream_;
  h_step_[0] = token;
  h_step_[1] = pos;
  h_step_[2] = static_cast<int32_t>(++serial_);
  const size_t V = static_cast<size_t>(d_.vocab);
  if (o_.use_cuda_graph && !graph_exec_) {
    FALCON_CUDA_CHECK(cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal));
    try {
      FALCON_CUDA_CHECK(cudaMemcpyAsync(m_.step, h_step_, 3 * sizeof(int32_t), cudaMemcpyHostToDevice, s));
      enqueue_decode();
      copy_head_out();
    } catch (...) {
      cudaGraph_t broken = nullptr;
      cudaStreamEndCapture(s, &broken);
      if (broken) cudaGraphDestroy(broken);
      throw;
    }
    FALCON_CUDA_CHECK(cudaStreamEndCapture(s, &graph_));
    try {
      gpu::expect_library_alloc("the decode step's CUDA graph", &faults_);
      FALCON_CUDA_CHECK(cudaGraphInstantiate(&graph_exec_, graph_, 0));
    } catch (...) {
      cudaGraphDestroy(graph_);  // captured again at the next step
      graph_ = nullptr;
      graph_exec_ = nullptr;
      throw;
    }
  }
  if (fail_launch_) gpu::throw_injected_launch_failure(false, "cudaGraphLaunch", faults_, &fail_launch_);
  if (graph_exec_) {
    FALCON_CUDA_CHECK(cudaGraphLaunch(graph_exec_, s));
  } else {
    FALCON_CUDA_CHECK(cudaMemcpyAsync(m_.step, h_step_, 3 * sizeof(int32_t), cudaMemcpyHostToDevice, s));
    enqueue_decode();
    copy_head_out();
  }
  FALCON_CUDA_CHECK(cudaStreamSynchronize(s));
  if (out && out != h_logits_) std::memcpy(out, h_logits_, V * 4);
}

void CudaBackend::truncate(int n) {
  if (n < 0 || n > cache_size())
    throw_usage_error("truncate(" + std::to_string(n) + "): the cache holds " + std::to_string(cache_size()) +
                      " tokens");
  tokens_.resize(static_cast<size_t>(n));
}

void CudaBackend::evict(int begin, int count, EvictMode mode) {
  const int size = cache_size();
  if (begin < 0 || count < 0 || begin > size || count > size - begin)
    throw_usage_error("evict(" + std::to_string(begin) + ", " + std::to_string(count) +
                      "): the cache holds " + std::to_string(size) + " tokens");
  if (count == 0) return;
  // As CpuBackend: a shift needs the base RoPE frequencies, now and in the cached keys (after a
  // dynamic-NTK stretch past max_position_embeddings they carry others until replayed).
  if (mode == EvictMode::Shift && freq_len_for(size) == 0 && (!rotary_ || rope_freq_len_ == 0)) {
    // Move the kept K/V down and re-rotate the keys (see EvictMode).
    FALCON_CUDA_CHECK(cudaSetDevice(o_.device));
    const int moved = size - begin - count;
    for (const gpu::LayerDev& L : m_.layers)
      gpu::launch_kv_shift(L.k_cache, L.v_cache, shape(), begin, count, moved,
                           rotary_ ? m_.inv_freq : nullptr, stream_);
    FALCON_CUDA_CHECK(cudaStreamSynchronize(stream_));
    tokens_.erase(tokens_.begin() + begin, tokens_.begin() + begin + count);
    return;
  }
  // As CpuBackend: the K/V of the tokens after the span depend on the evicted ones, so they are
  // recomputed at their new positions; the prefix [0, begin) is unaffected.
  std::vector<int32_t> rest(tokens_.begin() + begin + count, tokens_.end());
  tokens_.resize(static_cast<size_t>(begin));
  if (rest.empty()) return;
  std::vector<float> unused;
  forward(rest, false, unused);
}

}  // namespace

uint64_t cuda_backend_device_bytes(const ModelConfig& config, const CudaBackendOptions& options) {
  const gpu::Dims d = gpu::make_dims(config, options.cache_capacity, options.max_batch_tokens,
                                     options.weights, head_format(options));
  const gpu::AttnShape s{d.heads, d.kv, d.hd, d.cap};
  const gpu::DecodePlan p = gpu::plan_decode_attention(s, d.capacity, 132);
  return gpu::layout_model(config, d, gpu::decode_workspace_bytes(s, p), gpu::decode_counter_count(s, p),
                           nullptr, nullptr);
}

std::unique_ptr<Backend> create_cuda_backend(const ModelConfig& config,
                                             std::shared_ptr<const CheckpointReader> weights,
                                             const CudaBackendOptions& options) {
  if (!weights) throw_usage_error("create_cuda_backend: no checkpoint");
  return std::make_unique<CudaBackend>(config, options, weights.get(), 0);
}

std::unique_ptr<Backend> create_cuda_backend(const std::filesystem::path& model_dir,
                                             const CudaBackendOptions& options) {
  const ModelConfig config = load_model_config(model_dir);
  const CheckpointReader reader(model_dir);
  return std::make_unique<CudaBackend>(config, options, &reader, 0);
}

std::unique_ptr<Backend> create_synthetic_cuda_backend(const ModelConfig& config, uint64_t seed,
                                                       const CudaBackendOptions& options) {
  return std::make_unique<CudaBackend>(config, options, nullptr, seed);
}

}  // namespace falcon
