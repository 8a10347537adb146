// BpeTokenizer / SentencePieceTokenizer against the reference libraries: for every fixture
// tokenizer and every corpus string, identical ids and identical decoded text.
#include <QtTest>
#include <fstream>

#include "core/common/error.h"
#include "core/tokenizer/bpe_tokenizer.h"
#include "core/tokenizer/regex.h"
#include "core/tokenizer/tokenizer.h"
#include "tests/core/tokenizer_fixtures.h"

using falcon::test::read_json_file;
using falcon::test::tokenizer_fixtures_dir;

namespace {

std::string show(const std::vector<int32_t>& v) {
  std::string s;
  for (size_t i = 0; i < v.size() && i < 40; ++i) s += (i ? " " : "") + std::to_string(v[i]);
  return s + (v.size() > 40 ? " ..." : "");
}

std::vector<int32_t> ids_of(const nlohmann::json& j) {
  return j.get<std::vector<int32_t>>();
}

// Expects Error(Load) whose message names `needle`.
void expect_load_error(const std::string& json_text, const std::string& needle) {
  try {
    falcon::BpeTokenizer::from_json(json_text);
    QFAIL(("accepted a tokenizer.json that should be refused (" + needle + ")").c_str());
  } catch (const falcon::Error& e) {
    QCOMPARE(e.kind(), falcon::ErrorKind::Load);
    const std::string msg = e.what();
    QVERIFY2(msg.find(needle) != std::string::npos,
             ("message does not name '" + needle + "': " + msg).c_str());
  }
}

}  // namespace

class TestTokenizer : public QObject {
  Q_OBJECT

 private:
  nlohmann::json cases_;

 private slots:
  void initTestCase() {
    if (!falcon::test::tokenizer_fixtures_present()) QSKIP("tests/fixtures/tokenizers/cases.json missing");
    cases_ = read_json_file(tokenizer_fixtures_dir() / "cases.json");
    QVERIFY(cases_["strings"].size() >= 300);
    QVERIFY(cases_["tokenizers"].size() >= 4);
  }

  void encode_decode_match_reference_data() {
    QTest::addColumn<QString>("name");
    for (auto it = cases_["tokenizers"].begin(); it != cases_["tokenizers"].end(); ++it) {
      QTest::newRow(it.key().c_str()) << QString::fromStdString(it.key());
    }
  }

  void encode_decode_match_reference() {
    QFETCH(QString, name);
    const std::string n = name.toStdString();
    const auto& rec = cases_["tokenizers"][n];
    const auto tok = falcon::load_tokenizer(tokenizer_fixtures_dir() / n);
    const bool bpe = rec["kind"] == "bpe";
    QCOMPARE(tok->describe(), std::string(bpe ? "bpe (tokenizer.json)" : "sentencepiece (tokenizer.model)"));
    QCOMPARE(tok->vocab_size(), rec["vocab_size"].get<int32_t>());
    const auto& strings = cases_["strings"];
    int failures = 0;
    for (size_t i = 0; i < strings.size(); ++i) {
      const std::string s = strings[i].get<std::string>();
      const auto want = ids_of(rec["ids"][i]);
      const auto got = tok->encode(s, true);
      if (got != want && failures++ < 5) {
        qWarning("%s: string %zu %s\n  want %s\n  got  %s", n.c_str(), i, nlohmann::json(s).dump().c_str(),
                 show(want).c_str(), show(got).c_str());
      }
      // null: HF's decoder panicked on this input (its Strip decoder underflows); we only
      // require that ours returns.
      const std::string dec = tok->decode(want, false);
      if (!rec["decoded"][i].is_null() && dec != rec["decoded"][i].get<std::string>() && failures++ < 5) {
        qWarning("%s: decode of string %zu: want %s got %s", n.c_str(), i, rec["decoded"][i].dump().c_str(),
                 nlohmann::json(dec).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
      }
      if (bpe) {
        const auto got_ns = tok->encode(s, false);
        if (got_ns != ids_of(rec["ids_nospecial"][i]) && failures++ < 5) {
          qWarning("%s: parse_special=false, string %zu %s\n  want %s\n  got  %s", n.c_str(), i,
                   nlohmann::json(s).dump().c_str(), show(ids_of(rec["ids_nospecial"][i])).c_str(),
                   show(got_ns).c_str());
        }
        const std::string dec_skip = tok->decode(want, true);
        if (!rec["decoded_skip"][i].is_null() && dec_skip != rec["decoded_skip"][i].get<std::string>() &&
            failures++ < 5) {
          qWarning("%s: decode(skip_special) of string %zu differs", n.c_str(), i);
        }
      }
    }
    for (const auto& r : rec["random_decode"]) {
      const auto ids = ids_of(r["ids"]);
      const std::string dec = tok->decode(ids, false);
      if (!r["decoded"].is_null() && dec != r["decoded"].get<std::string>() && failures++ < 10) {
        qWarning("%s: decode of ids %s: want %s got %s", n.c_str(), show(ids).c_str(),
                 r["decoded"].dump().c_str(),
                 nlohmann::json(dec).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
      }
      if (r.contains("decoded_skip") && !r["decoded_skip"].is_null() &&
          tok->decode(ids, true) != r["decoded_skip"].get<std::string>() && failures++ < 10) {
        qWarning("%s: decode(skip_special) of ids %s differs", n.c_str(), show(ids).c_str());
      }
    }
    QCOMPARE(failures, 0);
  }

  // Special ids as transformers reads the folder; generation_config.json (when present) wins.
  void special_ids_match_transformers() {
    for (auto it = cases_["tokenizers"].begin(); it != cases_["tokenizers"].end(); ++it) {
      const auto& rec = it.value();
      const auto tok = falcon::load_tokenizer(tokenizer_fixtures_dir() / it.key());
      const auto& sp = tok->specials();
      if (rec["kind"] == "spm") {
        QCOMPARE(sp.bos, rec["bos"].get<int32_t>());
        QCOMPARE(sp.eos, rec["eos"].get<int32_t>());
        continue;
      }
      const auto& hf = rec["specials_hf"];
      if (!hf.contains("tokenizer")) continue;
      auto want = [&](const char* key) {
        const std::string gkey = std::string(key) + "_token_id";
        if (hf.contains("generation_config") && hf["generation_config"].contains(gkey)) {
          const auto& g = hf["generation_config"][gkey];
          return g.is_array() ? g[0].get<int32_t>() : g.get<int32_t>();
        }
        const auto& v = hf["tokenizer"][key];
        return v.is_null() ? -1 : v.get<int32_t>();
      };
      QVERIFY2(sp.bos == want("bos"), it.key().c_str());
      QVERIFY2(sp.eos == want("eos"), it.key().c_str());
      QVERIFY2(sp.pad == want("pad"), it.key().c_str());
    }
  }

  void unsupported_components_are_refused_by_name() {
    const auto base = read_json_file(tokenizer_fixtures_dir() / "falcon" / "tokenizer.json");
    auto with = [&](const char* key, nlohmann::json v) {
      auto j = base;
      j[key] = std::move(v);
      return j.dump();
    };
    expect_load_error(with("normalizer", {{"type", "BertNormalizer"}}), "BertNormalizer");
    expect_load_error(
        with("normalizer", {{"type", "Sequence"}, {"normalizers", {{{"type", "Precompiled"}}}}}),
        "Precompiled");
    expect_load_error(with("pre_tokenizer", {{"type", "UnicodeScripts"}}), "UnicodeScripts");
    expect_load_error(with("decoder", {{"type", "CTC"}}), "CTC");
    expect_load_error(with("decoder", {{"type", "WordPiece"}}), "WordPiece");
    auto m = base;
    m["model"]["type"] = "Unigram";
    expect_load_error(m.dump(), "Unigram");
    m = base;
    m["model"]["dropout"] = 0.1;
    expect_load_error(m.dump(), "dropout");
    m = base;
    m["model"]["merges"][0] = "Ġ";
    expect_load_error(m.dump(), "merges[0]");
    expect_load_error(
        with("pre_tokenizer",
             {{"type", "Split"}, {"pattern", {{"Regex", "(unclosed"}}}, {"behavior", "Isolated"}}),
        "(unclosed");
    expect_load_error(
        with("pre_tokenizer", {{"type", "Split"}, {"pattern", {{"Regex", "a"}}}, {"behavior", "Sideways"}}),
        "Sideways");
    expect_load_error("{not json", "not valid JSON");
    expect_load_error("[]", "top level");
  }

  void missing_folder_and_files_are_load_errors() {
    try {
      falcon::load_tokenizer(std::filesystem::path(FALCON_BINARY_DIR) / "no-such-folder");
      QFAIL("no error");
    } catch (const falcon::Error& e) {
      QCOMPARE(e.kind(), falcon::ErrorKind::Load);
    }
    const auto empty = std::filesystem::path(FALCON_BINARY_DIR) / "tok-empty-dir";
    std::filesystem::create_directories(empty);
    try {
      falcon::load_tokenizer(empty);
      QFAIL("no error");
    } catch (const falcon::Error& e) {
      QVERIFY(std::string(e.what()).find("tokenizer.json") != std::string::npos);
    }
    const auto bad = std::filesystem::path(FALCON_BINARY_DIR) / "tok-bad-model";
    std::filesystem::create_directories(bad);
    std::ofstream(bad / "tokenizer.model") << "definitely not a protobuf";
    try {
      falcon::load_tokenizer(bad);
      QFAIL("no error");
    } catch (const falcon::Error& e) {
      QCOMPARE(e.kind(), falcon::ErrorKind::Load);
    }
  }

  // Oniguruma classes: \s includes U+0085 (PCRE2's does not), \w includes marks.
  void regex_uses_oniguruma_classes() {
    falcon::RegexScratch scratch;
    std::vector<falcon::Span> spans;
    falcon::Regex space(R"(\s+)", false);
    space.find_all(
        "a\xC2\x85"
        "b",
        scratch, spans);  // "a<NEL>b"
    QCOMPARE(spans.size(), size_t{1});
    falcon::Regex word(R"(\w+)", false);
    word.find_all("e\xCC\x81x", scratch, spans);  // e + combining acute + x: one word
    QCOMPARE(spans.size(), size_t{1});
    QCOMPARE(spans[0].end, size_t{4});
    falcon::Regex gpt2(R"(\s+(?!\S)|\s+)", false);
    gpt2.find_all("a   b", scratch, spans);  // "  " then " b"-side space handled by the lookahead
    QCOMPARE(spans.size(), size_t{2});
    QCOMPARE(spans[0].end - spans[0].begin, size_t{2});
  }

  // Invalid UTF-8 input is encoded as its from_utf8_lossy text, never crashes.
  void invalid_utf8_input_is_made_valid() {
    const auto tok = falcon::load_tokenizer(tokenizer_fixtures_dir() / "falcon");
    const std::string bad = "ok\xFF\xC3(end";
    const auto ids = tok->encode(bad);
    QCOMPARE(ids, tok->encode("ok\xEF\xBF\xBD\xEF\xBF\xBD(end"));
  }
};

QTEST_APPLESS_MAIN(TestTokenizer)
#include "test_tokenizer.moc"
