// CheckpointReader: finds and maps a checkpoint's safetensors files and checks its tensors
// against the shapes the config implies.
#include "core/model/checkpoint.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/common/error.h"
#include "core/common/file_read.h"
#include "core/common/json_depth.h"
#include "core/common/load_issue.h"

namespace falcon {

std::string layer_prefix(int layer) {
  return "transformer.h." + std::to_string(layer) + ".";
}

std::vector<TensorSpec> expected_tensors(const ModelConfig& c) {
  const int64_t h = c.hidden_size;
  std::vector<TensorSpec> out;
  auto add = [&](std::string name, std::vector<int64_t> shape, bool optional = false) {
    out.push_back({std::move(name), std::move(shape), optional});
  };
  auto layer_norm = [&](const std::string& name) {
    add(name + ".weight", {h});
    add(name + ".bias", {h});
  };
  auto linear = [&](const std::string& name, int64_t out_f, int64_t in_f) {
    add(name + ".weight", {out_f, in_f});
    if (c.bias) add(name + ".bias", {out_f});
  };
  add(kWordEmbeddings, {c.vocab_size, h});
  for (int i = 0; i < c.num_layers; ++i) {
    const std::string p = layer_prefix(i);
    if (!c.parallel_attn) {
      layer_norm(p + "input_layernorm");
      layer_norm(p + "post_attention_layernorm");
    } else if (c.has_two_parallel_layernorms()) {
      layer_norm(p + "ln_attn");
      layer_norm(p + "ln_mlp");
    } else {
      layer_norm(p + "input_layernorm");
    }
    linear(p + "self_attention.query_key_value", c.qkv_out_features(), h);
    linear(p + "self_attention.dense", h, h);
    linear(p + "mlp.dense_h_to_4h", c.ffn_hidden_size, h);
    linear(p + "mlp.dense_4h_to_h", h, c.ffn_hidden_size);
  }
  layer_norm("transformer.ln_f");
  add(kLmHead, {c.vocab_size, h}, /*optional=*/c.tie_word_embeddings);
  return out;
}

namespace {

using nlohmann::json;

std::string shape_str(std::span<const int64_t> s) {
  std::string r = "(";
  for (std::size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + (s.size() == 1 ? ",)" : ")");
}

bool is_pickle_name(const std::string& f) {
  for (const char* ext : {".bin", ".pt", ".pth", ".ckpt", ".pkl"}) {
    const std::string e(ext);
    if (f.size() > e.size() && f.compare(f.size() - e.size(), e.size(), e) == 0) return true;
  }
  return false;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string join_capped(const std::vector<std::string>& items, std::size_t cap = 12) {
  std::string r;
  for (std::size_t i = 0; i < items.size() && i < cap; ++i) r += (i ? ", " : "") + items[i];
  if (items.size() > cap) r += ", ... (" + std::to_string(items.size() - cap) + " more)";
  return r;
}

}  // namespace

struct CheckpointReader::Impl {
  std::filesystem::path dir;
  std::vector<SafetensorsFile> files;
  struct Loc {
    std::size_t file;
    const SafetensorsEntry* entry;
  };
  std::map<std::string, Loc, std::less<>> tensors;

  void add_file(const std::filesystem::path& p) {
    files.emplace_back(p);
    const std::size_t idx = files.size() - 1;
    for (const auto& e : files.back().header().tensors) {
      auto [it, inserted] = tensors.emplace(e.name, Loc{idx, &e});
      if (!inserted) {
        throw_load_error("tensor '" + e.name + "' appears in both " +
                         files[it->second.file].path().filename().string() + " and " + p.filename().string());
      }
    }
  }

  void open_index(const std::filesystem::path& index_path) {
    const std::string text = read_file_bounded(index_path, kMaxMetadataFileBytes);
    const std::string origin = index_path.string();
    if (!json_depth_within(text))
      throw_load_error(origin + " nests arrays/objects more than " + std::to_string(kMaxJsonDepth) +
                       " levels deep");
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) throw_load_error(origin + " is not a valid JSON object");
    auto wm = j.find("weight_map");
    if (wm == j.end() || !wm->is_object())
      throw_load_error(origin + ": key 'weight_map' is missing or not an object");
    // Shards in first-seen order; each named file must be a plain name inside the folder.
    std::vector<std::string> shards;
    std::map<std::string, std::string> wanted;  // tensor -> shard
    for (const auto& [name, f] : wm->items()) {
      if (!f.is_string()) throw_load_error(origin + ": weight_map entry '" + name + "' must name a file");
      const std::string shard = f.get<std::string>();
      if (shard.empty() || shard.find('/') != std::string::npos || shard.find('\\') != std::string::npos ||
          shard == "." || shard == "..") {
        throw_load_error(origin + ": weight_map entry '" + name + "' names '" + shard +
                         "', which is not a file name inside the model folder");
      }
      if (std::find(shards.begin(), shards.end(), shard) == shards.end()) shards.push_back(shard);
      wanted[name] = shard;
    }
    if (shards.empty()) throw_load_error(origin + ": weight_map is empty");
    std::vector<std::string> missing_shards;
    for (const auto& s : shards) {
      std::error_code ec;
      if (!std::filesystem::is_regular_file(dir / s, ec)) missing_shards.push_back(s);
    }
    if (!missing_shards.empty()) {
      throw_load_error(
          load_issue_text(LoadIssue::MissingShards, {origin, dir.string(), join_capped(missing_shards)}));
    }
    for (const auto& s : shards) add_file(dir / s);
    std::vector<std::string> misplaced;
    for (const auto& [name, shard] : wanted) {
      auto it = tensors.find(name);
      if (it == tensors.end() || files[it->second.file].path().filename() != shard) {
        misplaced.push_back(name + " (expected in " + shard + ")");
      }
    }
    if (!misplaced.empty()) {
      throw_load_error(origin + " lists tensors that its shards do not hold: " + join_capped(misplaced));
    }
  }
};

CheckpointReader::CheckpointReader(const std::filesystem::path& model_dir) : impl_(std::make_unique<Impl>()) {
  impl_->dir = model_dir;
  std::error_code ec;
  if (!std::filesystem::is_directory(model_dir, ec))
    throw_load_error("model folder not found: " + model_dir.string());
  std::vector<std::string> safetensors, pickles;
  for (const auto& entry : std::filesystem::directory_iterator(model_dir, ec)) {
    if (!entry.is_regular_file(ec)) continue;
    const std::string f = entry.path().filename().string();
    if (ends_with(f, ".safetensors")) safetensors.push_back(f);
    if (is_pickle_name(f) || f == "pytorch_model.bin.index.json") pickles.push_back(f);
  }
  std::sort(safetensors.begin(), safetensors.end());
  std::sort(pickles.begin(), pickles.end());  // named in a fixed order, not the directory's
  const auto index = model_dir / "model.safetensors.index.json";
  if (std::filesystem::is_regular_file(index, ec)) {
    impl_->open_index(index);
  } else if (std::filesystem::is_regular_file(model_dir / "model.safetensors", ec)) {
    impl_->add_file(model_dir / "model.safetensors");
  } else if (safetensors.size() == 1) {
    impl_->add_file(model_dir / safetensors.front());
  } else if (safetensors.size() > 1) {
    throw_load_error(load_issue_text(LoadIssue::ShardsWithoutIndex, {model_dir.string()}));
  } else if (!pickles.empty()) {
    throw_load_error(load_issue_text(LoadIssue::PickleOnly, {model_dir.string(), join_capped(pickles)}));
  } else {
    throw_load_error(load_issue_text(LoadIssue::NoWeights, {model_dir.string()}));
  }
}

CheckpointReader::~CheckpointReader() = default;
CheckpointReader::CheckpointReader(CheckpointReader&&) noexcept = default;
CheckpointReader& CheckpointReader::operator=(CheckpointReader&&) noexcept = default;

const std::filesystem::path& CheckpointReader::dir() const {
  return impl_->dir;
}

std::vector<std::string> CheckpointReader::names() const {
  std::vector<std::string> r;
  for (const auto& [n, loc] : impl_->tensors) r.push_back(n);
  return r;
}

bool CheckpointReader::has(std::string_view name) const {
  return impl_->tensors.find(name) != impl_->tensors.end();
}

TensorView CheckpointReader::get(std::string_view name) const {
  auto it = impl_->tensors.find(name);
  if (it == impl_->tensors.end()) {
    throw_load_error("checkpoint " + impl_->dir.string() + " has no tensor '" + std::string(name) + "'");
  }
  return impl_->files[it->second.file].view(*it->second.entry);
}

TensorView CheckpointReader::get(std::string_view name, std::span<const int64_t> expected_shape) const {
  TensorView v = get(name);
  if (!std::equal(v.shape.begin(), v.shape.end(), expected_shape.begin(), expected_shape.end())) {
    throw_load_error("tensor '" + std::string(name) + "' has shape " + shape_str(v.shape) + ", expected " +
                     shape_str(expected_shape));
  }
  return v;
}

void CheckpointReader::validate(const ModelConfig& config) const {
  std::vector<std::string> missing, misshaped, extra;
  std::set<std::string, std::less<>> known;
  for (const auto& spec : expected_tensors(config)) {
    known.insert(spec.name);
    auto it = impl_->tensors.find(spec.name);
    if (it == impl_->tensors.end()) {
      if (!spec.optional) missing.push_back(spec.name);
      continue;
    }
    const auto& shape = it->second.entry->shape;
    if (shape != spec.shape)
      misshaped.push_back(spec.name + " " + shape_str(shape) + " != " + shape_str(spec.shape));
  }
  for (const auto& [name, loc] : impl_->tensors) {
    // Rotary inv_freq buffers: recomputed from the config, saved only by old exports.
    if (!known.count(name) && !ends_with(name, "inv_freq")) extra.push_back(name);
  }
  if (missing.empty() && misshaped.empty() && extra.empty()) return;
  std::string what;
  const auto add = [&what](const char* kind, const std::vector<std::string>& names) {
    if (names.empty()) return;
    what += (what.empty() ? "" : " ") + std::string(kind) + join_capped(names) + ".";
  };
  add("missing tensors: ", missing);
  add("misshaped tensors: ", misshaped);
  add("unexpected tensors: ", extra);
  throw_load_error(load_issue_text(LoadIssue::ConfigMismatch, {impl_->dir.string(), what}));
}

TensorView CheckpointReader::lm_head(const ModelConfig& config) const {
  const std::vector<int64_t> shape{config.vocab_size, config.hidden_size};
  if (!config.tie_word_embeddings) return get(kLmHead, shape);
  return get(kWordEmbeddings, shape);
}

void CheckpointReader::check_unchanged() const {
  for (const SafetensorsFile& f : impl_->files)
    if (f.changed_on_disk())
      throw_load_error(f.path().string() +
                       " changed on disk while the model was in use (it is shorter than when it was "
                       "opened); open the model again");
}

uint64_t CheckpointReader::total_tensor_bytes() const {
  uint64_t total = 0;
  for (const auto& [n, loc] : impl_->tensors) total += loc.entry->end - loc.entry->begin;
  return total;
}

}  // namespace falcon
