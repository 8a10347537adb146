// Fuzz target: tokenizer.json loading, then encode/decode/stream on arbitrary bytes.
// Input layout: first byte 'J' -> the rest is a tokenizer.json (must load or throw Error);
// anything else -> the rest is text for the fixture tokenizers (encode with and without
// special parsing, decode of the ids and of raw ids taken from the bytes, streaming decode).
// Invariants checked: no crash, decode output and every streamed piece are valid UTF-8, the
// streamed text equals decode(ids) (when that has no U+FFFD, see below).
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/chat/stream_decoder.h"
#include "core/common/error.h"
#include "core/tokenizer/bpe_tokenizer.h"
#include "core/tokenizer/tokenizer.h"
#include "core/tokenizer/unicode_util.h"

namespace {

// Fuzz-harness state (test code): the fixture tokenizers, loaded once.
const std::vector<std::unique_ptr<falcon::Tokenizer>>& fixtures() {
  static const auto toks = [] {
    std::vector<std::unique_ptr<falcon::Tokenizer>> v;
    const auto dir = std::filesystem::path(__FILE__).parent_path().parent_path() / "fixtures" / "tokenizers";
    for (const char* name : {"falcon", "metaspace_bf", "nfkc_split", "wordy", "spm_bpe_bf"}) {
      try {
        v.push_back(falcon::load_tokenizer(dir / name));
      } catch (const falcon::Error&) {
      }
    }
    return v;
  }();
  return toks;
}

void check(bool ok) {
  if (!ok) std::abort();
}

void exercise(const falcon::Tokenizer& tok, std::string_view text, const uint8_t* raw, size_t raw_size) {
  const auto ids = tok.encode(text, true);
  tok.encode(text, false);
  const std::string dec = tok.decode(ids, false);
  check(falcon::unicode::is_valid_utf8(dec));
  // Streaming gives decode(ids) piece by piece.
  falcon::StreamDecoder d(tok, {});
  std::string streamed;
  for (int32_t id : ids) {
    const std::string p = d.push(id);
    check(falcon::unicode::is_valid_utf8(p));
    streamed += p;
  }
  streamed += d.finish();
  // Exact whenever the text has no U+FFFD. With replacement characters (invalid byte runs) the
  // decoder may have had to close a window inside a byte run (after 64 ids without a complete
  // character), where the count of U+FFFD can differ; pieces stay valid UTF-8 (checked above).
  const std::string full = tok.decode(ids, true);
  if (full.find("\xEF\xBF\xBD") == std::string::npos) check(streamed == full);
  // Arbitrary ids (including out-of-range ones) decode without crashing.
  std::vector<int32_t> raw_ids;
  for (size_t i = 0; i + 1 < raw_size && raw_ids.size() < 64; i += 2) {
    raw_ids.push_back(static_cast<int32_t>((raw[i] << 8 | raw[i + 1]) % (tok.vocab_size() + 8)) - 4);
  }
  check(falcon::unicode::is_valid_utf8(tok.decode(raw_ids, false)));
  falcon::StreamDecoder s(tok, {"\n", "ab"});
  for (int32_t id : raw_ids) check(falcon::unicode::is_valid_utf8(s.push(id)));
  check(falcon::unicode::is_valid_utf8(s.finish()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] == 'J') {
    std::unique_ptr<falcon::BpeTokenizer> tok;
    try {
      tok = falcon::BpeTokenizer::from_json(rest);
    } catch (const falcon::Error& e) {
      check(e.kind() == falcon::ErrorKind::Load);
      return 0;
    }
    try {
      exercise(*tok, "Hello, world! 123456 ünïcödé 你好 😀 <|endoftext|>  \n\t x", data, size);
    } catch (const falcon::Error& e) {
      // Only a pathological user regex may stop encoding, with a message.
      check(e.kind() == falcon::ErrorKind::Other);
    }
    return 0;
  }
  for (const auto& tok : fixtures()) exercise(*tok, rest, data + 1, size - 1);
  return 0;
}
