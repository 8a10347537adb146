// The benchmark's result lines (BenchResult / LoadBenchResult::to_json), which tools/gpu_run.sh
// collects and tools/bench_report.py reads: valid JSON that nlohmann parses back to the values
// given (rounded to the digits the lines always carried), whatever the device string holds.
// Host code only: like test_gpu_plans it runs (and passes or fails) without a GPU, in CI too.
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "gpu/bench.h"
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
  ck.expect(!j.empty() && j.begin().key() == "shape" && j.contains("evict_shift_ms") && j.size() == 20,
            "bench result: 20 fields, the shape first");

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

}  // namespace
}  // namespace falcon::test

int main() {
  using namespace falcon::test;
  Checks ck;
  try {
    test_bench_result(ck);
    test_load_result(ck);
  } catch (const std::exception& e) {
    ck.expect(false, std::string("exception: ") + e.what());
  }
  return ck.finish("test_gpu_bench_json");
}
