#include "core/model/gpu_oom_report.h"

#include <cmath>
#include <regex>

#include "core/common/byte_text.h"

namespace falcon {

std::string gpu_oom_text(const GpuOomReport& r) {
  std::string m = "not enough GPU memory on " + r.device + ": the model needs " + gib_text(r.need) +
                  " (weights " + gib_text(r.weights) + ", a KV cache of " + std::to_string(r.cache_tokens) +
                  " tokens " + gib_text(r.cache) + ", scratch and CUDA " + gib_text(r.scratch) +
                  ") but only " + gib_text(r.free) + " of " + gib_text(r.total) + " are free";
  if (!r.fit_format.empty())
    m += "; " + r.fit_format + " weights would need " + gib_text(r.fit_need) + " and fit";
  if (r.fit_cache_tokens > 0)
    m += "; with these weights a KV cache of up to " + std::to_string(r.fit_cache_tokens) + " tokens fits";
  if (r.fit_format.empty() && r.fit_cache_tokens <= 0)
    m += r.smallest_format.empty()
             ? "; the weights alone do not fit"
             : "; even " + r.smallest_format + " weights would need " + gib_text(r.smallest_need);
  return m + " (or use the CPU backend)";
}

namespace {

uint64_t gib_bytes(const std::string& number) {
  return static_cast<uint64_t>(std::llround(std::stod(number) * 1073741824.0));
}

}  // namespace

std::optional<GpuOomReport> parse_gpu_oom_text(std::string_view text) {
  static const std::regex whole(
      "not enough GPU memory on (.+): the model needs ([0-9.]+) GiB \\(weights ([0-9.]+) GiB, a KV cache of "
      "([0-9]+) tokens ([0-9.]+) GiB, scratch and CUDA ([0-9.]+) GiB\\) but only ([0-9.]+) GiB of ([0-9.]+) "
      "GiB "
      "are free((?:; [^;]*)*) \\(or use the CPU backend\\)");
  static const std::regex fit_format("; ([a-z0-9]+) weights would need ([0-9.]+) GiB and fit");
  static const std::regex fit_cache("; with these weights a KV cache of up to ([0-9]+) tokens fits");
  static const std::regex even("; even ([a-z0-9]+) weights would need ([0-9.]+) GiB$");
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_match(text.begin(), text.end(), m, whole)) return std::nullopt;
  try {
    GpuOomReport r;
    r.device = m[1].str();
    r.need = gib_bytes(m[2].str());
    r.weights = gib_bytes(m[3].str());
    r.cache_tokens = std::stoll(m[4].str());
    r.cache = gib_bytes(m[5].str());
    r.scratch = gib_bytes(m[6].str());
    r.free = gib_bytes(m[7].str());
    r.total = gib_bytes(m[8].str());
    const std::string hints = m[9].str();
    std::smatch h;
    if (std::regex_search(hints, h, fit_format)) {
      r.fit_format = h[1].str();
      r.fit_need = gib_bytes(h[2].str());
    }
    if (std::regex_search(hints, h, fit_cache)) r.fit_cache_tokens = std::stoll(h[1].str());
    if (std::regex_search(hints, h, even)) {
      r.smallest_format = h[1].str();
      r.smallest_need = gib_bytes(h[2].str());
    }
    // Read back only what gpu_oom_text writes: anything else is another message.
    if (gpu_oom_text(r) != text) return std::nullopt;
    return r;
  } catch (const std::exception&) {  // a number out of range
    return std::nullopt;
  }
}

}  // namespace falcon
