#pragma once
// A 1-layer copy of a checkpoint: its config with the layer count set to 1, and every tensor but
// those of layers >= 1, in one safetensors file. In a 1-layer model a token's K/V depend only on
// the token and its position, so EvictMode::Shift (move the cache, re-rotate keys) must give the
// logits of a fresh prefill of the kept tokens; that is how the shift path is tested against an
// independent reference (the prefill) rather than against itself.
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "core/model/checkpoint.h"
#include "model_fixture_util.h"

namespace falcon::testutil {

inline void write_one_layer_checkpoint(const std::filesystem::path& from, const std::filesystem::path& to) {
  std::filesystem::create_directories(to);
  nlohmann::json cfg = nlohmann::json::parse(read_file(from / "config.json"));
  bool set = false;
  for (const char* key : {"num_hidden_layers", "n_layer", "num_layers"}) {
    if (cfg.contains(key)) {
      cfg[key] = 1;
      set = true;
    }
  }
  if (!set) throw std::runtime_error("write_one_layer_checkpoint: no layer count in " + from.string());
  std::ofstream(to / "config.json") << cfg.dump(2);

  const CheckpointReader reader(from);
  std::vector<RawTensor> tensors;
  const std::string layer_prefix = "transformer.h.";
  for (const std::string& name : reader.names()) {
    if (name.rfind(layer_prefix, 0) == 0 && name.compare(layer_prefix.size(), 2, "0.") != 0) continue;
    const TensorView t = reader.get(name);
    tensors.push_back(RawTensor{name, dtype_name(t.dtype), t.shape,
                                std::string(reinterpret_cast<const char*>(t.data.data()), t.data.size())});
  }
  write_file(to / "model.safetensors", make_safetensors(tensors));
}

}  // namespace falcon::testutil
