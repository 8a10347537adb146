#include "app/engine/install_paths.h"

#include <cstdlib>
#include <system_error>

#ifndef FALCON_REL_DATADIR
#define FALCON_REL_DATADIR "../share/falcon-chat"
#endif
#ifndef FALCON_REL_PLUGINDIR
#define FALCON_REL_PLUGINDIR "../lib/x86_64-linux-gnu/falcon-chat"
#endif

namespace falcon {

namespace fs = std::filesystem;

fs::path executable_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
}

fs::path bundled_models_dir() {
  if (const char* env = std::getenv("FALCON_CHAT_MODELS"); env && *env) return env;
  const fs::path dir = executable_dir();
  if (dir.empty()) return {};
  return (dir / FALCON_REL_DATADIR / "models").lexically_normal();
}

fs::path resolve_model_dir(const std::string& arg) {
  std::error_code ec;
  if (arg.empty() || arg.find('/') != std::string::npos || arg == "." || arg == ".." ||
      fs::is_directory(arg, ec)) {
    return arg;
  }
  const fs::path bundled = bundled_models_dir() / arg;
  return fs::is_directory(bundled, ec) ? bundled : fs::path(arg);
}

fs::path cuda_plugin_path() {
  if (const char* env = std::getenv("FALCON_CUDA_PLUGIN"); env && *env) return env;
  const fs::path dir = executable_dir();
  return (dir / FALCON_REL_PLUGINDIR / "libfalcon-cuda.so").lexically_normal();
}

fs::path doc_text_helper_path() {
  if (const char* env = std::getenv("FALCON_DOC_TEXT"); env && *env) return env;
  return (executable_dir() / FALCON_REL_PLUGINDIR / "falcon-doc-text").lexically_normal();
}

}  // namespace falcon
