// The benchmark's result lines (BenchResult / LoadBenchResult::to_json), which tools/gpu_run.sh
// collects and tools/bench_report.py reads: valid JSON that nlohmann parses back to the values
// given (rounded to the digits the lines always carried), whatever the device string holds;
// the error lines; and falcon-gpu-bench's strict option values.
// Host code only: like test_gpu_plans it runs (and passes or fails) without a GPU, in CI too.
#include <chrono>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/common/error.h"
#include "core/model/weight_format_name.h"
#include "gpu/bench.h"
#include "gpu/gpu_clocks.h"
#include "tests/gpu/gpu_test_util.h"

namespace falcon::test {
namespace {

using json = nlohmann::ordered_json;  // keeps the order the fields were written in

// Parses `text`; a parse error is a failed check, not an exception.
json parse(Checks& ck, const std::string& text, const std::string& what) {
  json j = json::parse(text, nullptr, false);
  ck.expect(!j.is_discarded() && j.is_object(), what + ": the line is one JSON object");
  return j.is_discarded() ? json::object() : j;
}

bool near(const json& v, double want, double tol) {
  return v.is_number() && std::fabs(v.get<double>() - want) <= tol;
}

void test_bench_result(Checks& ck) {
  gpu::BenchResult r;
  r.shape = "40b";
  r.weights = "int4";
  r.device = "cuda, NVIDIA H200";
  r.weight_gib = 20.5812;
  r.decode_512_tok_s = 157.3649;
  r.bytes_per_token = 22102720512.0;
  r.bound_tok_s = 193.2;
  r.bound_fraction = 0.81449;
  r.read_tb_s = 4.55049;
  r.copy_tb_s = 4.1591;
  r.measured_bound_tok_s = 205.88;
  r.measured_fraction = 0.76437;
  r.evict_shift_ms = 2.0126;
  r.read_sm_mhz = 1979.6;
  r.decode_sm_mhz = 1792.4;
  r.decode_sm_mhz_min = 1605.0;
  r.decode_power_w = 641.63;
  r.decode_power_capped = 0.8765;
  r.idle_ms = 2000;
  r.prefill_2048_idle_ms = 251.249;
  r.prefill_2048_idle_j = 163.26;
  r.ttft_512_idle_ms = 60.04;
  r.decode_app_tok_s = 154.449;
  r.decode_app_nomax_tok_s = 153.05;
  r.decode_app_sample_us = 37.26;
  const json j = parse(ck, r.to_json(), "bench result");
  ck.expect(j.value("shape", "") == "40b" && j.value("weights", "") == "int4" &&
                j.value("device", "") == "cuda, NVIDIA H200",
            "bench result: the strings come back");
  ck.expect(near(j["decode_512_tok_s"], 157.4, 1e-9) && near(j["weight_gib"], 20.58, 1e-9) &&
                near(j["bound_fraction"], 0.814, 1e-9) && near(j["read_tb_s"], 4.550, 1e-9) &&
                near(j["copy_tb_s"], 4.159, 1e-9) && near(j["measured_bound_tok_s"], 205.9, 1e-9) &&
                near(j["measured_fraction"], 0.764, 1e-9) && near(j["evict_shift_ms"], 2.013, 1e-9),
            "bench result: numbers rounded to their printed digits (tok/s 0.1, fractions 0.001)");
  ck.expect(
      j["bytes_per_token"].is_number_integer() && j["bytes_per_token"].get<uint64_t>() == 22102720512ull,
      "bench result: bytes per token an exact integer");
  ck.expect(near(j["read_sm_mhz"], 1980, 1e-9) && near(j["decode_sm_mhz"], 1792, 1e-9) &&
                near(j["decode_sm_mhz_min"], 1605, 1e-9) && near(j["decode_power_w"], 642, 1e-9) &&
                near(j["decode_power_capped"], 0.88, 1e-9),
            "bench result: the read ceiling's and decode's clock and power fields (MHz and W whole, the "
            "capped share 0.01)");
  ck.expect(
      near(j["idle_ms"], 2000, 1e-9) && near(j["prefill_2048_idle_ms"], 251.2, 1e-9) &&
          near(j["ttft_512_idle_ms"], 60.0, 1e-9) && near(j["prefill_2048_idle_j"], 163.3, 1e-9),
      "bench result: the from-idle timings (ms 0.1), the pause before each, the prefill's energy (J 0.1)");
  ck.expect(near(j["decode_app_tok_s"], 154.4, 1e-9) && near(j["decode_app_nomax_tok_s"], 153.1, 1e-9),
            "bench result: the decode with the app's sampler, with and without the block maxima (tok/s 0.1)");
  ck.expect(near(j["decode_app_sample_us"], 37.3, 1e-9), "bench result: the sampler's own time (us 0.1)");
  ck.expect(!j.empty() && j.begin().key() == "shape" && j.contains("evict_shift_ms") && j.size() == 32,
            "bench result: 32 fields, the shape first");

  // A device string no fixed buffer holds, with the characters JSON must escape.
  std::string dev = "cuda, \"Quoted\" GPU \\ with a\nnewline and a tab\t ";
  while (dev.size() < 3000) dev += "0123456789";
  r.device = dev;
  r.decode_8192_tok_s = std::numeric_limits<double>::quiet_NaN();
  const json k = parse(ck, r.to_json(), "bench result with a 3000-character device string");
  ck.expect(k.value("device", "") == dev, "bench result: the long, escaped device string comes back whole");
  ck.expect(k.contains("decode_8192_tok_s") && k["decode_8192_tok_s"].is_null() &&
                near(k["evict_shift_ms"], 2.013, 1e-9),
            "bench result: a non-finite number is null, and the fields after it are intact");
}

// The clock statistics the bench reports: mean and lowest SM clock, mean power in W, and the
// share of samples whose reasons carry the software power cap bit (NVML's 0x4), whatever other
// bits are set; an empty series is "not measured" (NaN, null in the JSON line).
void test_clock_summary(Checks& ck) {
  const std::vector<gpu::ClockSample> v = {
      {1980, 450000, 0x0}, {1785, 640000, 0x4}, {1605, 700000, 0x4 | 0x1}, {1830, 610000, 0x1}};
  const gpu::ClockStats s = gpu::summarize_clock_samples(v);
  ck.expect(s.samples == 4 && near(json(s.sm_mhz_mean), (1980 + 1785 + 1605 + 1830) / 4.0, 1e-9) &&
                near(json(s.sm_mhz_min), 1605, 1e-9) && near(json(s.power_w_mean), 600.0, 1e-9),
            "clock summary: mean and lowest SM clock, mean power in W");
  ck.expect(near(json(s.power_capped_fraction), 0.5, 1e-12),
            "clock summary: capped share counts the 0x4 bit only (2 of 4)");
  const gpu::ClockStats e = gpu::summarize_clock_samples({});
  ck.expect(e.samples == 0 && std::isnan(e.sm_mhz_mean) && std::isnan(e.power_capped_fraction),
            "clock summary: no samples -> NaN (not measured), not zeros");
  // A sampler where NVML or a GPU is missing (CI) reports no samples and never throws; with both
  // (the GPU machine), 60 ms at a 5 ms period gives samples with a plausible clock.
  gpu::ClockSampler sampler(0, 5);
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  const gpu::ClockStats live = sampler.stop();
  if (live.samples == 0)
    ck.expect(std::isnan(live.sm_mhz_mean), "clock sampler without NVML or GPU: nothing measured");
  else
    ck.expect(live.sm_mhz_mean >= 100 && live.sm_mhz_mean <= 5000 && live.power_capped_fraction >= 0 &&
                  live.power_capped_fraction <= 1,
              "clock sampler on a GPU: " + std::to_string(live.samples) + " samples, " +
                  std::to_string(static_cast<int>(live.sm_mhz_mean)) + " MHz");
}

// The error line of a shape that failed: valid JSON whatever the message holds (quotes,
// backslashes, newlines, bytes that are not UTF-8), the kind present only when given. The old
// printf line broke on the first double quote in a message.
void test_error_line(Checks& ck) {
  const std::string msg = "checkpoint \"model\\x\" at C:\\dir\nline two\t";
  const json j = parse(ck, gpu::bench_error_json("40b", msg, 3), "error line");
  ck.expect(j.value("shape", "") == "40b" && j.value("error", "") == msg && j.value("error_kind", -1) == 3 &&
                j.size() == 3 && j.begin().key() == "shape",
            "error line: shape, kind and the whole message come back, in that order");
  const json k = parse(ck, gpu::bench_error_json("7b", "bad byte \xff here"), "error line, no kind");
  ck.expect(
      !k.contains("error_kind") && k.value("shape", "") == "7b" && k.value("error", "").find("bad byte") == 0,
      "error line: without a kind no error_kind field; a non-UTF-8 byte is replaced, not a throw");
}

// falcon-gpu-bench's option values (before: atoi made "--steps x" zero steps, an infinite rate,
// and "--weights int3" quietly ran bf16).
void test_cli_values(Checks& ck) {
  ck.expect(gpu::parse_bench_count("64") == 64 && gpu::parse_bench_count("1") == 1 &&
                gpu::parse_bench_count("1000000") == 1000000,
            "counts: whole numbers from 1 to 1000000 are taken");
  bool refused = true;
  for (const char* bad : {"", "0", "-3", "+5", "12x", "x12", "1e3", " 7", "7 ", "1000001", "99999999999"})
    refused = refused && !gpu::parse_bench_count(bad).has_value();
  ck.expect(refused,
            "counts: empty, zero, negative, signed, trailing or leading junk and too large are refused");
  ck.expect(weight_format_from_name("bf16") == WeightFormat::Bf16 &&
                weight_format_from_name("int8") == WeightFormat::Int8 &&
                weight_format_from_name("int4") == WeightFormat::Int4,
            "weights: bf16, int8, int4");
  ck.expect(
      !weight_format_from_name("int3") && !weight_format_from_name("INT8") && !weight_format_from_name(""),
      "weights: anything else is refused, not read as bf16");
  bool round_trip = true;
  for (const WeightFormat w : {WeightFormat::Bf16, WeightFormat::Int8, WeightFormat::Int4})
    round_trip = round_trip && weight_format_from_name(weight_format_name(w)) == w;
  ck.expect(round_trip, "weights: weight_format_name spells each format as weight_format_from_name reads it");
}

void test_load_result(Checks& ck) {
  gpu::LoadBenchResult r;
  r.shape = "7b";
  r.weights = "bf16";
  r.checkpoint_gib = 12.894;
  r.load_s = 0.6153;
  r.load_gb_s = 22.5049;
  r.start_to_first_token_s = 1.05449;
  const json j = parse(ck, r.to_json(), "load result");
  ck.expect(j.value("load_bench", "") == "7b" && j.value("weights", "") == "bf16" &&
                near(j["checkpoint_gib"], 12.89, 1e-9) && near(j["load_s"], 0.615, 1e-9) &&
                near(j["load_gb_s"], 22.50, 1e-9) && near(j["start_to_first_token_s"], 1.054, 1e-9),
            "load result: strings and rounded numbers come back");
  ck.expect(j.size() == 10 && j.begin().key() == "load_bench", "load result: 10 fields, the shape first");
}

// The synthetic shapes (falcon-run --bench --synthetic) are the released models as the loader
// reads them. Falcon-40B and 180B have two LayerNorms per parallel block (ln_attn, ln_mlp: their
// config.json files leave num_ln_in_parallel_attn out, which HF reads as 2 for the new decoder
// architecture; until session 20 the synthetic shapes had one); Falcon-7B, Falcon2-11B one;
// RW-1B is sequential with biases and ALiBi. Falcon-7B's size is the published 6,921,720,704
// parameters (tied head).
void test_synthetic_shapes(Checks& ck) {
  const ModelConfig c7 = gpu::synthetic_config("7b"), c40 = gpu::synthetic_config("40b"),
                    c180 = gpu::synthetic_config("180b"), c11 = gpu::synthetic_config("11b"),
                    rw = gpu::synthetic_config("rw-1b");
  ck.expect(c40.has_two_parallel_layernorms() && c180.has_two_parallel_layernorms(),
            "synthetic 40b and 180b: two LayerNorms per block, as the released checkpoints");
  ck.expect(!c7.has_two_parallel_layernorms() && !c11.has_two_parallel_layernorms() && c7.parallel_attn &&
                c11.parallel_attn,
            "synthetic 7b and 11b: one LayerNorm per parallel block");
  ck.expect(c40.num_kv_heads == 8 && c40.head_dim == 64 && c40.ffn_hidden_size == 32768 &&
                c7.num_kv_heads == 1 && c7.head_dim == 64 && c11.rope_theta == 500042.0 &&
                c11.max_position_embeddings == 8192,
            "synthetic shapes: grouped/multi-query heads, head_dim, FFN width and RoPE base as released");
  ck.expect(!rw.parallel_attn && rw.bias && rw.alibi && rw.num_kv_heads == rw.num_heads,
            "synthetic rw-1b: sequential blocks, biases, ALiBi, multi-head attention");
  const int64_t h = c7.hidden_size, qkv = int64_t{c7.num_heads + 2 * c7.num_kv_heads} * c7.head_dim;
  const int64_t per_layer = h * qkv + h * h + 2 * h * c7.ffn_hidden_size + 2 * h;
  const int64_t params = int64_t{c7.vocab_size} * h + c7.num_layers * per_layer + 2 * h;
  ck.expect(params == 6921720704LL,
            "synthetic 7b: " + std::to_string(params) + " parameters (Falcon-7B: 6921720704)");
  try {
    gpu::synthetic_config("70b");
    ck.expect(false, "synthetic 70b: refused");
  } catch (const Error& e) {
    ck.expect(e.kind() == ErrorKind::Usage,
              std::string("synthetic 70b: refused as a usage error: ") + e.what());
  }
}

}  // namespace
}  // namespace falcon::test

int main() {
  using namespace falcon::test;
  Checks ck;
  try {
    test_bench_result(ck);
    test_clock_summary(ck);
    test_error_line(ck);
    test_cli_values(ck);
    test_load_result(ck);
    test_synthetic_shapes(ck);
  } catch (const std::exception& e) {
    ck.expect(false, std::string("exception: ") + e.what());
  }
  return ck.finish("test_gpu_bench_json");
}
