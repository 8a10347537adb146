#include "app/cli/commands.h"

#include <charconv>
#include <cstdio>
#include <sstream>

#include "core/common/error.h"
#include "core/common/version.h"
#ifdef FALCON_HAVE_CUDA
#include "gpu/device_info.h"
#endif

namespace falcon::cli {

std::vector<std::int32_t> parse_token_list(const std::string& text, const char* flag) {
  std::vector<std::int32_t> ids;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t end = text.find(',', pos);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(pos, end - pos);
    const auto first = item.find_first_not_of(" \t");
    const auto last = item.find_last_not_of(" \t");
    item = first == std::string::npos ? "" : item.substr(first, last - first + 1);
    std::int32_t value = 0;
    const auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), value);
    if (item.empty() || ec != std::errc() || ptr != item.data() + item.size() || value < 0) {
      throw Error(ErrorKind::Usage, std::string(flag) + ": '" + item + "' is not a token id (expected e.g. 5,17,42)");
    }
    ids.push_back(value);
    pos = end + 1;
  }
  return ids;
}

std::string version_text() {
  std::string text = version_banner("falcon-run");
#ifdef FALCON_HAVE_CUDA
  const auto devices = gpu::list_devices();
  if (devices.empty()) text += "CUDA devices: none (" + gpu::no_device_reason() + ")\n";
  for (const auto& d : devices) {
    std::ostringstream line;
    line << "CUDA device " << d.index << ": " << d.name << ", compute " << d.cc_major << '.' << d.cc_minor << ", "
         << (d.total_bytes >> 20) << " MiB\n";
    text += line.str();
  }
#endif
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

int execute(const CliOptions& o) {
  if (o.model_dir.empty() && !o.synthetic) {
    throw Error(ErrorKind::Usage, "--model DIR is required (a folder with config.json, safetensors and a tokenizer)");
  }
  throw Error(ErrorKind::Usage, "generation is not available yet in this build");
}

}  // namespace falcon::cli
