// config.json parsing for every Falcon generation. The rules follow HF transformers'
// FalconConfig / FalconAttention / FalconDecoderLayer (checked against 5.17); where HF would
// crash on a combination at run time, we refuse it here with the key that causes it.
#include "core/model/model_config.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <vector>

#include "core/common/error.h"
#include "core/common/file_read.h"
#include "core/common/json_depth.h"
#include "core/common/load_issue.h"

namespace falcon {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& key, const std::string& what) {
  throw_load_error("config.json: key '" + key + "' " + what);
}

// Upper bounds that keep every derived size inside int and size_t arithmetic; far above any
// real Falcon (180B: hidden 14848, 80 layers, 232 heads, vocab 65024).
constexpr int64_t kMaxDim = int64_t{1} << 20;
constexpr int64_t kMaxVocab = int64_t{1} << 24;
constexpr int64_t kMaxLayers = 4096;
constexpr int64_t kMaxPositions = int64_t{1} << 24;

const json* find(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return nullptr;
  return &*it;
}

int64_t as_int(const json& v, const std::string& key) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15) return static_cast<int64_t>(d);
  }
  fail(key, "must be an integer, got " + v.dump().substr(0, 64));  // a huge value would flood the message
}

std::optional<int64_t> opt_int(const json& j, const char* key) {
  if (const json* v = find(j, key)) return as_int(*v, key);
  return std::nullopt;
}

std::optional<bool> opt_bool(const json& j, const char* key) {
  const json* v = find(j, key);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) fail(key, "must be true or false, got " + v->dump());
  return v->get<bool>();
}

std::optional<double> opt_number(const json& j, const char* key) {
  const json* v = find(j, key);
  if (!v) return std::nullopt;
  if (!v->is_number()) fail(key, "must be a number, got " + v->dump());
  double d = v->get<double>();
  if (!std::isfinite(d)) fail(key, "must be finite");
  return d;
}

// A value that old and new configs spell differently (n_embed / hidden_size ...). HF takes
// the old spelling when both are present; two different values are a contradiction.
std::optional<int64_t> aliased_int(const json& j, const char* key, const char* old_key) {
  auto now = opt_int(j, key);
  auto old = opt_int(j, old_key);
  if (now && old && *now != *old) {
    fail(old_key, "(" + std::to_string(*old) + ") contradicts '" + key + "' (" + std::to_string(*now) + ")");
  }
  return old ? old : now;
}

int64_t in_range(std::optional<int64_t> v, const char* key, int64_t lo, int64_t hi) {
  if (!v) fail(key, "is missing");
  if (*v < lo || *v > hi) {
    fail(key,
         "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + std::to_string(*v));
  }
  return *v;
}

// bos/eos/pad: an int, null, or (eos in newer configs) a list of ints.
void read_token_ids(const json& j, ModelConfig& c, const std::string& file) {
  auto one = [&](const char* key) -> std::optional<int> {
    const json* v = find(j, key);
    if (!v) return std::nullopt;
    int64_t id = v->is_array() && !v->empty() ? as_int((*v)[0], key) : as_int(*v, key);
    if (id < 0 || id > kMaxVocab) throw_load_error(file + ": key '" + key + "' is not a token id");
    return static_cast<int>(id);
  };
  if (auto b = one("bos_token_id")) c.bos_token_id = *b;
  if (auto p = one("pad_token_id")) c.pad_token_id = *p;
  if (const json* e = find(j, "eos_token_id")) {
    std::vector<int> ids;
    if (e->is_array()) {
      for (const auto& x : *e) {
        int64_t id = as_int(x, "eos_token_id");
        if (id < 0 || id > kMaxVocab) throw_load_error(file + ": key 'eos_token_id' is not a token id");
        ids.push_back(static_cast<int>(id));
      }
    } else {
      ids.push_back(*one("eos_token_id"));
    }
    if (!ids.empty()) {
      c.eos_token_ids = ids;
      c.eos_token_id = ids.front();
    }
  }
}

// RoPE settings from either spelling: v4 `rope_theta` + `rope_scaling: {type|rope_type, factor}`,
// v5 `rope_parameters: {rope_type, rope_theta, factor}`.
std::string rope_type_of(const json& p, const std::string& key) {
  for (const char* tk : {"rope_type", "type"}) {
    if (const json* t = find(p, tk)) {
      if (!t->is_string()) fail(key + "." + tk, "must be a string");
      return t->get<std::string>();
    }
  }
  return "default";
}

void read_rope(const json& j, ModelConfig& c) {
  auto theta = opt_number(j, "rope_theta");
  const json* params = find(j, "rope_parameters");
  const json* scaling = find(j, "rope_scaling");
  if (params && !params->is_object()) fail("rope_parameters", "must be an object, got " + params->dump());
  if (scaling && !scaling->is_object()) fail("rope_scaling", "must be an object, got " + scaling->dump());
  // transformers 5 may write both spellings; they must name the same kind of scaling.
  if (params && scaling &&
      rope_type_of(*params, "rope_parameters") != rope_type_of(*scaling, "rope_scaling")) {
    fail("rope_scaling", "contradicts 'rope_parameters'");
  }
  const std::string key = params ? "rope_parameters" : "rope_scaling";
  const json* p = params ? params : scaling;
  if (p) {
    const std::string type = rope_type_of(*p, key);
    if (auto pt = opt_number(*p, "rope_theta")) {
      if (theta && *theta != *pt) fail(key + ".rope_theta", "contradicts 'rope_theta'");
      theta = pt;
    }
    if (type == "default") {
      c.rope_scaling = RopeScaling::None;
    } else if (type == "linear" || type == "dynamic") {
      c.rope_scaling = type == "linear" ? RopeScaling::Linear : RopeScaling::Dynamic;
      auto factor = opt_number(*p, "factor");
      if (!factor) fail(key + ".factor", "is missing");
      if (*factor < 1.0 || *factor > 1e6) fail(key + ".factor", "must be in [1, 1e6]");
      c.rope_scaling_factor = *factor;
    } else {
      fail(key + ".rope_type",
           "'" + type + "' is not supported (Falcon uses 'default', 'linear' or 'dynamic')");
    }
  }
  if (theta) {
    if (!(*theta > 1.0) || *theta > 1e12) fail("rope_theta", "must be > 1");
    c.rope_theta = *theta;
  }
}

}  // namespace

int ModelConfig::qkv_out_features() const {
  if (new_decoder_architecture) return (num_heads + 2 * num_kv_heads) * head_dim;
  if (multi_query) return hidden_size + 2 * head_dim;
  return 3 * hidden_size;
}

ModelConfig parse_model_config(std::string_view json_text) {
  if (!json_depth_within(json_text))
    throw_load_error("config.json nests arrays/objects more than " + std::to_string(kMaxJsonDepth) +
                     " levels deep");
  json j = json::parse(json_text.begin(), json_text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw_load_error("config.json is not valid JSON");
  if (!j.is_object()) throw_load_error("config.json must hold a JSON object");

  ModelConfig c;
  const json* mt = find(j, "model_type");
  if (!mt) fail("model_type", "is missing (expected \"falcon\", \"RefinedWeb\" or \"RefinedWebModel\")");
  if (!mt->is_string()) fail("model_type", "must be a string");
  c.model_type = mt->get<std::string>();
  if (c.model_type != "falcon" && c.model_type != "RefinedWeb" && c.model_type != "RefinedWebModel") {
    throw_load_error(load_issue_text(LoadIssue::NotFalcon, {c.model_type}));
  }

  c.vocab_size = static_cast<int>(in_range(opt_int(j, "vocab_size"), "vocab_size", 1, kMaxVocab));
  c.hidden_size =
      static_cast<int>(in_range(aliased_int(j, "hidden_size", "n_embed"), "hidden_size", 1, kMaxDim));
  c.num_layers = static_cast<int>(
      in_range(aliased_int(j, "num_hidden_layers", "n_layer"), "num_hidden_layers", 1, kMaxLayers));
  c.num_heads = static_cast<int>(
      in_range(aliased_int(j, "num_attention_heads", "n_head"), "num_attention_heads", 1, kMaxDim));
  auto kv = aliased_int(j, "num_kv_heads", "n_head_kv");
  if (kv) in_range(kv, "num_kv_heads", 1, kMaxDim);

  // The first RefinedWeb release (Falcon-40B) had no new_decoder_architecture key: its model
  // code always used the grouped layout with ln_attn/ln_mlp. RefinedWebModel (7B, RW-1B) did not.
  c.new_decoder_architecture = opt_bool(j, "new_decoder_architecture").value_or(c.model_type == "RefinedWeb");
  c.multi_query = opt_bool(j, "multi_query").value_or(true);  // HF's default
  c.parallel_attn = opt_bool(j, "parallel_attn").value_or(true);
  c.bias = opt_bool(j, "bias").value_or(false);
  c.alibi = opt_bool(j, "alibi").value_or(false);
  c.tie_word_embeddings = opt_bool(j, "tie_word_embeddings").value_or(true);

  if (c.hidden_size % c.num_heads != 0) {
    fail("num_attention_heads", "(" + std::to_string(c.num_heads) + ") must divide hidden_size (" +
                                    std::to_string(c.hidden_size) + ")");
  }
  c.head_dim = c.hidden_size / c.num_heads;

  // KV heads exactly as FalconAttention derives them.
  if (c.new_decoder_architecture) {
    c.num_kv_heads = kv ? static_cast<int>(*kv) : c.num_heads;
    if (c.num_heads % c.num_kv_heads != 0) {
      fail("num_kv_heads", "(" + std::to_string(c.num_kv_heads) + ") must divide num_attention_heads (" +
                               std::to_string(c.num_heads) + ")");
    }
    if (!c.parallel_attn)
      fail("parallel_attn", "is false, but the new decoder architecture is always parallel");
  } else if (c.multi_query) {
    c.num_kv_heads = 1;  // num_kv_heads / n_head_kv is ignored, as in HF
  } else {
    c.num_kv_heads = c.num_heads;
    if (kv && *kv != c.num_heads) {
      fail("num_kv_heads",
           "(" + std::to_string(*kv) +
               ") must equal num_attention_heads without multi_query or new_decoder_architecture");
    }
  }

  auto n_ln = opt_int(j, "num_ln_in_parallel_attn");
  if (n_ln && *n_ln != 1 && *n_ln != 2) fail("num_ln_in_parallel_attn", "must be 1 or 2");
  if (c.new_decoder_architecture) {
    c.num_ln_in_parallel_attn = n_ln ? static_cast<int>(*n_ln) : 2;
  } else {
    if (c.parallel_attn && n_ln && *n_ln == 2) {
      fail("num_ln_in_parallel_attn", "is 2, which needs new_decoder_architecture");
    }
    c.num_ln_in_parallel_attn = 1;
  }

  c.ffn_hidden_size = static_cast<int>(in_range(
      opt_int(j, "ffn_hidden_size").value_or(int64_t{4} * c.hidden_size), "ffn_hidden_size", 1, 8 * kMaxDim));
  c.max_position_embeddings = static_cast<int>(in_range(opt_int(j, "max_position_embeddings").value_or(2048),
                                                        "max_position_embeddings", 1, kMaxPositions));
  if (auto eps = opt_number(j, "layer_norm_epsilon")) {
    if (!(*eps > 0.0) || *eps > 1.0) fail("layer_norm_epsilon", "must be in (0, 1]");
    c.layer_norm_epsilon = *eps;
  }
  if (const json* act = find(j, "activation")) {
    if (!act->is_string()) fail("activation", "must be a string");
    c.activation = act->get<std::string>();
    if (c.activation != "gelu") {
      fail("activation", "'" + c.activation + "' is not supported (Falcon uses 'gelu', the exact erf form)");
    }
  }

  read_rope(j, c);
  if (c.alibi && c.rope_scaling != RopeScaling::None)
    fail("rope_scaling", "is set, but alibi models have no RoPE");
  if (c.rotary() && c.head_dim % 2 != 0) {
    fail("num_attention_heads",
         "gives an odd head_dim (" + std::to_string(c.head_dim) + "), which RoPE cannot rotate");
  }
  read_token_ids(j, c, "config.json");
  return c;
}

namespace {
std::string read_text(const std::filesystem::path& p) {
  return read_file_bounded(p, kMaxMetadataFileBytes);
}
}  // namespace

namespace {

namespace fs = std::filesystem;

bool has_config(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "config.json", ec);
}

// Weights in a format this engine does not load, by file name.
MissingConfig::Foreign foreign_format(const fs::path& file) {
  std::string ext = file.extension().string();
  for (char& ch : ext) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (ext == ".gguf" || ext == ".ggml") return MissingConfig::Foreign::Gguf;
  if (ext == ".bin" || ext == ".pt" || ext == ".pth" || ext == ".ckpt") return MissingConfig::Foreign::Pickle;
  return MissingConfig::Foreign::None;
}

// What such a file is and what to do.
std::string foreign_text(MissingConfig::Foreign f) {
  switch (f) {
    case MissingConfig::Foreign::Gguf:
      return "a GGUF/GGML file (llama.cpp, LM Studio, GPT4All), which is not supported; "
             "falcon-chat loads Hugging Face checkpoint folders: config.json with the *.safetensors weights";
    case MissingConfig::Foreign::Pickle:
      return "a PyTorch pickle file, which is not loaded (unpickling can run code); convert the checkpoint "
             "to safetensors with Hugging Face's tools and choose the folder with its config.json";
    case MissingConfig::Foreign::None:
      break;
  }
  return "";
}

// The folders under `dir` that hold a config.json (MissingConfig::model_folders).
std::vector<std::filesystem::path> model_folders_below(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> found;
  std::vector<std::pair<std::filesystem::path, int>> todo{{dir, 0}};
  int visited = 0;
  // The model dialog asks on the GUI thread: a slow (network) folder ends the walk early.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
  while (!todo.empty() && visited < 4000 && found.size() < 8 && std::chrono::steady_clock::now() < deadline) {
    const auto [d, depth] = todo.back();
    todo.pop_back();
    std::error_code ec;
    for (std::filesystem::directory_iterator it(d, ec), end; !ec && it != end && visited < 4000;
         it.increment(ec)) {
      ++visited;
      std::error_code type_ec;
      if (!it->is_directory(type_ec)) continue;
      if (has_config(it->path()))
        found.push_back(it->path());
      else if (depth + 1 < 3)
        todo.push_back({it->path(), depth + 1});
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace

MissingConfig diagnose_missing_config(const std::filesystem::path& dir) {
  using Reason = MissingConfig::Reason;
  using Foreign = MissingConfig::Foreign;
  MissingConfig out;
  auto done = [&out](Reason reason, std::string message) {
    out.reason = reason;
    out.message = std::move(message);
    return out;
  };
  std::error_code ec;
  // The usual slips first: a path that is not there, a file of the model instead of its folder,
  // weights in another format, a folder above the model's.
  if (!fs::exists(dir, ec))
    return done(Reason::NotThere,
                dir.string() + " does not exist (a model is a Hugging Face folder with config.json)");
  if (!fs::is_directory(dir, ec)) {
    if (out.foreign = foreign_format(dir); out.foreign != Foreign::None)
      return done(Reason::ForeignFile, dir.string() + " is " + foreign_text(out.foreign));
    if (has_config(dir.parent_path())) {
      out.model_folders = {dir.parent_path()};  // the model dialog offers it ("Use that folder")
      return done(Reason::FileOfModel,
                  dir.string() + " is a file, not a model folder: choose the folder that holds it (" +
                      dir.parent_path().string() + ")");
    }
    return done(
        Reason::File,
        dir.string() + " is a file, not a model folder (a model is a Hugging Face folder with config.json)");
  }
  int seen = 0;
  for (fs::directory_iterator it(dir, ec), end;
       !ec && it != end && out.foreign == Foreign::None && ++seen < 4000; it.increment(ec))
    if (std::error_code f_ec; it->is_regular_file(f_ec)) out.foreign = foreign_format(it->path());
  out.model_folders = model_folders_below(dir);
  const std::vector<fs::path>& below = out.model_folders;
  if (below.size() == 1)
    return done(Reason::OneModelInside, "no config.json in " + dir.string() +
                                            ", but in a folder inside it: choose " + below.front().string());
  if (below.size() > 1) {
    std::string names;
    for (std::size_t i = 0; i < below.size() && i < 3; ++i)
      names += (i ? ", " : "") + below[i].lexically_relative(dir).string();
    return done(Reason::SeveralModelsInside, "no config.json in " + dir.string() +
                                                 ": it holds several model folders (" + names +
                                                 (below.size() > 3 ? ", ..." : "") + "); choose one of them");
  }
  if (out.foreign != Foreign::None)
    return done(Reason::ForeignInside,
                "no config.json in " + dir.string() + ": it holds " + foreign_text(out.foreign));
  return done(Reason::NoModel,
              "no config.json in " + dir.string() + " (is this a Hugging Face model folder?)");
}

ModelConfig load_model_config(const std::filesystem::path& dir) {
  const auto cfg_path = dir / "config.json";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(cfg_path, ec)) throw_load_error(diagnose_missing_config(dir).message);
  ModelConfig c;
  try {
    c = parse_model_config(read_text(cfg_path));
  } catch (const Error& e) {
    throw Error(e.kind(), cfg_path.string() + ": " + e.what());
  }
  const auto gen_path = dir / "generation_config.json";
  if (std::filesystem::is_regular_file(gen_path, ec)) {
    const std::string gen_text = read_text(gen_path);
    json g =
        json_depth_within(gen_text) ? json::parse(gen_text, nullptr, false) : json(json::value_t::discarded);
    if (g.is_discarded() || !g.is_object())
      throw_load_error(gen_path.string() + " is not a valid JSON object");
    try {
      read_token_ids(g, c, gen_path.string());
    } catch (const Error& e) {
      throw Error(e.kind(), gen_path.string() + ": " + e.what());
    }
  }
  return c;
}

}  // namespace falcon
