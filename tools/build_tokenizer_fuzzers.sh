#!/bin/sh
# libFuzzer (+ASan/UBSan) builds of fuzz_tokenizer and fuzz_chat_template from only the sources
# they need: much faster than a full -DFALCON_FUZZ=ON tree on a busy machine. Run the fuzzers
# from the repository root (they find tests/fixtures/tokenizers through __FILE__):
#   tools/build_tokenizer_fuzzers.sh build-tok-fuzz
#   build-tok-fuzz/fuzz_tokenizer -max_total_time=600 CORPUS_COPY tests/fuzz/corpus/fuzz_tokenizer
set -e
cd "$(dirname "$0")/.."
out=${1:-build-tok-fuzz}
mkdir -p "$out/obj"
SRCS="core/tokenizer/bpe_tokenizer.cpp core/tokenizer/bpe_model.cpp core/tokenizer/normalizers.cpp
core/tokenizer/pre_tokenizers.cpp core/tokenizer/decoders.cpp core/tokenizer/regex.cpp core/tokenizer/json_util.cpp
core/tokenizer/unicode_util.cpp core/tokenizer/sentencepiece_tokenizer.cpp core/tokenizer/load_tokenizer.cpp
core/chat/chat_template.cpp core/chat/stream_decoder.cpp"
FLAGS="-std=c++20 -O1 -g -I. -DPCRE2_CODE_UNIT_WIDTH=8 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"
for s in $SRCS; do clang++ $FLAGS -c "$s" -o "$out/obj/$(basename "$s" .cpp).o"; done
for t in fuzz_tokenizer fuzz_chat_template; do
  clang++ $FLAGS "tests/fuzz/$t.cpp" "$out"/obj/*.o -o "$out/$t" -lpcre2-8 -lutf8proc -lsentencepiece
done
echo "built $out/fuzz_tokenizer $out/fuzz_chat_template"
