#pragma once
// Where the programs find their installed parts, relative to their own executable:
//   <prefix>/bin/falcon-run          the program
//   <prefix>/share/falcon-chat/models/<name>   bundled models
//   <prefix>/lib/<triplet>/falcon-chat/libfalcon-cuda.so   the CUDA backend plugin
//   <prefix>/lib/<triplet>/falcon-chat/falcon-doc-text     falcon-chat's PDF reader (app/pdf)
// The build tree mirrors this layout (see the top-level CMakeLists.txt), so the same lookup
// works for `cmake --build` output, a `cmake --install` prefix and the .deb's /usr.
#include <filesystem>
#include <string>

namespace falcon {

// The folder of the running executable (/proc/self/exe); empty when it cannot be read.
std::filesystem::path executable_dir();

// <exe>/../share/falcon-chat/models, or $FALCON_CHAT_MODELS when that is set.
std::filesystem::path bundled_models_dir();

// `--model falcon-mini`: a bare name that is not a folder here names a bundled model.
// Returns `arg` unchanged when it is a folder, has a '/', or no bundled model has that name.
std::filesystem::path resolve_model_dir(const std::string& arg);

// <exe>/../lib/<triplet>/falcon-chat/libfalcon-cuda.so, or $FALCON_CUDA_PLUGIN when that is set.
std::filesystem::path cuda_plugin_path();

// <exe>/../lib/<triplet>/falcon-chat/falcon-doc-text, or $FALCON_DOC_TEXT when that is set.
std::filesystem::path doc_text_helper_path();

}  // namespace falcon
