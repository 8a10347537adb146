#include "app/engine/cuda_plugin.h"

#include <dlfcn.h>

#include "app/engine/install_paths.h"

namespace falcon {

namespace {

struct Loaded {
  const gpu::PluginApi* api = nullptr;
  std::string why;  // empty when api is set
};

Loaded load_plugin() {
  Loaded out;
  const std::filesystem::path path = cuda_plugin_path();
  std::error_code ec;
  if (path.empty() || !std::filesystem::is_regular_file(path, ec)) {
    out.why = "the CUDA backend plugin is not installed (looked for " + path.string() + ")";
    return out;
  }
  // RTLD_LOCAL: the plugin's symbols (its own copy of falcon_core, all local by its version
  // script anyway) never serve other libraries. The handle is deliberately never closed.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* err = dlerror();
    out.why = std::string("the CUDA libraries could not be loaded (") + (err ? err : "dlopen failed") + ")";
    return out;
  }
  using EntryFn = const gpu::PluginApi* (*)();
  auto entry = reinterpret_cast<EntryFn>(dlsym(handle, "falcon_cuda_plugin_api"));
  const gpu::PluginApi* api = entry ? entry() : nullptr;
  if (!api) {
    out.why = "the CUDA backend plugin " + path.string() + " has no entry point";
    return out;
  }
  if (api->build_id() != gpu::plugin_build_id()) {
    out.why = "the CUDA backend plugin " + path.string() + " belongs to another build (" + api->build_id() +
              "; this program is " + gpu::plugin_build_id() + ")";
    return out;
  }
  out.api = api;
  return out;
}

}  // namespace

const gpu::PluginApi* cuda_plugin(std::string* why) {
  static const Loaded loaded = load_plugin();  // thread-safe one-time initialisation
  if (!loaded.api && why) *why = loaded.why;
  return loaded.api;
}

}  // namespace falcon
