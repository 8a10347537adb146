#pragma once
// Loads the CUDA backend plugin (libfalcon-cuda.so, gpu/plugin_api.h) once per process.
// Only in builds with CUDA; elsewhere the engine has no GPU path at all.
#include <string>

#include "gpu/plugin_api.h"

namespace falcon {

// The plugin's function table, or null with `why` (when given) set to one line a user can act
// on: the plugin file is missing, or dlopen's own message (e.g. "libcublas.so.13: cannot open
// shared object file"), or a plugin from another build. The result is computed on the first
// call and kept; the plugin is never unloaded (backends and exceptions it made may outlive
// any caller).
const gpu::PluginApi* cuda_plugin(std::string* why = nullptr);

}  // namespace falcon
