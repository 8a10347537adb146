// The benchmark results as one JSON line each (the lines tools/gpu_run.sh collects and
// tools/bench_report.py reads), written with nlohmann::json: strings escaped, no length limit,
// fields in a fixed order, numbers rounded to the digits they were always printed with.
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "gpu/bench.h"

namespace falcon::gpu {
namespace {

double round_to(double x, int digits) {
  const double scale = std::pow(10.0, digits);
  return std::isfinite(x) ? std::round(x * scale) / scale : x;
}

}  // namespace

std::string BenchResult::to_json() const {
  nlohmann::ordered_json j;
  j["shape"] = shape;
  j["weights"] = weights;
  j["device"] = device;
  j["weight_gib"] = round_to(weight_gib, 2);
  j["kv_cache_gib"] = round_to(kv_cache_gib, 2);
  j["create_s"] = round_to(create_s, 2);
  j["prefill_2048_ms"] = round_to(prefill_2048_ms, 1);
  j["ttft_512_ms"] = round_to(ttft_512_ms, 1);
  j["decode_512_tok_s"] = round_to(decode_512_tok_s, 1);
  j["decode_8192_tok_s"] = round_to(decode_8192_tok_s, 1);
  j["bytes_per_token"] = static_cast<uint64_t>(std::llround(bytes_per_token));
  j["bound_tok_s"] = round_to(bound_tok_s, 1);
  j["bound_fraction"] = round_to(bound_fraction, 3);
  j["read_tb_s"] = round_to(read_tb_s, 3);
  j["copy_tb_s"] = round_to(copy_tb_s, 3);
  j["measured_bound_tok_s"] = round_to(measured_bound_tok_s, 1);
  j["measured_fraction"] = round_to(measured_fraction, 3);
  j["peak_gib"] = round_to(peak_gib, 2);
  j["evict_exact_ms"] = round_to(evict_exact_ms, 2);
  j["evict_shift_ms"] = round_to(evict_shift_ms, 3);
  return j.dump();
}

std::string LoadBenchResult::to_json() const {
  nlohmann::ordered_json j;
  j["load_bench"] = shape;
  j["weights"] = weights;
  j["checkpoint_gib"] = round_to(checkpoint_gib, 2);
  j["write_s"] = round_to(write_s, 1);
  j["page_cache_read_gb_s"] = round_to(page_cache_read_gb_s, 2);
  j["cuda_init_s"] = round_to(cuda_init_s, 3);
  j["load_s"] = round_to(load_s, 3);
  j["load_gb_s"] = round_to(load_gb_s, 2);
  j["first_token_ms"] = round_to(first_token_ms, 1);
  j["start_to_first_token_s"] = round_to(start_to_first_token_s, 3);
  return j.dump();
}

}  // namespace falcon::gpu
