// StreamDecoder on the fixture tokenizers: pieces are valid UTF-8 and add up to the reference
// decode; characters split over byte tokens are held until complete; stop strings spanning
// token boundaries are detected and never shown.
#include <QtTest>

#include "core/chat/stream_decoder.h"
#include "core/tokenizer/tokenizer.h"
#include "core/tokenizer/unicode_util.h"
#include "tests/core/tokenizer_fixtures.h"

using falcon::test::read_json_file;
using falcon::test::tokenizer_fixtures_dir;

class TestStreamDecoder : public QObject {
  Q_OBJECT

 private:
  nlohmann::json cases_;

  // Streams `ids` and checks every piece; returns the concatenation.
  static std::string stream_all(falcon::StreamDecoder& d, const std::vector<int32_t>& ids, bool& all_valid) {
    std::string out;
    for (int32_t id : ids) {
      const std::string piece = d.push(id);
      all_valid = all_valid && falcon::unicode::is_valid_utf8(piece);
      out += piece;
    }
    const std::string tail = d.finish();
    all_valid = all_valid && falcon::unicode::is_valid_utf8(tail);
    return out + tail;
  }

 private slots:
  void initTestCase() {
    if (!falcon::test::tokenizer_fixtures_present()) QSKIP("tests/fixtures/tokenizers/cases.json missing");
    cases_ = read_json_file(tokenizer_fixtures_dir() / "cases.json");
  }

  // Without stop strings the pieces concatenate to decode(all ids) for every corpus string.
  void pieces_concatenate_to_full_decode() {
    for (auto it = cases_["tokenizers"].begin(); it != cases_["tokenizers"].end(); ++it) {
      const auto tok = falcon::load_tokenizer(tokenizer_fixtures_dir() / it.key());
      int failures = 0;
      for (const auto& ids_json : it.value()["ids"]) {
        const auto ids = ids_json.get<std::vector<int32_t>>();
        falcon::StreamDecoder d(*tok, {});
        bool valid = true;
        const std::string streamed = stream_all(d, ids, valid);
        const std::string full = tok->decode(ids, true);
        if ((!valid || streamed != full || d.text() != full) && failures++ < 3) {
          qWarning("%s: streamed %s\n full %s", it.key().c_str(), nlohmann::json(streamed).dump().c_str(),
                   nlohmann::json(full).dump().c_str());
        }
        QVERIFY(!d.stopped());
      }
      QVERIFY2(failures == 0, it.key().c_str());
    }
  }

  // Byte-fallback tokenizers split CJK/emoji into <0x..> tokens: no piece may cut a character.
  void multibyte_characters_split_over_byte_tokens() {
    int byte_runs = 0;
    for (const char* name : {"metaspace_bf", "llama_legacy", "spm_bpe_bf"}) {
      if (!cases_["tokenizers"].contains(name)) continue;
      const auto tok = falcon::load_tokenizer(tokenizer_fixtures_dir() / name);
      for (const char* text : {"你好，世界！", "👨‍👩‍👧‍👦 family", "नमस्ते", "🙂🙂🙂"}) {
        const auto ids = tok->encode(text);
        falcon::StreamDecoder d(*tok, {});
        std::string all;
        int silent_pushes = 0;
        for (int32_t id : ids) {
          const std::string piece = d.push(id);
          QVERIFY(falcon::unicode::is_valid_utf8(piece));
          if (piece.empty()) ++silent_pushes;
          all += piece;
        }
        all += d.finish();
        QCOMPARE(all, tok->decode(ids, true));
        if (silent_pushes > 0) ++byte_runs;  // some character needed more than one token
      }
    }
    QVERIFY2(byte_runs > 0, "no fixture tokenizer split a character over byte tokens");
  }

  // For every string of a tokenizer, a stop string cut from the middle of its decoded text
  // (so that it usually spans token boundaries): the stream shows exactly the text before its
  // first occurrence and reports the stop.
  void stop_strings_spanning_tokens_are_never_shown() {
    int spanning = 0;
    for (auto it = cases_["tokenizers"].begin(); it != cases_["tokenizers"].end(); ++it) {
      const auto tok = falcon::load_tokenizer(tokenizer_fixtures_dir() / it.key());
      for (const auto& ids_json : it.value()["ids"]) {
        const auto ids = ids_json.get<std::vector<int32_t>>();
        const std::string full = tok->decode(ids, true);
        if (full.size() < 12 || !falcon::unicode::is_valid_utf8(full)) continue;
        size_t a = full.size() / 3, b = a + 5;
        while (a > 0 && (static_cast<uint8_t>(full[a]) & 0xC0) == 0x80) --a;
        while (b < full.size() && (static_cast<uint8_t>(full[b]) & 0xC0) == 0x80) ++b;
        const std::string stop = full.substr(a, b - a);
        falcon::StreamDecoder d(*tok, {"<never-matches>", stop});
        bool valid = true;
        std::string shown;
        size_t pushed = 0;
        for (int32_t id : ids) {
          const std::string piece = d.push(id);
          valid = valid && falcon::unicode::is_valid_utf8(piece);
          shown += piece;
          ++pushed;
          QVERIFY(shown.find(stop) == std::string::npos);
          if (d.stopped()) break;
        }
        shown += d.finish();
        QVERIFY(valid);
        QVERIFY2(d.stopped(), (it.key() + ": stop " + nlohmann::json(stop).dump() + " not detected").c_str());
        QCOMPARE(d.matched_stop(), stop);
        QCOMPARE(shown, full.substr(0, full.find(stop)));
        QCOMPARE(d.text(), shown);
        // Did the stop string span a token boundary? (text of the ids up to the stop's last
        // token minus the last one must not already contain the stop)
        if (pushed >= 2) {
          const std::string before = tok->decode(std::span<const int32_t>(ids.data(), pushed - 1), true);
          if (before.find(stop) == std::string::npos && before.size() > full.find(stop)) ++spanning;
        }
        QCOMPARE(d.push(ids.front()), std::string());  // ignored after the stop
      }
    }
    QVERIFY(spanning > 50);
  }

  // A partial stop string is held back, then shown when the stream ends without completing it.
  void partial_stop_is_held_then_released() {
    const auto tok = falcon::load_tokenizer(tokenizer_fixtures_dir() / "falcon");
    const auto ids = tok->encode("Hello there.\nUse");
    falcon::StreamDecoder d(*tok, {"\nUser:"});
    std::string shown;
    for (int32_t id : ids) shown += d.push(id);
    QVERIFY(shown.find('\n') == std::string::npos);  // "\nUse" could become "\nUser:"
    QCOMPARE(shown, std::string("Hello there."));
    QCOMPARE(d.finish(), std::string("\nUse"));
    QVERIFY(!d.stopped());
    QCOMPARE(d.finish(), std::string());  // idempotent
  }

  void special_tokens_are_skipped() {
    const auto tok = falcon::load_tokenizer(tokenizer_fixtures_dir() / "falcon");
    const int32_t eot = *tok->token_to_id("<|endoftext|>");
    auto ids = tok->encode("Hi");
    ids.push_back(eot);
    falcon::StreamDecoder d(*tok, {});
    std::string shown;
    for (int32_t id : ids) shown += d.push(id);
    shown += d.finish();
    QCOMPARE(shown, std::string("Hi"));
    falcon::StreamDecoder keep(*tok, {}, /*skip_special=*/false);
    shown.clear();
    for (int32_t id : ids) shown += keep.push(id);
    shown += keep.finish();
    QCOMPARE(shown, std::string("Hi<|endoftext|>"));
  }
};

QTEST_APPLESS_MAIN(TestStreamDecoder)
#include "test_stream_decoder.moc"
