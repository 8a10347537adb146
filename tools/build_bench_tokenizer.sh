#!/bin/sh
# Builds a self-contained bench_tokenizer (pcre2 and utf8proc linked statically) that runs on
# the GPU machine, which lacks their headers. Only the BPE sources are needed.
#   tools/build_bench_tokenizer.sh OUT_BINARY
set -e
cd "$(dirname "$0")/.."
out=${1:-build-tok-bench/bench_tokenizer}
mkdir -p "$(dirname "$out")"
g++ -std=c++20 -O2 -DNDEBUG -I. -DPCRE2_CODE_UNIT_WIDTH=8 -DPCRE2_STATIC -DUTF8PROC_STATIC \
  core/tokenizer/bpe_tokenizer.cpp core/tokenizer/bpe_model.cpp core/tokenizer/normalizers.cpp \
  core/tokenizer/pre_tokenizers.cpp core/tokenizer/decoders.cpp core/tokenizer/regex.cpp \
  core/tokenizer/json_util.cpp core/tokenizer/unicode_util.cpp tests/bench/bench_tokenizer.cpp \
  -o "$out" -Wl,-Bstatic -lpcre2-8 -lutf8proc -Wl,-Bdynamic -static-libstdc++ -static-libgcc
echo "built $out"
