#include "app/engine/open_model.h"

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/common/file_read.h"
#include "core/common/json_depth.h"
#include "core/model/cpu_backend.h"
#include "core/model/weight_format_name.h"
#ifdef FALCON_HAVE_CUDA
#include "app/engine/cuda_plugin.h"
#endif

namespace falcon {

BackendChoice parse_backend_choice(const std::string& text) {
  if (text == "auto") return BackendChoice::Auto;
  if (text == "cpu") return BackendChoice::Cpu;
  if (text == "cuda") return BackendChoice::Cuda;
  throw Error(ErrorKind::Usage, "backend '" + text + "' is not one of auto, cpu, cuda");
}

WeightFormat parse_weight_format(const std::string& text) {
  const auto w = weight_format_from_name(text);
  if (w && !layer_format_ok(*w)) throw Error(ErrorKind::Usage, kInt6LayersMessage);
  if (w) return *w;
  throw Error(ErrorKind::Usage, "weights '" + text + "' is not one of bf16, int8, int4");
}

WeightFormat parse_head_format(const std::string& text) {
  if (const auto w = weight_format_from_name(text)) return *w;
  throw Error(ErrorKind::Usage, "head weights '" + text + "' is not one of bf16, int8, int4, int6");
}

ChatTemplate chat_template_for(const std::filesystem::path& dir) {
  // Read like every other file of the checkpoint: bounded (a FIFO or a huge file is one
  // Error(Load) instead of a hang or running out of memory) and depth-checked before parsing.
  const std::filesystem::path path = dir / "tokenizer_config.json";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return ChatTemplate::falcon_instruct();
  const std::string text = read_file_bounded(path, kMaxMetadataFileBytes);
  if (json_depth_within(text)) {
    const auto config = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (config.is_object() && config.contains("chat_template") && config["chat_template"].is_string()) {
      if (auto t = ChatTemplate::from_hf_chat_template(config["chat_template"].get<std::string>())) return *t;
    }
  }
  return ChatTemplate::falcon_instruct();  // no usable template in the file: the Falcon format
}

bool cuda_available(std::string* reason, GpuUnusable* kind) {
  auto unusable = [&](GpuUnusable k) {
    if (kind) *kind = k;
    return false;
  };
  if (kind) *kind = GpuUnusable::None;
#ifdef FALCON_HAVE_CUDA
  // The CUDA backend is a plugin (libfalcon-cuda.so) so that machines without the CUDA
  // libraries still run everything on the CPU; its load error is the reason shown.
  const gpu::PluginApi* plugin = cuda_plugin(reason);
  if (!plugin) return unusable(GpuUnusable::NoPlugin);
  if (!plugin->list_devices().empty()) return true;
  const std::string why = plugin->no_device_reason();
  if (reason) *reason = "no usable CUDA device (" + why + ")";
  return unusable(why == gpu::kNoUsableDriver ? GpuUnusable::NoDriver
                  : why == gpu::kNoGpuFound   ? GpuUnusable::NoGpu
                                              : GpuUnusable::Other);
#else
  if (reason) *reason = "this build has no CUDA backend";
  return unusable(GpuUnusable::NoBuild);
#endif
}

namespace {

// Where a backend's notices about its load (the quantization cache) go.
std::function<void(const std::string&)> collect(std::vector<std::string>* notices) {
  return [notices](const std::string& n) {
    if (notices) notices->push_back(n);
  };
}

std::unique_ptr<Backend> open_cpu(const std::filesystem::path& dir, const OpenModelOptions& o,
                                  std::vector<std::string>* notices) {
  CpuBackendOptions cpu;
  cpu.threads = o.cpu_threads;
  cpu.cache_capacity = o.cache_capacity;
  cpu.weights = o.weights;
  cpu.head_weights = o.head_weights;
  cpu.quant_cache_dir = o.quant_cache_dir;
  cpu.notice = collect(notices);
  // Without quantization the load is a memory map: 0 then 1. With it, the quantization's share.
  cpu.progress = o.progress;
  if (o.progress && !o.progress(0.0)) throw Error(ErrorKind::Cancelled, "loading cancelled");
  auto backend = create_cpu_backend(dir, cpu);
  if (o.progress && !o.progress(1.0)) throw Error(ErrorKind::Cancelled, "loading cancelled");
  return backend;
}

std::unique_ptr<Backend> open_cuda(const std::filesystem::path& dir, const OpenModelOptions& o,
                                   std::vector<std::string>* notices) {
#ifdef FALCON_HAVE_CUDA
  CudaBackendOptions cuda;
  cuda.cache_capacity = o.cache_capacity;
  cuda.weights = o.weights;
  cuda.head_weights = o.head_weights;
  cuda.quant_cache_dir = o.quant_cache_dir;
  cuda.notice = collect(notices);
  bool cancelled = false;
  if (o.progress) {
    cuda.progress = [&](uint64_t done, uint64_t total) {
      if (!cancelled && total > 0 && !o.progress(static_cast<double>(done) / static_cast<double>(total))) {
        cancelled = true;
      }
    };
  }
  const gpu::PluginApi* plugin = cuda_plugin();
  if (!plugin) throw Error(ErrorKind::Usage, "the CUDA backend is not available; use --backend cpu");
  auto backend = plugin->create_backend(dir, cuda);
  if (cancelled) throw Error(ErrorKind::Cancelled, "loading cancelled");
  return backend;
#else
  (void)dir;
  (void)o;
  (void)notices;
  throw Error(ErrorKind::Usage, "this build has no CUDA backend; use --backend cpu");
#endif
}

}  // namespace

std::filesystem::path default_quant_cache_dir() {
  const char* xdg = std::getenv("XDG_DATA_HOME");
  std::filesystem::path base;
  if (xdg && *xdg) {
    base = xdg;
  } else {
    const char* home = std::getenv("HOME");
    base = std::filesystem::path(home && *home ? home : "/tmp") / ".local" / "share";
  }
  return base / "falcon-chat" / "quant-cache";
}

OpenedModel open_model(const std::filesystem::path& dir, const OpenModelOptions& options,
                       bool with_tokenizer) {
  if (!layer_format_ok(options.weights)) throw Error(ErrorKind::Usage, kInt6LayersMessage);  // either backend
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw Error(ErrorKind::Load, "model folder '" + dir.string() + "' does not exist or is not a folder");
  }
  OpenedModel out;
  std::string reason;
  switch (options.backend) {
    case BackendChoice::Cpu:
      out.backend = open_cpu(dir, options, &out.notices);
      break;
    case BackendChoice::Cuda:
      if (!cuda_available(&reason)) throw Error(ErrorKind::Usage, "--backend cuda: " + reason);
      out.backend = open_cuda(dir, options, &out.notices);
      break;
    case BackendChoice::Auto: {
      GpuUnusable kind = GpuUnusable::None;
      if (cuda_available(&reason, &kind)) {
        try {
          out.backend = open_cuda(dir, options, &out.notices);
        } catch (const Error& e) {
          if (e.kind() == ErrorKind::Load || e.kind() == ErrorKind::Cancelled) throw;
          reason = e.what();
          kind = GpuUnusable::Other;
        }
      }
      if (!out.backend) {
        out.fallback_reason = reason;
        out.fallback_kind = kind;
        out.fallback_notice = "GPU not used: " + reason + "; running on the CPU";
        out.backend = open_cpu(dir, options, &out.notices);  // in the weight format asked for
      }
      break;
    }
  }
  if (with_tokenizer) out.tokenizer = load_tokenizer(dir);
  return out;
}

}  // namespace falcon
