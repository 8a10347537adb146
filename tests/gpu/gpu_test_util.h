#pragma once
// Helpers shared by the GPU tests (plain C++, no Qt: they run on the GPU machine).
// Results are printed one line per check ("ok"/"FAIL"); the exit status is 0, 1 or 77 (skipped).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "core/block_maxima.h"
#include "core/model/checkpoint.h"
#include "core/model/model_config.h"
#include "gpu/device_info.h"

namespace falcon::test {

inline std::filesystem::path fixtures_dir() {
  if (const char* e = std::getenv("FALCON_FIXTURES_DIR")) return e;
  return FALCON_FIXTURES_DIR;
}

// Returns true (and prints SKIPPED) when no CUDA device is present.
inline bool no_device() {
  if (!gpu::list_devices().empty()) return false;
  std::printf("SKIPPED: %s\n", gpu::no_device_reason().c_str());
  return true;
}

struct Checks {
  int failed = 0, passed = 0;
  bool expect(bool ok, const std::string& what) {
    std::printf("%s %s\n", ok ? "ok  " : "FAIL", what.c_str());
    std::fflush(stdout);
    (ok ? passed : failed)++;
    return ok;
  }
  int finish(const char* name) {
    std::printf("%s: %d passed, %d failed\n", name, passed, failed);
    return failed ? 1 : 0;
  }
};

// Whether `maxima` are the largest of each block of 16 of `values` (the GEMV's block_max,
// Backend::last_block_maxima): bit for bit, NaN ignored, and NaN or -inf for a block of NaN only.
inline bool block_maxima_match(const std::vector<float>& values, const float* maxima, std::string* why) {
  const std::vector<float> ref = testing::block_maxima_of(values);
  for (size_t b = 0; b < ref.size(); ++b) {
    const float m = ref[b], g = maxima[b];
    const bool ok = std::isnan(m) ? (std::isnan(g) || g == -std::numeric_limits<float>::infinity())
                                  : std::memcmp(&g, &m, sizeof g) == 0 || (g == 0.0f && m == 0.0f);
    if (!ok) {
      *why = "block " + std::to_string(b) + ": " + std::to_string(g) + " against " + std::to_string(m);
      return false;
    }
  }
  *why = "each block's largest value, bit for bit";
  return true;
}

// max |a - b| and max |b| over the first n values.
struct Diff {
  double max_abs = 0, max_ref = 0;
  bool finite = true;
  double rel() const { return max_ref > 0 ? max_abs / max_ref : max_abs; }
};
inline Diff diff(const float* a, const float* b, size_t n) {
  Diff d;
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(a[i])) d.finite = false;
    d.max_abs = std::max(d.max_abs, std::fabs(double(a[i]) - b[i]));
    d.max_ref = std::max(d.max_ref, std::fabs(double(b[i])));
  }
  return d;
}
inline std::string fmt(const char* f, double a, double b = 0, double c = 0) {
  char buf[256];
  std::snprintf(buf, sizeof buf, f, a, b, c);
  return buf;
}

inline std::vector<float> read_f32(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  in.seekg(0, std::ios::end);
  const auto n = static_cast<size_t>(in.tellg()) / 4;
  in.seekg(0);
  std::vector<float> v(n);
  in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(n * 4));
  return v;
}

inline int argmax(const float* v, int n) {
  return static_cast<int>(std::max_element(v, v + n) - v);
}

inline uint16_t to_bf16_bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  u += 0x7fffu + ((u >> 16) & 1u);
  return static_cast<uint16_t>(u >> 16);
}
inline float bf16_round(float f) {
  uint32_t u = static_cast<uint32_t>(to_bf16_bits(f)) << 16;
  float r;
  std::memcpy(&r, &u, 4);
  return r;
}

// A random Falcon checkpoint (config.json + model.safetensors, bf16) of any variant, written to
// `dir`, so that the CPU and GPU backends can be compared on shapes the fixtures do not cover.
struct SynthSpec {
  int vocab = 512, hidden = 256, layers = 2, heads = 4, kv_heads = 1, ffn = 1024, max_pos = 8192;
  bool new_arch = false, multi_query = true, parallel = true, bias = false, alibi = false, tie = true;
  int ln_in_parallel = 2;
  double theta = 10000.0;
  std::string rope_type = "default";
  double factor = 1.0;
};

inline std::string synth_config_json(const SynthSpec& s) {
  std::string j =
      "{\n \"model_type\": \"falcon\", \"activation\": \"gelu\", \"layer_norm_epsilon\": 1e-05,\n";
  auto kv = [&](const std::string& k, const std::string& v) { j += " \"" + k + "\": " + v + ",\n"; };
  auto b = [](bool v) { return std::string(v ? "true" : "false"); };
  kv("vocab_size", std::to_string(s.vocab));
  kv("hidden_size", std::to_string(s.hidden));
  kv("num_hidden_layers", std::to_string(s.layers));
  kv("num_attention_heads", std::to_string(s.heads));
  kv("num_kv_heads", std::to_string(s.kv_heads));
  kv("ffn_hidden_size", std::to_string(s.ffn));
  kv("max_position_embeddings", std::to_string(s.max_pos));
  kv("new_decoder_architecture", b(s.new_arch));
  kv("multi_query", b(s.multi_query));
  kv("parallel_attn", b(s.parallel));
  kv("bias", b(s.bias));
  kv("alibi", b(s.alibi));
  kv("tie_word_embeddings", b(s.tie));
  if (s.new_arch) kv("num_ln_in_parallel_attn", std::to_string(s.ln_in_parallel));
  std::string rp = "{\"rope_theta\": " + std::to_string(s.theta) + ", \"rope_type\": \"" + s.rope_type + "\"";
  if (s.rope_type != "default") rp += ", \"factor\": " + std::to_string(s.factor);
  j += " \"rope_parameters\": " + rp + "},\n \"bos_token_id\": 1, \"eos_token_id\": 2\n}\n";
  return j;
}

// Weights drawn like tools/make_model_fixtures.py's randomise(): unit-scale linear weights,
// LayerNorm gains 1 +- 0.3, biases 0.1-0.2, embeddings 0.1.
inline void write_synth_checkpoint(const std::filesystem::path& dir, const SynthSpec& s, uint32_t seed) {
  std::filesystem::create_directories(dir);
  const std::string cfg_text = synth_config_json(s);
  std::ofstream(dir / "config.json") << cfg_text;
  const ModelConfig cfg = parse_model_config(cfg_text);
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd(0.f, 1.f);
  std::string header = "{";
  std::vector<uint16_t> data;
  bool first = true;
  for (const TensorSpec& t : expected_tensors(cfg)) {
    if (t.optional) continue;
    size_t n = 1;
    for (auto d : t.shape) n *= static_cast<size_t>(d);
    const bool is_ln =
        t.name.find("layernorm") != std::string::npos || t.name.find(".ln_") != std::string::npos;
    const bool is_w = t.name.size() > 7 && t.name.compare(t.name.size() - 7, 7, ".weight") == 0;
    const size_t begin = data.size() * 2;
    for (size_t i = 0; i < n; ++i) {
      float v;
      if (t.name == kWordEmbeddings)
        v = 0.1f * nd(rng);
      else if (is_ln)
        v = is_w ? 1.f + 0.3f * nd(rng) : 0.2f * nd(rng);
      else if (is_w)
        v = nd(rng) * 1.2f / std::sqrt(static_cast<float>(t.shape[1]));
      else
        v = 0.1f * nd(rng);
      data.push_back(to_bf16_bits(v));
    }
    std::string shape;
    for (size_t i = 0; i < t.shape.size(); ++i) {
      if (i) shape += ',';
      shape += std::to_string(t.shape[i]);
    }
    if (!first) header += ',';
    header += '"';
    header += t.name;
    header += "\":{\"dtype\":\"BF16\",\"shape\":[";
    header += shape;
    header += "],\"data_offsets\":[";
    header += std::to_string(begin);
    header += ',';
    header += std::to_string(data.size() * 2);
    header += "]}";
    first = false;
  }
  header += "}";
  while (header.size() % 8) header += ' ';
  std::ofstream out(dir / "model.safetensors", std::ios::binary);
  const uint64_t len = header.size();
  out.write(reinterpret_cast<const char*>(&len), 8);
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size() * 2));
}

}  // namespace falcon::test
