// Encode throughput of BpeTokenizer, one thread, on a text file:
//   bench_tokenizer TOKENIZER.json TEXT_FILE [REPEATS] [IDS_OUT]
// Prints one JSON line {bytes, tokens, first_s, best_s, mb_per_s_first, mb_per_s_best}.
// The first pass starts with an empty word cache (what a fresh process pays); later passes
// reuse it. IDS_OUT (optional) receives the ids of the first pass as int32 little-endian, so
// a reference run can check them. MB = 10^6 bytes.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "core/common/error.h"
#include "core/tokenizer/bpe_tokenizer.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: bench_tokenizer TOKENIZER.json TEXT_FILE [REPEATS] [IDS_OUT]\n";
    return 2;
  }
  try {
    auto tok = falcon::BpeTokenizer::from_file(argv[1]);
    std::ifstream in(argv[2], std::ios::binary);
    if (!in) {
      std::cerr << "cannot read " << argv[2] << "\n";
      return 2;
    }
    std::stringstream buf;
    buf << in.rdbuf();
    const std::string text = buf.str();
    const int repeats = argc > 3 ? std::max(1, std::atoi(argv[3])) : 3;
    double first = 0, best = 1e30;
    size_t n_tokens = 0;
    for (int r = 0; r < repeats; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      const auto ids = tok->encode(text, true);
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (r == 0) {
        first = s;
        n_tokens = ids.size();
        if (argc > 4) {
          std::ofstream out(argv[4], std::ios::binary);
          out.write(reinterpret_cast<const char*>(ids.data()), static_cast<std::streamsize>(ids.size() * 4));
        }
      }
      best = std::min(best, s);
    }
    const double mb = static_cast<double>(text.size()) / 1e6;
    std::printf(
        "{\"bytes\": %zu, \"tokens\": %zu, \"first_s\": %.4f, \"best_s\": %.4f, \"mb_per_s_first\": %.2f, "
        "\"mb_per_s_best\": %.2f}\n",
        text.size(), n_tokens, first, best, mb / first, mb / best);
    return 0;
  } catch (const falcon::Error& e) {
    std::cerr << "bench_tokenizer: " << e.what() << "\n";
    return static_cast<int>(e.kind());
  }
}
