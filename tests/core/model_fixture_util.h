#pragma once
// Helpers shared by the model tests: reading the HF reference fixtures made by
// tools/make_model_fixtures.py, comparing logits, and writing small safetensors files.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "core/model/model_config.h"

namespace falcon::testutil {

inline std::filesystem::path models_dir() {
  return std::filesystem::path(FALCON_FIXTURES_DIR) / "models";
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::vector<float> read_floats(const std::filesystem::path& p) {
  const std::string bytes = read_file(p);
  std::vector<float> v(bytes.size() / 4);
  std::memcpy(v.data(), bytes.data(), v.size() * 4);
  return v;
}

// One fixture: a checkpoint folder plus the HF float32 reference.
struct Fixture {
  std::string name;
  std::filesystem::path dir;
  nlohmann::json ref;
  int vocab = 0;
  std::vector<int32_t> prompt, greedy, full_tokens;
  std::vector<float> prompt_logits;  // (prompt.size(), vocab)
  std::vector<float> full_logits;    // (full_tokens.size(), vocab)
  bool dynamic_rope() const {
    return ref["rope"]["scaling"].is_array() && ref["rope"]["scaling"][0] == "dynamic";
  }
};

inline std::vector<int32_t> ids(const nlohmann::json& j) {
  return j.get<std::vector<int32_t>>();
}

inline Fixture load_fixture(const std::string& name) {
  Fixture f;
  f.name = name;
  f.dir = models_dir() / name;
  f.ref = nlohmann::json::parse(read_file(f.dir / "reference.json"));
  f.vocab = f.ref["vocab_size"].get<int>();
  f.prompt = ids(f.ref["prompt"]);
  f.greedy = ids(f.ref["greedy"]);
  f.full_tokens = ids(f.ref["full_tokens"]);
  f.prompt_logits = read_floats(f.dir / "prompt_logits.bin");
  f.full_logits = read_floats(f.dir / "full_logits.bin");
  return f;
}

inline std::vector<std::string> fixture_names() {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(models_dir())) {
    if (std::filesystem::exists(e.path() / "reference.json")) names.push_back(e.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

inline float max_abs(const float* a, std::size_t n) {
  float m = 0;
  for (std::size_t i = 0; i < n; ++i) m = std::max(m, std::fabs(a[i]));
  return m;
}

inline float max_abs_diff(const float* a, const float* b, std::size_t n) {
  float m = 0;
  for (std::size_t i = 0; i < n; ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return m;
}

inline int argmax(const float* a, int n) {
  return static_cast<int>(std::max_element(a, a + n) - a);
}

// A tensor for write_safetensors: raw little-endian bytes in the given dtype.
struct RawTensor {
  std::string name;
  std::string dtype;  // "F32", "F16", "BF16" (or anything, to test refusals)
  std::vector<int64_t> shape;
  std::string bytes;
};

inline std::string f32_bytes(const std::vector<float>& v) {
  std::string s(v.size() * 4, '\0');
  std::memcpy(s.data(), v.data(), s.size());
  return s;
}

inline std::string u16_bytes(const std::vector<uint16_t>& v) {
  std::string s(v.size() * 2, '\0');
  std::memcpy(s.data(), v.data(), s.size());
  return s;
}

inline std::string le64(uint64_t n) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[static_cast<std::size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xff);
  return s;
}

// A well-formed safetensors file: tensors laid out back to back in the given order. The header
// is padded so the data area starts 8-aligned, or (misalign) 2 bytes past a 4-byte boundary.
inline std::string make_safetensors(const std::vector<RawTensor>& tensors,
                                    const nlohmann::json& metadata = nullptr, bool misalign = false) {
  nlohmann::json h = nlohmann::json::object();
  uint64_t off = 0;
  std::string data;
  for (const auto& t : tensors) {
    h[t.name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {off, off + t.bytes.size()}}};
    off += t.bytes.size();
    data += t.bytes;
  }
  if (!metadata.is_null()) h["__metadata__"] = metadata;
  std::string header = h.dump();
  while (header.size() % 8 != (misalign ? 2u : 0u)) header += ' ';
  return le64(header.size()) + header + data;
}

// A file from a literal header (which may be invalid) and a data area.
inline std::string make_raw_safetensors(const std::string& header, const std::string& data) {
  return le64(header.size()) + header + data;
}

inline void write_file(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A small Falcon layout (hidden 64, 2 layers, 8 heads of 8, vocab 300) in any of the
// architecture's variants, for write_synthetic_checkpoint: the KV heads and LayerNorm count
// follow the variant as HF's config would give them.
inline ModelConfig small_config(bool new_arch, bool multi_query, bool parallel, bool bias, bool alibi,
                                bool tie) {
  ModelConfig c;
  c.vocab_size = 300;
  c.hidden_size = 64;
  c.num_layers = 2;
  c.num_heads = 8;
  c.head_dim = 8;
  c.new_decoder_architecture = new_arch;
  c.multi_query = multi_query;
  c.num_kv_heads = new_arch ? 2 : multi_query ? 1 : 8;
  c.parallel_attn = parallel;
  c.num_ln_in_parallel_attn = new_arch ? 2 : 1;
  c.bias = bias;
  c.alibi = alibi;
  c.tie_word_embeddings = tie;
  c.ffn_hidden_size = 256;
  c.max_position_embeddings = 128;
  return c;
}

}  // namespace falcon::testutil
