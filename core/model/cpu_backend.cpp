// CpuBackend: the reference Falcon forward pass (HF FalconForCausalLM semantics, fp32).
//
// KV cache: per layer, keys and values of the KV heads only, (capacity, n_kv_heads, head_dim);
// keys are stored rotated (RoPE) for their position, which is their cache index.
//
// Eviction: the K/V of a token in layer >= 1 depend on every token before it, so after
// removing tokens [begin, begin + count) the K/V of the tokens after them are stale.
// EvictMode::Exact keeps the prefix [0, begin) as is and recomputes the rest from the stored
// token ids, at their new positions (so no key needs re-rotating). That is what makes the
// window invariant exact: next-token logits after any evictions equal a fresh prefill of the
// kept tokens at positions 0..n-1. EvictMode::Shift only compacts the cache and re-rotates the
// moved keys (undo the rotation of the old position, apply the new one, with the same cos/sin
// tables a prefill uses): cheap, but the logits keep the evicted tokens' influence.
//
// Dynamic NTK RoPE scaling: HF's forward of a sequence of L > max_position_embeddings tokens
// uses frequencies that depend on L for every position, so the whole cache is a function of L.
// We match that definition (not HF's cached generate(), whose keys keep the frequencies of the
// step that made them and so depend on how the sequence was fed): when the length selects new
// frequencies, the cache is recomputed from the token ids. This makes every decode step past
// max_position_embeddings a full prefill; no released Falcon checkpoint uses rope_scaling.
#include "core/model/cpu_backend.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <new>

#include "core/common/byte_text.h"
#include "core/common/error.h"
#include "core/common/host_memory.h"
#include "core/common/thread_pool.h"
#include "core/model/cpu_ops.h"
#include "core/model/cpu_quant_cache.h"
#include "core/model/quant_cache_file.h"
#include "core/model/weight_format_name.h"

namespace falcon {
namespace {

using cpu::Linear;

struct Norm {
  std::vector<float> weight;  // (hidden)
  std::vector<float> bias;    // (hidden)
};

struct Layer {
  Norm norm_attn;        // input_layernorm or ln_attn
  Norm norm_mlp;         // ln_mlp (2 parallel LNs) or post_attention_layernorm (sequential); else empty
  Linear qkv;            // (qkv_out_features, hidden)
  Linear dense;          // (hidden, hidden)
  Linear fc1;            // dense_h_to_4h (ffn, hidden)
  Linear fc2;            // dense_4h_to_h (hidden, ffn)
  std::vector<float> k;  // (capacity, n_kv, head_dim), rotated to their positions
  std::vector<float> v;  // (capacity, n_kv, head_dim)
};

// Most tokens pushed through the layers at once by default (CpuBackendOptions::prefill_chunk);
// bounds scratch memory for long prompts. 256 rather than 64: each pass converts every bf16
// weight row it uses to fp32 once, for all its rows (falcon-mini, 2 threads: a 250-token prompt
// 199-206 -> 171-182 ms, 1000 tokens 624-649 -> 597-608).
constexpr int kDefaultChunk = 256;

// int6 is the output head's format only (layer_format_ok): layers asked for in it are a usage
// error, before anything is read.
void check_formats(const CpuBackendOptions& options) {
  if (!layer_format_ok(options.weights)) throw Error(ErrorKind::Usage, kInt6LayersMessage);
}

class CpuBackend final : public Backend {
 public:
  CpuBackend(const ModelConfig& config, std::shared_ptr<const CheckpointReader> weights,
             const CpuBackendOptions& options);

  const ModelConfig& config() const override { return c_; }
  std::string describe() const override { return falcon::describe(identity()); }
  BackendIdentity identity() const override {
    return {BackendIdentity::Kind::Cpu, static_cast<int>(pool_.size()), {}};
  }
  int cache_size() const override { return static_cast<int>(tokens_.size()); }
  int cache_capacity() const override { return capacity_; }
  BackendMemory memory() const override;
  void forward(std::span<const int32_t> tokens, bool all_logits, std::vector<float>& logits) override;
  void evict(int begin, int count, EvictMode mode) override;
  void truncate(int n) override;

 private:
  void run_chunk(const int32_t* tokens, int n, bool want_all, float* logits_out);
  void shift_cache(int begin, int count);
  void attention(Layer& L, int p0, int n, int first);
  void prepare_rope(int seq_len);
  int freq_len_for(int seq_len) const;
  // The mapped files the weights are read from (the checkpoint's shards, the quantization cache)
  // are as long as when they were opened; throws Error(Load) naming the one that is not.
  void check_unchanged() const;
  Norm load_norm(const std::string& name) const;
  Linear load_linear(const std::string& name, int out, int in) const;
  void quantize_weights(const CpuBackendOptions& options);

  ModelConfig c_;
  std::shared_ptr<const CheckpointReader> weights_;
  mutable ThreadPool pool_;
  int capacity_ = 0;
  int group_ = 1;                // query heads per KV head
  TensorView embeddings_;        // (vocab, hidden)
  Linear head_;                  // lm_head (vocab, hidden), quantized or not
  uint64_t released_bytes_ = 0;  // bytes of the map whose tensors run quantized instead
  uint64_t quant_bytes_ = 0;     // ... and what the quantized forms take
  // The cache file the quantized codes are views of, when they were read from one.
  std::shared_ptr<const qcache::Mapping> quant_map_;
  Norm ln_f_;
  std::vector<Layer> layers_;
  std::vector<int32_t> tokens_;  // ids in the cache, position = index
  std::vector<float> slopes_;    // ALiBi, (num_heads)
  // ALiBi: per head, the bias / sqrt(head_dim) of each key position reached so far (attention()).
  std::vector<std::vector<float>> alibi_;

  // RoPE cos/sin for positions [0, rope_len_) under the frequencies of sequence length
  // rope_freq_len_ (0 = the unscaled-by-length frequencies; only dynamic scaling sets it).
  std::vector<float> cos_, sin_;  // (capacity, head_dim / 2)
  int rope_len_ = 0;
  int rope_freq_len_ = -1;

  int chunk_ = kDefaultChunk;  // tokens per pass through the layers
  // Scratch, sized for chunk_ tokens.
  std::vector<float> x_, a_, m_, qkv_, q_, attn_, tmp_, ffn_;
};

Norm CpuBackend::load_norm(const std::string& name) const {
  const std::vector<int64_t> shape{c_.hidden_size};
  Norm n;
  n.weight.resize(static_cast<std::size_t>(c_.hidden_size));
  n.bias.resize(static_cast<std::size_t>(c_.hidden_size));
  to_float(weights_->get(name + ".weight", shape), 0, c_.hidden_size, n.weight.data());
  to_float(weights_->get(name + ".bias", shape), 0, c_.hidden_size, n.bias.data());
  return n;
}

Linear CpuBackend::load_linear(const std::string& name, int out, int in) const {
  Linear l;
  l.out_features = out;
  l.in_features = in;
  const std::vector<int64_t> shape{out, in};
  l.weight = weights_->get(name + ".weight", shape);
  if (c_.bias) {
    l.bias.resize(static_cast<std::size_t>(out));
    to_float(weights_->get(name + ".bias", std::vector<int64_t>{out}), 0, out, l.bias.data());
  }
  return l;
}

CpuBackend::CpuBackend(const ModelConfig& config, std::shared_ptr<const CheckpointReader> weights,
                       const CpuBackendOptions& options)
    : c_(config), weights_(std::move(weights)), pool_(options.threads) {
  check_formats(options);
  if (!weights_) throw_usage_error("create_cpu_backend: no checkpoint");
  if (options.cache_capacity < 0) throw_usage_error("cache_capacity must be >= 0");
  if (options.prefill_chunk < 0) throw_usage_error("prefill_chunk must be >= 0");
  chunk_ = options.prefill_chunk > 0 ? options.prefill_chunk : kDefaultChunk;
  weights_->validate(c_);
  capacity_ = options.cache_capacity;
  if (capacity_ == 0) {
    // RoPE scaling exists to run past max_position_embeddings; give the cache that room.
    const double f = c_.rope_scaling == RopeScaling::None ? 1.0 : c_.rope_scaling_factor;
    capacity_ = static_cast<int>(std::min(1e7, std::ceil(c_.max_position_embeddings * f)));
  }
  chunk_ = std::max(1, std::min(chunk_, capacity_));  // no pass holds more tokens than the cache
  group_ = c_.num_heads / c_.num_kv_heads;
  const int h = c_.hidden_size;
  const std::vector<int64_t> emb_shape{c_.vocab_size, h};
  embeddings_ = weights_->get(kWordEmbeddings, emb_shape);
  head_.weight = weights_->lm_head(c_);
  head_.out_features = c_.vocab_size;
  head_.in_features = h;
  ln_f_ = load_norm("transformer.ln_f");
  const std::size_t kv_floats = static_cast<std::size_t>(capacity_) * c_.num_kv_heads * c_.head_dim;
  layers_.resize(static_cast<std::size_t>(c_.num_layers));
  for (int i = 0; i < c_.num_layers; ++i) {
    Layer& L = layers_[static_cast<std::size_t>(i)];
    const std::string p = layer_prefix(i);
    if (!c_.parallel_attn) {
      L.norm_attn = load_norm(p + "input_layernorm");
      L.norm_mlp = load_norm(p + "post_attention_layernorm");
    } else if (c_.has_two_parallel_layernorms()) {
      L.norm_attn = load_norm(p + "ln_attn");
      L.norm_mlp = load_norm(p + "ln_mlp");
    } else {
      L.norm_attn = load_norm(p + "input_layernorm");
    }
    L.qkv = load_linear(p + "self_attention.query_key_value", c_.qkv_out_features(), h);
    L.dense = load_linear(p + "self_attention.dense", h, h);
    L.fc1 = load_linear(p + "mlp.dense_h_to_4h", c_.ffn_hidden_size, h);
    L.fc2 = load_linear(p + "mlp.dense_4h_to_h", h, c_.ffn_hidden_size);
    L.k.assign(kv_floats, 0.0f);
    L.v.assign(kv_floats, 0.0f);
  }
  quantize_weights(options);
  if (c_.alibi) slopes_ = cpu::alibi_slopes(c_.num_heads);
  if (c_.rotary()) {
    cos_.resize(static_cast<std::size_t>(capacity_) * (c_.head_dim / 2));
    sin_.resize(cos_.size());
  }
  const std::size_t T = static_cast<std::size_t>(chunk_);
  x_.resize(T * h);
  a_.resize(T * h);
  m_.resize(T * h);
  qkv_.resize(T * c_.qkv_out_features());
  q_.resize(T * h);
  attn_.resize(T * h);
  tmp_.resize(T * h);
  ffn_.resize(T * c_.ffn_hidden_size);
  tokens_.reserve(static_cast<std::size_t>(capacity_));
}

namespace {

// Drops the whole pages of a mapped tensor from this process (they are clean file pages: touched
// again, they are read again). For tensors that now run from their quantized copy.
void release_pages(std::span<const std::byte> bytes) {
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto begin = reinterpret_cast<std::uintptr_t>(bytes.data());
  const std::uintptr_t first = (begin + page - 1) / page * page;
  const std::uintptr_t last = (begin + bytes.size()) / page * page;
  if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
}

}  // namespace

// The layers' four matrices in options.weights, the head in its own format; progress by weights
// done.
void CpuBackend::quantize_weights(const CpuBackendOptions& options) {
  const WeightFormat head_format = options.head_weights.value_or(default_head_format(options.weights));
  std::vector<Linear*> layer_matrices;
  for (Layer& L : layers_)
    for (Linear* l : {&L.qkv, &L.dense, &L.fc1, &L.fc2}) layer_matrices.push_back(l);
  std::vector<Linear*> todo;
  if (options.weights != WeightFormat::Bf16) todo = layer_matrices;
  if (head_format != WeightFormat::Bf16) todo.push_back(&head_);
  if (todo.empty()) return;
  // Refused before any allocation when it cannot fit (Linux would rather kill the process later
  // than fail an allocation): what each format would take, against what the system has.
  // The quantized matrices' bytes with the layers in `layers` and the head in `head` (bf16: none).
  auto need = [&](WeightFormat layers, WeightFormat head) {
    uint64_t bytes = 0;
    if (layers != WeightFormat::Bf16)
      for (const Linear* l : layer_matrices)
        bytes += cpu::quantized_bytes(l->out_features, l->in_features, layers);
    if (head != WeightFormat::Bf16)
      bytes += cpu::quantized_bytes(head_.out_features, head_.in_features, head);
    return bytes;
  };
  const uint64_t needed = need(options.weights, head_format);
  uint64_t available = options.host_memory_limit;
  if (available == 0) {
    const auto host = read_host_memory();
    available = host ? host->available : 0;
  }
  if (available > 0 && needed > available) {
    const std::string what = options.weights != WeightFormat::Bf16
                                 ? std::string(weight_format_name(options.weights)) + " weights"
                                 : std::string("an ") + weight_format_name(head_format) + " output head";
    std::string msg = what + " need" + (options.weights != WeightFormat::Bf16 ? "" : "s") + " " +
                      gib_text(needed) + " of RAM and " + gib_text(available) + " is available";
    if (options.weights == WeightFormat::Int8) {  // int4 layers, the head as asked or int4's default
      const uint64_t int4 =
          need(WeightFormat::Int4, options.head_weights.value_or(default_head_format(WeightFormat::Int4)));
      msg += int4 <= available ? "; int4 would need " + gib_text(int4) + " and fit" : "";
    }
    throw Error(ErrorKind::OutOfMemory,
                msg + " (close other programs, choose a shorter context, or run on the GPU)");
  }
  const bool tied = head_.weight.data.data() == embeddings_.data.data();
  auto install = [&](Linear* l, cpu::QuantMatrix q) {
    l->quant = std::move(q);
    quant_bytes_ += l->quant.bytes();
    if (!(l == &head_ && tied)) {  // tied: the embedding lookups still read the map
      released_bytes_ += l->weight.data.size();
      release_pages(l->weight.data);
    }
  };
  // The cache: only for quantized layers (a quantized head alone takes a moment), and only for
  // a checkpoint read from a folder.
  const bool cached =
      options.weights != WeightFormat::Bf16 && !options.quant_cache_dir.empty() && !weights_->dir().empty();
  std::vector<cpu::MatrixShape> shapes;
  for (const Linear* l : todo)
    shapes.push_back({l->out_features, l->in_features, l == &head_ ? head_format : options.weights});
  qcache::Expect expect;
  std::filesystem::path file;
  auto note = [&](const std::string& text) {
    if (options.notice) options.notice(text);
  };
  bool from_cache = false;
  if (cached) {
    expect = cpu::cache_expect(options.weights, shapes, qcache::checkpoint_key(weights_->dir()));
    file = qcache::cache_file(options.quant_cache_dir, weights_->dir(), options.weights,
                              head_format != WeightFormat::Bf16, head_format, "-cpu", expect.key);
    std::vector<cpu::QuantMatrix> read;
    std::string why;
    cpu::CacheProgress progress;
    if (options.progress)
      progress = [&](uint64_t done, uint64_t total) {
        return options.progress(double(done) / double(total));
      };
    from_cache = cpu::read_cache(file, expect, shapes, read, progress, &why, &quant_map_);
    for (std::size_t i = 0; i < read.size(); ++i) install(todo[i], std::move(read[i]));
    note(from_cache ? qcache::cache_notice(qcache::CacheNotice::Read, file.string())
                    : qcache::cache_notice(qcache::CacheNotice::Unusable, why));
  }
  if (!from_cache) {
    // Quantizing is most of the time; writing the cache, when there is one, the rest of the bar.
    const double share = cached ? 0.8 : 1.0;
    // int8 in a parallel block: the MLP down projection and the attention output add into the
    // same residual row, and the CUDA backend holds them as one matrix [fc2 | dense] with one
    // scale per row; the same scales here, so that both backends dequantize to the same values.
    // Computed when a layer's first of the two comes up (progress and cancel between layers).
    const Layer* joint_layer = nullptr;
    std::vector<float> joint;
    auto shared_amax = [&](const Linear* l) -> std::span<const float> {
      if (options.weights != WeightFormat::Int8 || !c_.parallel_attn) return {};
      for (const Layer& L : layers_) {
        if (l != &L.fc2 && l != &L.dense) continue;
        if (joint_layer != &L) {
          joint = cpu::row_amax(pool_, L.fc2.weight);
          const std::vector<float> dense = cpu::row_amax(pool_, L.dense.weight);
          for (std::size_t r = 0; r < joint.size(); ++r) joint[r] = std::max(joint[r], dense[r]);
          joint_layer = &L;
        }
        return joint;
      }
      return {};
    };
    double total = 0, done = 0;
    for (const Linear* l : todo) total += static_cast<double>(l->weight.numel());
    for (Linear* l : todo) {
      if (options.progress && !options.progress(share * done / total))
        throw Error(ErrorKind::Cancelled, "loading cancelled");
      install(l,
              cpu::quantize(pool_, l->weight, l == &head_ ? head_format : options.weights, shared_amax(l)));
      done += static_cast<double>(l->weight.numel());
    }
    if (cached) {
      std::vector<const cpu::QuantMatrix*> matrices;
      for (const Linear* l : todo) matrices.push_back(&l->quant);
      cpu::CacheProgress progress;
      if (options.progress)
        progress = [&](uint64_t written, uint64_t all) {
          return options.progress(share + (1 - share) * double(written) / double(all));
        };
      // The outdated files of this model first: their space may be what the new one needs.
      const qcache::CacheFiles removed = qcache::remove_stale(file);
      std::string why;
      const bool written = cpu::write_cache(file, expect, matrices, progress, &why);
      note(written
               ? qcache::cache_notice(qcache::CacheNotice::Written,
                                      qcache::with_removed(file.string(), removed))
               : qcache::cache_notice(qcache::CacheNotice::NotWritten, qcache::with_removed(why, removed)));
    }
  }
  if (options.progress && !options.progress(1.0)) throw Error(ErrorKind::Cancelled, "loading cancelled");
}

BackendMemory CpuBackend::memory() const {
  BackendMemory mem;
  mem.weights_bytes = weights_->total_tensor_bytes() - released_bytes_ + quant_bytes_;
  mem.embedding_bytes = embeddings_.data.size();
  for (const Layer& L : layers_) mem.cache_bytes += (L.k.size() + L.v.size()) * sizeof(float);
  for (const auto* v : {&x_, &a_, &m_, &qkv_, &q_, &attn_, &tmp_, &ffn_, &cos_, &sin_})
    mem.other_bytes += v->size() * sizeof(float);
  for (const std::vector<float>& row : alibi_) mem.other_bytes += row.size() * sizeof(float);
  if (const auto host = read_host_memory()) {
    mem.device_total = host->total;
    mem.device_used = host->used();
  }
  if (!layers_.empty() && !layers_.front().qkv.quant.empty()) {
    mem.weight_format = weight_format_name(layers_.front().qkv.quant.format);
  } else {
    for (const char* ch = dtype_name(embeddings_.dtype); *ch; ++ch)  // "bf16", "f16", "f32"
      mem.weight_format += static_cast<char>(std::tolower(static_cast<unsigned char>(*ch)));
  }
  return mem;
}

void CpuBackend::check_unchanged() const {
  weights_->check_unchanged();
  if (quant_map_ && quant_map_->changed_on_disk())
    throw_load_error(quant_map_->path().string() +
                     " changed on disk while the model was in use (it is shorter than when it was "
                     "opened); open the model again");
}

// Which frequency set a sequence of seq_len tokens uses: 0 unless dynamic scaling is active.
int CpuBackend::freq_len_for(int seq_len) const {
  const bool dynamic = c_.rope_scaling == RopeScaling::Dynamic;
  return dynamic && seq_len > c_.max_position_embeddings ? seq_len : 0;
}

// Makes cos_/sin_ valid for positions [0, seq_len) under the frequencies HF uses for a
// sequence of seq_len tokens. Without dynamic scaling they never change: the table only grows.
void CpuBackend::prepare_rope(int seq_len) {
  const int freq_len = freq_len_for(seq_len);
  if (freq_len != rope_freq_len_) {
    rope_freq_len_ = freq_len;
    rope_len_ = 0;
  }
  if (seq_len <= rope_len_) return;
  const int half = c_.head_dim / 2;
  const std::vector<float> inv = cpu::rope_inv_freq(c_, seq_len);
  for (int p = rope_len_; p < seq_len; ++p) {
    for (int i = 0; i < half; ++i) {
      // HF: angle = float32(position) * inv_freq in float32, then cos/sin in float32.
      const float angle = static_cast<float>(p) * inv[static_cast<std::size_t>(i)];
      cos_[static_cast<std::size_t>(p) * half + i] = static_cast<float>(std::cos(static_cast<double>(angle)));
      sin_[static_cast<std::size_t>(p) * half + i] = static_cast<float>(std::sin(static_cast<double>(angle)));
    }
  }
  rope_len_ = seq_len;
}

void CpuBackend::forward(std::span<const int32_t> tokens, bool all_logits, std::vector<float>& logits) {
  const int n = static_cast<int>(tokens.size());
  if (n == 0) throw_usage_error("forward: no tokens");
  if (n > capacity_ - cache_size()) {
    throw_usage_error("forward: " + std::to_string(n) + " tokens do not fit in the KV cache (" +
                      std::to_string(cache_size()) + " of " + std::to_string(capacity_) + " used)");
  }
  for (int32_t t : tokens) {
    if (t < 0 || t >= c_.vocab_size) {
      throw_usage_error("forward: token id " + std::to_string(t) + " is outside the vocabulary (0.." +
                        std::to_string(c_.vocab_size - 1) + ")");
    }
  }
  // The weights are read straight from the mapped files: a shard truncated on disk reads as
  // zeros (core/common/mapping_guard.h). Refuse to run on it, and report a forward that read it.
  check_unchanged();
  const std::size_t V = static_cast<std::size_t>(c_.vocab_size);
  logits.assign((all_logits ? static_cast<std::size_t>(n) : 1) * V, 0.0f);
  const int seq_len = cache_size() + n;
  if (c_.rotary()) {
    // Dynamic scaling: a new length may mean new frequencies for every cached key, and for
    // everything computed from them; recompute the cache under the new ones (file comment).
    if (cache_size() > 0 && freq_len_for(seq_len) != rope_freq_len_) {
      std::vector<int32_t> replay(tokens_);
      tokens_.clear();
      prepare_rope(seq_len);
      for (std::size_t done = 0; done < replay.size();) {
        const int k =
            static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(chunk_), replay.size() - done));
        run_chunk(replay.data() + done, k, false, nullptr);
        done += static_cast<std::size_t>(k);
      }
    }
    prepare_rope(seq_len);
  }
  for (int done = 0; done < n;) {
    const int k = std::min(chunk_, n - done);
    const bool last_chunk = done + k == n;
    float* out = all_logits ? logits.data() + static_cast<std::size_t>(done) * V
                            : (last_chunk ? logits.data() : nullptr);
    run_chunk(tokens.data() + done, k, all_logits, out);
    done += k;
  }
  check_unchanged();
}

// Runs n <= chunk_ tokens at positions cache_size().. and appends them to the cache.
// logits_out: n rows (want_all), the last row only (!want_all), or nothing (nullptr).
void CpuBackend::run_chunk(const int32_t* tokens, int n, bool want_all, float* logits_out) {
  const int h = c_.hidden_size;
  const int hd = c_.head_dim;
  const int p0 = cache_size();
  float* x = x_.data();
  for (int t = 0; t < n; ++t) rows_to_float(embeddings_, tokens[t], 1, x + static_cast<std::size_t>(t) * h);

  // Rows of the last layer's output that anything reads: the logits' rows (all, the last, or
  // none). That layer still appends every row's K and V to the cache, but runs attention, the
  // dense and MLP projections on those rows alone (1/layers of a prompt's work saved).
  const int last_first = logits_out ? (want_all ? 0 : n - 1) : n;
  for (Layer& L : layers_) {
    const int first = &L == &layers_.back() ? last_first : 0;
    const int rows = n - first;
    float* a = a_.data();
    cpu::layer_norm(x, n, h, L.norm_attn.weight.data(), L.norm_attn.bias.data(), c_.layer_norm_epsilon, a);
    cpu::linear(pool_, a, n, L.qkv, qkv_.data());
    // Split the fused projection (see ModelConfig::qkv_out_features for the three layouts) into
    // q (n, num_heads, hd) and this layer's cache rows k, v (n, n_kv, hd).
    const int qkv_w = c_.qkv_out_features();
    for (int t = 0; t < n; ++t) {
      const float* row = qkv_.data() + static_cast<std::size_t>(t) * qkv_w;
      float* q = q_.data() + static_cast<std::size_t>(t) * h;
      float* k = L.k.data() + static_cast<std::size_t>(p0 + t) * c_.num_kv_heads * hd;
      float* v = L.v.data() + static_cast<std::size_t>(p0 + t) * c_.num_kv_heads * hd;
      auto copy = [hd](float* dst, const float* src) { std::copy(src, src + hd, dst); };
      if (c_.new_decoder_architecture) {
        // (n_kv, group + 2, hd): per KV head its `group` query heads, then k, then v.
        for (int g = 0; g < c_.num_kv_heads; ++g) {
          const float* base = row + static_cast<std::size_t>(g) * (group_ + 2) * hd;
          for (int j = 0; j < group_; ++j)
            copy(q + static_cast<std::size_t>(g * group_ + j) * hd, base + j * hd);
          copy(k + static_cast<std::size_t>(g) * hd, base + group_ * hd);
          copy(v + static_cast<std::size_t>(g) * hd, base + (group_ + 1) * hd);
        }
      } else if (c_.multi_query) {
        // (num_heads + 2, hd): all query heads, then the one k, then the one v.
        std::copy(row, row + h, q);
        copy(k, row + h);
        copy(v, row + h + hd);
      } else {
        // (num_heads, 3, hd): q, k, v interleaved per head.
        for (int j = 0; j < c_.num_heads; ++j) {
          const float* base = row + static_cast<std::size_t>(j) * 3 * hd;
          copy(q + static_cast<std::size_t>(j) * hd, base);
          copy(k + static_cast<std::size_t>(j) * hd, base + hd);
          copy(v + static_cast<std::size_t>(j) * hd, base + 2 * hd);
        }
      }
    }
    if (c_.rotary()) {
      const int half = hd / 2;
      for (int t = 0; t < n; ++t) {
        const std::size_t p = static_cast<std::size_t>(p0 + t);
        const float* cs = &cos_[p * half];
        const float* sn = &sin_[p * half];
        for (int j = 0; j < c_.num_heads; ++j)
          cpu::rope_rotate(q_.data() + (t * static_cast<std::size_t>(c_.num_heads) + j) * hd, hd, cs, sn);
        for (int g = 0; g < c_.num_kv_heads; ++g)
          cpu::rope_rotate(L.k.data() + (p * c_.num_kv_heads + g) * hd, hd, cs, sn);
      }
    }
    if (rows == 0) continue;
    attention(L, p0, n, first);
    // From here on, rows first.. only (every row but in the last layer).
    const std::size_t off = static_cast<std::size_t>(first) * h;
    float* xr = x + off;
    float* attn_out = tmp_.data() + off;
    cpu::linear(pool_, attn_.data() + off, rows, L.dense, attn_out);

    // MLP input: its own LN (new arch, 2 LNs), the shared LN (parallel, 1 LN), or the LN of
    // the attention residual (sequential RW blocks).
    const float* mlp_in = a + off;
    if (!c_.parallel_attn) {
      for (std::size_t i = 0; i < static_cast<std::size_t>(rows) * h; ++i) xr[i] += attn_out[i];
      cpu::layer_norm(xr, rows, h, L.norm_mlp.weight.data(), L.norm_mlp.bias.data(), c_.layer_norm_epsilon,
                      m_.data());
      mlp_in = m_.data();
    } else if (c_.has_two_parallel_layernorms()) {
      cpu::layer_norm(xr, rows, h, L.norm_mlp.weight.data(), L.norm_mlp.bias.data(), c_.layer_norm_epsilon,
                      m_.data());
      mlp_in = m_.data();
    }
    cpu::linear(pool_, mlp_in, rows, L.fc1, ffn_.data());
    cpu::gelu_inplace(pool_, ffn_.data(), static_cast<int64_t>(rows) * c_.ffn_hidden_size);
    float* mlp_out = m_.data();  // mlp_in no longer needed
    cpu::linear(pool_, ffn_.data(), rows, L.fc2, mlp_out);
    for (std::size_t i = 0; i < static_cast<std::size_t>(rows) * h; ++i) {
      xr[i] += c_.parallel_attn ? mlp_out[i] + attn_out[i] : mlp_out[i];
    }
  }
  tokens_.insert(tokens_.end(), tokens, tokens + n);
  if (!logits_out) return;

  const int first = want_all ? 0 : n - 1;
  const int rows = n - first;
  float* xf = a_.data();
  cpu::layer_norm(x + static_cast<std::size_t>(first) * h, rows, h, ln_f_.weight.data(), ln_f_.bias.data(),
                  c_.layer_norm_epsilon, xf);
  cpu::linear(pool_, xf, rows, head_, logits_out);
}

// Causal attention of the new queries first..n-1 (positions p0+first..p0+n-1) over the cache
// [0, p0+n). Writes their rows of attn_ (n, num_heads * hd).
void CpuBackend::attention(Layer& L, int p0, int n, int first) {
  const int hd = c_.head_dim;
  const int nkv = c_.num_kv_heads;
  const int total = p0 + n;
  const std::size_t stride = static_cast<std::size_t>(nkv) * hd;  // one position's K (or V) row
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  const int heads = c_.num_heads;
  const int group = group_;
  // ALiBi: (q.k + bias) / sqrt(hd), bias by key position, as HF's attention mask. A bias depends
  // on the head and the key's position only: each is computed once per backend, when the cache
  // first reaches that position.
  if (c_.alibi) {
    alibi_.resize(static_cast<std::size_t>(heads));
    for (int head = 0; head < heads; ++head) {
      std::vector<float>& row = alibi_[static_cast<std::size_t>(head)];
      for (int j = static_cast<int>(row.size()); j < total; ++j)
        row.push_back(cpu::alibi_bias(slopes_[static_cast<std::size_t>(head)], j) /
                      std::sqrt(static_cast<float>(hd)));
    }
  }
  // Up to three consecutive queries of one head a task: each K and V row loaded serves all of
  // them. The last query's keys are the most; the others' scores past their own keys are computed
  // and then left out (their weights zeroed, which adds nothing to the V sums).
  constexpr int kQ = 3;
  const int blocks = (n - first + kQ - 1) / kQ;
  auto work = [&](int64_t b, int64_t e) {
    std::vector<float> scores(static_cast<std::size_t>(kQ) * total);
    for (int64_t task = b; task < e; ++task) {
      const int head = static_cast<int>(task / blocks);
      const int t0 = first + static_cast<int>(task % blocks) * kQ;
      const int nq = std::min(kQ, n - t0);
      const int g = head / group;         // its KV head (MQA: group == num_heads, so always 0)
      const int keys_max = p0 + t0 + nq;  // causal: query t sees positions 0..p0+t
      const float* qs[kQ];
      float* ss[kQ];
      float* outs[kQ];
      for (int r = 0; r < nq; ++r) {
        const std::size_t row = static_cast<std::size_t>(t0 + r) * heads + head;
        qs[r] = q_.data() + row * hd;
        ss[r] = scores.data() + static_cast<std::size_t>(r) * total;
        outs[r] = attn_.data() + row * hd;
      }
      cpu::dots_f32(qs, nq, L.k.data() + static_cast<std::size_t>(g) * hd, stride, keys_max, hd, ss);
      const float* bias = c_.alibi ? alibi_[static_cast<std::size_t>(head)].data() : nullptr;
      for (int r = 0; r < nq; ++r) {
        const int keys = p0 + t0 + r + 1;
        cpu::softmax_row(ss[r], keys, scale, bias);
        std::fill(ss[r] + keys, ss[r] + keys_max, 0.0f);
      }
      cpu::weighted_sum_f32(ss, nq, L.v.data() + static_cast<std::size_t>(g) * hd, stride, keys_max, hd,
                            outs);
    }
  };
  const int64_t tasks = static_cast<int64_t>(blocks) * heads;
  if (tasks * total * hd < (int64_t{1} << 16)) {
    work(0, tasks);  // too little work to be worth waking the pool
  } else {
    pool_.parallel_for(tasks, work);
  }
}

void CpuBackend::truncate(int n) {
  if (n < 0 || n > cache_size()) {
    throw_usage_error("truncate(" + std::to_string(n) + "): the cache holds " + std::to_string(cache_size()) +
                      " tokens");
  }
  tokens_.resize(static_cast<std::size_t>(n));
}

void CpuBackend::evict(int begin, int count, EvictMode mode) {
  const int size = cache_size();
  if (begin < 0 || count < 0 || begin > size || count > size - begin) {
    throw_usage_error("evict(" + std::to_string(begin) + ", " + std::to_string(count) +
                      "): the cache holds " + std::to_string(size) + " tokens");
  }
  if (count == 0) return;
  // Under dynamic NTK scaling past max_position_embeddings the frequencies depend on the length,
  // so a position change is no pure rotation: recompute instead. The same when the cached keys
  // still carry such frequencies (the cache went past the limit, then was truncated below it):
  // the next forward would replay them, but a shift with the base tables would mix the two.
  const bool base_frequencies = !c_.rotary() || rope_freq_len_ == 0;
  if (mode == EvictMode::Shift && freq_len_for(size) == 0 && base_frequencies) {
    shift_cache(begin, count);
    return;
  }
  // See the file comment: the tokens after the evicted span are recomputed at their new
  // positions; the prefix [0, begin) is unaffected (causal attention never looked ahead).
  std::vector<int32_t> rest(tokens_.begin() + begin + count, tokens_.end());
  tokens_.resize(static_cast<std::size_t>(begin));
  if (rest.empty()) return;
  std::vector<float> unused;
  forward(rest, false, unused);
}

void CpuBackend::shift_cache(int begin, int count) {
  const int size = cache_size();
  const int moved = size - begin - count;
  const std::size_t row = static_cast<std::size_t>(c_.num_kv_heads) * c_.head_dim;  // floats per token
  const int hd = c_.head_dim, half = hd / 2;
  if (c_.rotary()) prepare_rope(size);
  for (Layer& L : layers_) {
    float* k = L.k.data();
    float* v = L.v.data();
    std::memmove(k + begin * row, k + (begin + count) * row, moved * row * sizeof(float));
    std::memmove(v + begin * row, v + (begin + count) * row, moved * row * sizeof(float));
    if (!c_.rotary()) continue;
    for (int t = 0; t < moved; ++t) {
      const std::size_t from = static_cast<std::size_t>(begin + count + t) * half;
      const std::size_t to = static_cast<std::size_t>(begin + t) * half;
      for (int g = 0; g < c_.num_kv_heads; ++g) {
        float* x = k + (begin + t) * row + static_cast<std::size_t>(g) * hd;
        for (int i = 0; i < half; ++i) {
          // NeoX half-split pairs (x[i], x[i + half]): rotate back by the old angle, then on by
          // the new one.
          const float c0 = cos_[from + i], s0 = sin_[from + i], c1 = cos_[to + i], s1 = sin_[to + i];
          const float a = x[i] * c0 + x[i + half] * s0;
          const float b = x[i + half] * c0 - x[i] * s0;
          x[i] = a * c1 - b * s1;
          x[i + half] = b * c1 + a * s1;
        }
      }
    }
  }
  tokens_.erase(tokens_.begin() + begin, tokens_.begin() + begin + count);
}

}  // namespace

std::unique_ptr<Backend> create_cpu_backend(const ModelConfig& config,
                                            std::shared_ptr<const CheckpointReader> weights,
                                            const CpuBackendOptions& options) {
  try {
    return std::make_unique<CpuBackend>(config, std::move(weights), options);
  } catch (const std::bad_alloc&) {
    throw Error(ErrorKind::OutOfMemory, "not enough memory for the CPU backend's KV cache and buffers");
  }
}

std::unique_ptr<Backend> create_cpu_backend(const std::filesystem::path& model_dir,
                                            const CpuBackendOptions& options) {
  check_formats(options);
  ModelConfig config = load_model_config(model_dir);
  auto weights = std::make_shared<const CheckpointReader>(model_dir);
  return create_cpu_backend(config, std::move(weights), options);
}

}  // namespace falcon
