// The benchmark results as one JSON line each (the lines tools/gpu_run.sh collects and
// tools/bench_report.py reads), written with nlohmann::json: strings escaped, no length limit,
// fields in a fixed order, numbers rounded to the digits they were always printed with. Also
// the error lines and falcon-gpu-bench's strict count values.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>

#include "gpu/bench.h"

namespace falcon::gpu {
namespace {

struct Field {
  const char* name;
  double value;
  int digits;  // decimals kept (non-finite values become null)
};

void put(nlohmann::ordered_json& j, std::initializer_list<Field> fields) {
  for (const Field& f : fields) {
    const double scale = std::pow(10.0, f.digits);
    j[f.name] = std::isfinite(f.value) ? std::round(f.value * scale) / scale : f.value;
  }
}

}  // namespace

std::string BenchResult::to_json() const {
  nlohmann::ordered_json j = {{"shape", shape}, {"weights", weights}, {"device", device}};
  put(j, {{"weight_gib", weight_gib, 2},
          {"kv_cache_gib", kv_cache_gib, 2},
          {"create_s", create_s, 2},
          {"prefill_2048_ms", prefill_2048_ms, 1},
          {"ttft_512_ms", ttft_512_ms, 1},
          {"decode_512_tok_s", decode_512_tok_s, 1},
          {"decode_8192_tok_s", decode_8192_tok_s, 1},
          {"decode_app_tok_s", decode_app_tok_s, 1},
          {"decode_app_nomax_tok_s", decode_app_nomax_tok_s, 1},
          {"decode_app_sample_us", decode_app_sample_us, 1}});
  j["bytes_per_token"] = static_cast<uint64_t>(std::llround(bytes_per_token));
  put(j, {{"bound_tok_s", bound_tok_s, 1},
          {"bound_fraction", bound_fraction, 3},
          {"read_tb_s", read_tb_s, 3},
          {"copy_tb_s", copy_tb_s, 3},
          {"read_sm_mhz", read_sm_mhz, 0},
          {"measured_bound_tok_s", measured_bound_tok_s, 1},
          {"measured_fraction", measured_fraction, 3},
          {"decode_sm_mhz", decode_sm_mhz, 0},
          {"decode_sm_mhz_min", decode_sm_mhz_min, 0},
          {"decode_power_w", decode_power_w, 0},
          {"decode_power_capped", decode_power_capped, 2},
          {"peak_gib", peak_gib, 2},
          {"evict_exact_ms", evict_exact_ms, 2},
          {"evict_shift_ms", evict_shift_ms, 3},
          {"idle_ms", idle_ms, 0},
          {"prefill_2048_idle_ms", prefill_2048_idle_ms, 1},
          {"prefill_2048_idle_j", prefill_2048_idle_j, 1},
          {"ttft_512_idle_ms", ttft_512_idle_ms, 1}});
  return j.dump();
}

std::string LoadBenchResult::to_json() const {
  nlohmann::ordered_json j = {{"load_bench", shape}, {"weights", weights}};
  put(j, {{"checkpoint_gib", checkpoint_gib, 2},
          {"write_s", write_s, 1},
          {"page_cache_read_gb_s", page_cache_read_gb_s, 2},
          {"cuda_init_s", cuda_init_s, 3},
          {"load_s", load_s, 3},
          {"load_gb_s", load_gb_s, 2},
          {"first_token_ms", first_token_ms, 1},
          {"start_to_first_token_s", start_to_first_token_s, 3}});
  return j.dump();
}

std::string bench_error_json(const std::string& shape, const std::string& message, int error_kind) {
  nlohmann::ordered_json j = {{"shape", shape}};
  if (error_kind >= 0) j["error_kind"] = error_kind;
  j["error"] = message;
  // Invalid UTF-8 in a message (an OS error text, a path) is replaced, never a throw.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<int> parse_bench_count(std::string_view text) {
  int v = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  // from_chars takes no sign but '-', no space and no empty text: those end as errors here too.
  if (ec != std::errc() || ptr != end || v < 1 || v > 1000000) return std::nullopt;
  return v;
}

}  // namespace falcon::gpu
