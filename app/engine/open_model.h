#pragma once
// Opening a model the way a user asks for it: the backend choice (auto|cpu|cuda), with a clear
// fallback notice when the GPU cannot be used. Qt-free; shared by falcon-run and the app's
// inference worker so both take the same path.
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/chat/chat_template.h"
#include "core/model/backend.h"
#include "core/tokenizer/tokenizer.h"

namespace falcon {

enum class BackendChoice { Auto, Cpu, Cuda };

// "auto" | "cpu" | "cuda" → choice; throws Error(Usage) otherwise.
BackendChoice parse_backend_choice(const std::string& text);
// The layers' format: "bf16" | "int8" | "int4"; throws Error(Usage) otherwise, for "int6" with a
// message naming --head-weights int6 (a format for the output head only).
WeightFormat parse_weight_format(const std::string& text);
// The output head's format: "bf16" | "int8" | "int4" | "int6"; throws Error(Usage) otherwise.
WeightFormat parse_head_format(const std::string& text);

struct OpenModelOptions {
  BackendChoice backend = BackendChoice::Auto;
  WeightFormat weights = WeightFormat::Bf16;  // never Int6 (open_model throws Error(Usage))
  // The output head's format (int6 included); unset: default_head_format(weights).
  std::optional<WeightFormat> head_weights;
  // int8/int4: where quantized weights are cached between loads (docs/QUANTIZATION.md; each
  // backend its own file); empty = quantize on every load. default_quant_cache_dir() is the
  // usual place.
  std::filesystem::path quant_cache_dir;
  int cpu_threads = 0;     // 0 = all cores
  int cache_capacity = 0;  // KV cache tokens; 0 = the backend's default
  // Load progress in [0, 1]; return false to cancel (the load then throws Error(Cancelled)).
  std::function<bool(double)> progress;
};

// Why the GPU cannot be used, in a form the app can put into the user's language (the reason
// string keeps the details, in English).
enum class GpuUnusable {
  None,      // it can
  NoBuild,   // this build has no CUDA backend
  NoPlugin,  // the CUDA backend plugin or the CUDA libraries it needs could not be loaded
  NoDriver,  // no NVIDIA driver, or one too old
  NoGpu,     // a driver, and no NVIDIA GPU
  Other,     // anything else (a runtime error, a model that failed on the GPU): the reason says
};

struct OpenedModel {
  std::unique_ptr<Backend> backend;
  std::unique_ptr<Tokenizer> tokenizer;  // null when the folder has none (token-id use only)
  // Why the GPU was not used when the choice was Auto and the CPU backend was picked
  // ("" when the GPU is in use or was not asked for). Shown to the user once.
  std::string fallback_notice;
  // The same in parts, for the app to say in the user's language: the reason alone, and its kind.
  std::string fallback_reason;
  GpuUnusable fallback_kind = GpuUnusable::None;
  // Notes from loading worth showing once (quantization cache reused / written / why not).
  std::vector<std::string> notices;
};

// $XDG_DATA_HOME/falcon-chat/quant-cache (~/.local/share/... when unset).
std::filesystem::path default_quant_cache_dir();

// The chat template a checkpoint folder asks for: its tokenizer_config.json "chat_template"
// when that is one of the Falcon formats we render, else the Falcon chat format
// (System:/User:/Falcon:, as Falcon-180B-chat and the bundled model use). Throws Error(Load)
// when the file exists but is not a regular file or is over kMaxMetadataFileBytes.
ChatTemplate chat_template_for(const std::filesystem::path& dir);

// True when this build has the CUDA backend and a device is present.
bool cuda_available(std::string* reason = nullptr, GpuUnusable* kind = nullptr);

// Loads the backend (and the tokenizer, when `with_tokenizer`) from a checkpoint folder.
// Throws Error(Load) for a missing/broken checkpoint, Error(OutOfMemory), Error(Usage) for an
// impossible choice (cuda without a device, ...).
OpenedModel open_model(const std::filesystem::path& dir, const OpenModelOptions& options,
                       bool with_tokenizer);

}  // namespace falcon
