// write_synthetic_checkpoint: random weights in Hugging Face's Falcon layout (see the header).
#include "core/model/synthetic_checkpoint.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/common/error.h"
#include "core/model/checkpoint.h"

namespace falcon {
namespace {

using nlohmann::json;

json config_json(const ModelConfig& c) {
  json j;
  j["model_type"] = "falcon";
  j["architectures"] = {"FalconForCausalLM"};
  j["vocab_size"] = c.vocab_size;
  j["hidden_size"] = c.hidden_size;
  j["num_hidden_layers"] = c.num_layers;
  j["num_attention_heads"] = c.num_heads;
  j["num_kv_heads"] = c.num_kv_heads;
  j["ffn_hidden_size"] = c.ffn_hidden_size;
  j["new_decoder_architecture"] = c.new_decoder_architecture;
  j["multi_query"] = c.multi_query;
  j["parallel_attn"] = c.parallel_attn;
  if (c.parallel_attn)
    j["num_ln_in_parallel_attn"] = c.num_ln_in_parallel_attn;  // (the new architecture is parallel)
  j["bias"] = c.bias;
  j["alibi"] = c.alibi;
  j["layer_norm_epsilon"] = c.layer_norm_epsilon;
  j["tie_word_embeddings"] = c.tie_word_embeddings;
  j["max_position_embeddings"] = c.max_position_embeddings;
  j["rope_theta"] = c.rope_theta;
  if (c.rope_scaling != RopeScaling::None)
    j["rope_scaling"] = {{"rope_type", c.rope_scaling == RopeScaling::Linear ? "linear" : "dynamic"},
                         {"factor", c.rope_scaling_factor}};
  j["activation"] = "gelu";
  if (c.bos_token_id >= 0) j["bos_token_id"] = c.bos_token_id;
  if (c.eos_token_id >= 0) j["eos_token_id"] = c.eos_token_id;
  j["torch_dtype"] = "bfloat16";
  return j;
}

// splitmix64: a fast, seedable stream; four bf16 per draw.
struct Rng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
};

uint16_t to_bf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  u += 0x7FFFu + ((u >> 16) & 1u);  // round to nearest even (values here are finite)
  return static_cast<uint16_t>(u >> 16);
}

// Values of one tensor: center + uniform(-spread, spread).
void fill(std::vector<uint16_t>& buf, size_t n, Rng& rng, float center, float spread) {
  buf.resize(n);
  for (size_t i = 0; i < n; i += 4) {
    uint64_t r = rng.next();
    for (size_t k = i; k < std::min(n, i + 4); ++k, r >>= 16)
      buf[k] = to_bf16(center + spread * (static_cast<float>(r & 0xFFFF) / 32768.f - 1.f));
  }
}

struct Planned {
  TensorSpec spec;
  uint64_t bytes = 0;
};

void write_all(std::ofstream& out, const void* p, size_t n, const std::filesystem::path& file) {
  out.write(static_cast<const char*>(p), static_cast<std::streamsize>(n));
  if (!out) throw_load_error("cannot write " + file.string() + " (disk full?)");
}

}  // namespace

uint64_t write_synthetic_checkpoint(const std::filesystem::path& dir, const ModelConfig& config,
                                    uint64_t shard_bytes, uint64_t seed) {
  const json cj = config_json(config);
  try {
    (void)parse_model_config(cj.dump());  // what the loaders will accept
  } catch (const Error& e) {
    throw_usage_error(std::string("synthetic checkpoint: ") + e.what());
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw_load_error("cannot create " + dir.string() + ": " + ec.message());

  // Tensors in the loader's order, cut into shards.
  std::vector<std::vector<Planned>> shards(1);
  uint64_t in_shard = 0;
  for (const TensorSpec& t : expected_tensors(config)) {
    if (t.optional && config.tie_word_embeddings) continue;  // the tied lm_head
    uint64_t n = 2;
    for (int64_t d : t.shape) n *= static_cast<uint64_t>(d);
    if (in_shard > 0 && in_shard + n > shard_bytes) {
      shards.emplace_back();
      in_shard = 0;
    }
    shards.back().push_back({t, n});
    in_shard += n;
  }

  Rng rng{seed};
  std::vector<uint16_t> buf;
  json weight_map = json::object();
  uint64_t total = 0, tensor_bytes = 0;
  const size_t count = shards.size();
  for (size_t si = 0; si < count; ++si) {
    char name[64];
    std::snprintf(name, sizeof name, "model-%05zu-of-%05zu.safetensors", si + 1, count);
    const std::filesystem::path file = dir / name;
    json header = json::object();
    header["__metadata__"] = {{"format", "pt"}};
    uint64_t off = 0;
    for (const Planned& p : shards[si]) {
      header[p.spec.name] = {
          {"dtype", "BF16"}, {"shape", p.spec.shape}, {"data_offsets", {off, off + p.bytes}}};
      weight_map[p.spec.name] = name;
      off += p.bytes;
    }
    std::string h = header.dump();
    while (h.size() % 8) h += ' ';
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    if (!out) throw_load_error("cannot create " + file.string());
    const uint64_t len = h.size();
    write_all(out, &len, 8, file);
    write_all(out, h.data(), h.size(), file);
    for (const Planned& p : shards[si]) {
      const auto& shape = p.spec.shape;
      const std::string& tn = p.spec.name;
      const bool vector = shape.size() == 1;
      const bool norm =
          vector && (tn.find("layernorm") != std::string::npos || tn.find(".ln_") != std::string::npos);
      const float spread = !vector ? 1.f / std::sqrt(static_cast<float>(shape.back())) : norm ? 0.1f : 0.02f;
      const float center = norm && tn.ends_with(".weight") ? 1.f : 0.f;
      // Row by row (embedding rows, output rows) so the buffer stays small.
      const uint64_t row = vector ? static_cast<uint64_t>(shape[0]) : static_cast<uint64_t>(shape.back());
      const uint64_t rows = p.bytes / 2 / row;
      const uint64_t per_write = std::max<uint64_t>(1, (uint64_t{1} << 20) / row);
      for (uint64_t r = 0; r < rows; r += per_write) {
        const size_t n = static_cast<size_t>(std::min(per_write, rows - r) * row);
        fill(buf, n, rng, center, spread);
        write_all(out, buf.data(), n * 2, file);
      }
    }
    out.close();
    if (!out) throw_load_error("cannot write " + file.string());
    total += 8 + h.size() + off;
    tensor_bytes += off;
  }
  json index;
  index["metadata"] = {{"total_size", tensor_bytes}};
  index["weight_map"] = weight_map;
  for (const auto& [file, text] : {std::pair{dir / "model.safetensors.index.json", index.dump(1)},
                                   std::pair{dir / "config.json", cj.dump(1)}}) {
    std::ofstream out(file, std::ios::trunc);
    out << text << '\n';
    out.close();
    if (!out) throw_load_error("cannot write " + file.string());
  }
  return total;
}

ModelConfig synthetic_config(const std::string& shape) {
  // The architecture fields of the released models' config.json files (tiiuae/falcon-7b,
  // falcon-40b, falcon-180B, falcon-11B, falcon-rw-1b), read by the loader's own parser, so that a
  // synthetic shape is exactly what loading the real checkpoint builds. (Written out by hand until
  // session 20, the 40b and 180b shapes had one LayerNorm per block; the released configs give no
  // num_ln_in_parallel_attn, which for the new decoder architecture means two, ln_attn and ln_mlp.)
  const char* json = nullptr;
  if (shape == "7b") {
    json =
        R"({"model_type": "falcon", "hidden_size": 4544, "num_hidden_layers": 32, "num_attention_heads": 71,
               "multi_query": true, "new_decoder_architecture": false, "parallel_attn": true, "alibi": false,
               "bias": false, "vocab_size": 65024})";
  } else if (shape == "40b") {
    json =
        R"({"model_type": "falcon", "hidden_size": 8192, "num_hidden_layers": 60, "num_attention_heads": 128,
               "num_kv_heads": 8, "new_decoder_architecture": true, "parallel_attn": true, "alibi": false,
               "bias": false, "vocab_size": 65024})";
  } else if (shape == "180b") {
    json =
        R"({"model_type": "falcon", "hidden_size": 14848, "num_hidden_layers": 80, "num_attention_heads": 232,
               "num_kv_heads": 8, "new_decoder_architecture": true, "parallel_attn": true, "alibi": false,
               "bias": false, "vocab_size": 65024})";
  } else if (shape == "11b") {
    json =
        R"({"model_type": "falcon", "hidden_size": 4096, "num_hidden_layers": 60, "num_attention_heads": 32,
               "num_kv_heads": 8, "new_decoder_architecture": true, "num_ln_in_parallel_attn": 1,
               "parallel_attn": true, "alibi": false, "bias": false, "rope_theta": 500042.0,
               "max_position_embeddings": 8192, "vocab_size": 65024})";
  } else if (shape == "rw-1b") {
    json =
        R"({"model_type": "falcon", "hidden_size": 2048, "num_hidden_layers": 24, "num_attention_heads": 32,
               "multi_query": false, "new_decoder_architecture": false, "parallel_attn": false, "alibi": true,
               "bias": true, "vocab_size": 50304})";
  } else {
    throw_usage_error("unknown synthetic shape '" + shape + "' (7b, 40b, 180b, 11b, rw-1b)");
  }
  return parse_model_config(json);
}

}  // namespace falcon
