// ChatTemplate: rendering equals transformers' apply_chat_template (fixture), per-segment
// tokenization is append-only, the system prompt's tokens are reported, bad custom templates
// are refused with a message.
#include <QtTest>

#include "core/chat/chat_template.h"
#include "core/common/error.h"
#include "core/tokenizer/tokenizer.h"
#include "tests/core/tokenizer_fixtures.h"

using falcon::ChatMessage;
using falcon::ChatTemplate;
using falcon::CustomTemplateSpec;
using falcon::Role;
using falcon::test::read_json_file;
using falcon::test::tokenizer_fixtures_dir;

namespace {

std::vector<ChatMessage> messages_of(const nlohmann::json& j) {
  std::vector<ChatMessage> out;
  for (const auto& m : j)
    out.push_back({*falcon::role_from_string(m["role"].get<std::string>()), m["content"].get<std::string>()});
  return out;
}

CustomTemplateSpec spec_of(const nlohmann::json& j) {
  CustomTemplateSpec s;
  s.name = j["name"];
  s.system = j["system"];
  s.user = j["user"];
  s.assistant = j["assistant"];
  s.separator = j["separator"];
  s.generation_prompt = j["generation_prompt"];
  s.stop_strings = j["stop_strings"].get<std::vector<std::string>>();
  return s;
}

void expect_rejected(const CustomTemplateSpec& s, const std::string& needle) {
  try {
    ChatTemplate::custom(s);
    QFAIL(("accepted a bad template, expected: " + needle).c_str());
  } catch (const falcon::Error& e) {
    QCOMPARE(e.kind(), falcon::ErrorKind::Usage);
    QVERIFY2(std::string(e.what()).find(needle) != std::string::npos, e.what());
  }
}

}  // namespace

class TestChatTemplate : public QObject {
  Q_OBJECT

 private:
  nlohmann::json fx_;

 private slots:
  void initTestCase() {
    const auto p = tokenizer_fixtures_dir() / "chat_template.json";
    if (!std::filesystem::exists(p)) QSKIP("tests/fixtures/tokenizers/chat_template.json missing");
    fx_ = read_json_file(p);
  }

  void falcon_matches_apply_chat_template() {
    const auto t = ChatTemplate::falcon_instruct();
    QVERIFY(fx_["falcon"].size() >= 8);
    for (const auto& c : fx_["falcon"]) {
      const auto msgs = messages_of(c["messages"]);
      QCOMPARE(t.render(msgs, c["add_generation_prompt"].get<bool>()), c["rendered"].get<std::string>());
    }
  }

  void falcon_7b_instruct_matches_apply_chat_template() {
    const auto t = ChatTemplate::falcon_7b_instruct();
    QVERIFY(fx_["falcon_7b_instruct"].size() >= 10);
    for (const auto& c : fx_["falcon_7b_instruct"]) {
      const auto msgs = messages_of(c["messages"]);
      QCOMPARE(t.render(msgs, c["add_generation_prompt"].get<bool>()), c["rendered"].get<std::string>());
    }
  }

  // A checkpoint's tokenizer_config.json chat_template selects the matching built-in.
  void recognises_hf_chat_templates() {
    const auto a = ChatTemplate::from_hf_chat_template(fx_["falcon_7b_instruct_template"].get<std::string>());
    QVERIFY(a.has_value());
    QCOMPARE(a->name(), std::string("falcon-7b-instruct"));
    const auto b = ChatTemplate::from_hf_chat_template(fx_["falcon_template"].get<std::string>());
    QVERIFY(b.has_value());
    QCOMPARE(b->name(), std::string("falcon-instruct"));
    QVERIFY(!ChatTemplate::from_hf_chat_template(fx_["custom"][0]["jinja"].get<std::string>()).has_value());
  }

  void custom_templates_match_apply_chat_template() {
    QVERIFY(!fx_["custom"].empty());
    for (const auto& c : fx_["custom"]) {
      const auto t = ChatTemplate::custom(spec_of(c["spec"]));
      QCOMPARE(t.stop_strings(), c["spec"]["stop_strings"].get<std::vector<std::string>>());
      for (const auto& k : c["cases"]) {
        QCOMPARE(t.render(messages_of(k["messages"]), k["add_generation_prompt"].get<bool>()),
                 k["rendered"].get<std::string>());
      }
    }
  }

  void plain_is_the_contents_only() {
    const auto t = ChatTemplate::plain();
    const std::vector<ChatMessage> m = {{Role::System, "sys"}, {Role::User, "a"}, {Role::Assistant, "b"}};
    QCOMPARE(t.render(m, true), std::string("sysab"));
    QVERIFY(t.stop_strings().empty());
  }

  // Tokens = concatenation of segments; adding a turn keeps every earlier token; the system
  // segment is what is pinned.
  void segments_are_append_only() {
    for (const char* name : {"falcon", "metaspace_bf", "spm_bpe_bf"}) {
      if (!std::filesystem::exists(tokenizer_fixtures_dir() / name)) continue;
      const auto tok = falcon::load_tokenizer(tokenizer_fixtures_dir() / name);
      const auto t = ChatTemplate::falcon_instruct();
      std::vector<ChatMessage> conv = {{Role::System, "You are helpful."}, {Role::User, "Hi there"}};
      const auto a = t.tokenize(*tok, conv, true);
      QCOMPARE(a.segments.size(), size_t{3});
      QVERIFY(a.segments[2].generation_prompt);
      QCOMPARE(a.system_tokens, a.segments[0].end);
      std::vector<int32_t> concat;
      for (size_t i = 0; i < conv.size(); ++i) {
        const auto s = t.tokenize_message(*tok, conv[i], i);
        QCOMPARE(std::vector<int32_t>(a.tokens.begin() + static_cast<long>(a.segments[i].begin),
                                      a.tokens.begin() + static_cast<long>(a.segments[i].end)),
                 s);
        concat.insert(concat.end(), s.begin(), s.end());
      }
      const auto gp = t.tokenize_generation_prompt(*tok, conv.size());
      concat.insert(concat.end(), gp.begin(), gp.end());
      QCOMPARE(a.tokens, concat);
      // The system segment is exactly the system message (plus bos when the tokenizer adds one).
      auto sys = tok->encode("System: You are helpful.");
      if (tok->specials().add_bos) sys.insert(sys.begin(), tok->specials().bos);
      QCOMPARE(std::vector<int32_t>(a.tokens.begin(), a.tokens.begin() + static_cast<long>(a.system_tokens)),
               sys);
      conv.push_back({Role::Assistant, "Hello!"});
      conv.push_back({Role::User, "Bye"});
      const auto b = t.tokenize(*tok, conv, false);
      const size_t kept = a.segments[1].end;  // everything before the generation prompt
      QVERIFY(b.tokens.size() > kept);
      QCOMPARE(std::vector<int32_t>(b.tokens.begin(), b.tokens.begin() + static_cast<long>(kept)),
               std::vector<int32_t>(a.tokens.begin(), a.tokens.begin() + static_cast<long>(kept)));
      QCOMPARE(b.segments.size(), size_t{4});
      QCOMPARE(b.segments.back().role, Role::User);
      QCOMPARE(b.segments.back().end, b.tokens.size());
    }
  }

  void no_system_prompt_pins_nothing_but_bos() {
    const auto tok = falcon::load_tokenizer(tokenizer_fixtures_dir() / "falcon");
    const auto t = ChatTemplate::falcon_instruct();
    const std::vector<ChatMessage> m = {{Role::User, "hello"}};
    QCOMPARE(t.tokenize(*tok, m, true).system_tokens, size_t{0});  // Falcon adds no bos
  }

  void bad_custom_templates_are_rejected() {
    CustomTemplateSpec s;
    s.user = "User: no placeholder";
    expect_rejected(s, "{user}");
    s = {};
    s.user = "{user} and {user}";
    expect_rejected(s, "twice");
    s = {};
    s.assistant = "{assistant} {system}";
    expect_rejected(s, "unknown placeholder {system}");
    s = {};
    s.system = "{system";
    expect_rejected(s, "never closed");
    s = {};
    s.system = "} {system}";
    expect_rejected(s, "lone '}'");
    s = {};
    s.generation_prompt = "{assistant}";
    expect_rejected(s, "unknown placeholder");
    s = {};
    s.stop_strings = {""};
    expect_rejected(s, "stop string is empty");
    s = {};
    s.user = std::string("User: \xFF {user}");
    expect_rejected(s, "UTF-8");
    s = {};
    s.separator = std::string(5000, 'x');
    expect_rejected(s, "longer than");
    s = {};
    s.user = "{{literal}} {user}";
    const auto t = ChatTemplate::custom(s);
    const std::vector<ChatMessage> m = {{Role::User, "x"}};
    QCOMPARE(t.render(m, false), std::string("{literal} x"));
  }
};

QTEST_APPLESS_MAIN(TestChatTemplate)
#include "test_chat_template.moc"
