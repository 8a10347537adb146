// falcon-chat.json: the example prompts a model folder may suggest for an empty chat
// (core/model/chat_examples). Each case states the rule it checks; the bundled model's own file is
// read too, so a broken edit of it fails here before the app shows nothing.
#include <QtTest>
#include <filesystem>
#include <fstream>

#include "core/common/error.h"
#include "core/model/chat_examples.h"

using namespace falcon;
namespace fs = std::filesystem;

namespace {

// The Error(Load) message of parsing `text`, or "" when it parsed.
QString error_of(const std::string& text) {
  try {
    parse_chat_examples(text);
  } catch (const Error& e) {
    return e.kind() == ErrorKind::Load ? QString::fromStdString(e.what()) : QStringLiteral("wrong kind");
  }
  return {};
}

std::string list_of(size_t n, const std::string& item) {
  std::string s = "{\"examples\": [";
  for (size_t i = 0; i < n; ++i) s += (i ? ",\"" : "\"") + item + "\"";
  return s + "]}";
}

}  // namespace

class TestChatExamples : public QObject {
  Q_OBJECT

 private slots:
  void examples_in_order_trimmed() {
    const auto v = parse_chat_examples(R"({"examples": ["  What is 35 + 48?\n", "Count\tfrom 5 to 12."]})");
    QCOMPARE(v.size(), size_t{2});
    QCOMPARE(v[0], std::string("What is 35 + 48?"));
    QCOMPARE(v[1], std::string("Count\tfrom 5 to 12."));
  }

  void unicode_kept_as_utf8() {
    const auto v = parse_chat_examples(R"({"examples": ["Was ist 3 \u00fc 4? \ud83d\ude00"]})");
    QCOMPARE(QString::fromStdString(v.at(0)), QStringLiteral("Was ist 3 ü 4? 😀"));
  }

  void no_examples_is_fine() {
    QVERIFY(parse_chat_examples("{}").empty());
    QVERIFY(parse_chat_examples(R"({"examples": null, "future_key": 1})").empty());
    QVERIFY(parse_chat_examples(R"({"examples": []})").empty());
  }

  void malformed_files_are_refused_with_the_reason() {
    QVERIFY(error_of("").contains("not valid JSON"));
    QVERIFY(error_of("{\"examples\": [\"a\"").contains("not valid JSON"));
    QVERIFY(error_of("[\"a\"]").contains("must be a JSON object"));
    QVERIFY(error_of(R"({"examples": "a"})").contains("must be a list of strings"));
    QVERIFY(error_of(R"({"examples": ["a", 3]})").contains("example 2 is not a string"));
    QVERIFY(error_of(R"({"examples": ["a", "  \n "]})").contains("example 2 is empty"));
    QVERIFY(error_of(R"({"examples": ["a\u0007b"]})").contains("example 1 has a control character"));
    QVERIFY(error_of("{\"examples\": [\"\xff\"]}").contains("not valid JSON"));  // not UTF-8
    QVERIFY(error_of(std::string(200, '[')).contains("nested too deeply"));
    // Every message names the file, so the app can say which file to fix.
    QVERIFY(error_of("[]").startsWith(kChatExamplesFile));
  }

  void limits_are_inclusive() {
    QCOMPARE(parse_chat_examples(list_of(kMaxChatExamples, "q")).size(), kMaxChatExamples);
    QVERIFY(error_of(list_of(kMaxChatExamples + 1, "q")).contains("at most 8 examples"));
    QCOMPARE(parse_chat_examples(list_of(1, std::string(kMaxChatExampleBytes, 'x'))).at(0).size(),
             kMaxChatExampleBytes);
    QVERIFY(
        error_of(list_of(1, std::string(kMaxChatExampleBytes + 1, 'x'))).contains("longer than 500 bytes"));
    const std::string big = "{\"pad\": \"" + std::string(kMaxChatExamplesFileBytes, ' ') + "\"}";
    QVERIFY(error_of(big).contains("larger than 64 KiB"));
  }

  void read_from_a_folder() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    QVERIFY(read_chat_examples(dir).empty());  // no file: no examples, no error
    std::ofstream(dir / kChatExamplesFile) << R"({"examples": ["Hello!"]})";
    QCOMPARE(read_chat_examples(dir), std::vector<std::string>{"Hello!"});
    fs::remove(dir / kChatExamplesFile);
    fs::create_directory(dir / kChatExamplesFile);  // a folder by that name: a clear error
    try {
      read_chat_examples(dir);
      QFAIL("a folder named falcon-chat.json was read");
    } catch (const Error& e) {
      QCOMPARE(e.kind(), ErrorKind::Load);
      QVERIFY(QString::fromStdString(e.what()).contains("not a regular file"));
    }
  }

  void the_bundled_model_has_examples() {
    const fs::path dir = fs::path(FALCON_SOURCE_DIR) / "resources/models/falcon-mini";
    const auto v = read_chat_examples(dir);
    QVERIFY(v.size() >= 3);
  }
};

QTEST_APPLESS_MAIN(TestChatExamples)
#include "test_chat_examples.moc"
