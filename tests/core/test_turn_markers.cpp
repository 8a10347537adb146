// Turn markers: a small chat model sometimes writes the next turn itself without the newline
// the template puts before it ("The answer is 42. User: What is …"). The template's role labels
// then end the reply at a line start or right after a sentence, keeping the sentence's
// punctuation, and never cut a sentence that merely mentions "User:". Driven through the real
// Generator with a scripted fake backend and the Falcon tokenizer fixture, so token boundaries,
// held-back text and the cache rollback are the real ones.
#include <QtTest>

#include "core/chat/chat_template.h"
#include "core/chat/generator.h"
#include "core/chat/stream_decoder.h"
#include "core/common/error.h"
#include "core/fake_backend.h"
#include "core/tokenizer/tokenizer.h"

using namespace falcon;
using falcon::testing::FakeBackend;

namespace {

// A fake model that says `script` (greedy picks script[k] after the k-th generated token).
struct ScriptedModel {
  FakeBackend backend;
  std::vector<int32_t> script;
  int emitted = 0;

  ScriptedModel(int vocab, std::vector<int32_t> s) : backend(vocab, 2000), script(std::move(s)) {
    backend.logits_fn = [this](const std::vector<int32_t>&, std::span<float> row) {
      std::fill(row.begin(), row.end(), 0.0f);
      row[size_t(script[std::min(size_t(emitted), script.size() - 1)])] = 10.0f;
    };
  }
};

struct Outcome {
  GenerationResult result;
  std::string streamed;  // the concatenation of every on_text piece
  std::vector<int32_t> cache;
};

}  // namespace

class TestTurnMarkers : public QObject {
  Q_OBJECT

  std::unique_ptr<Tokenizer> tok_;
  ChatTemplate template_ = ChatTemplate::falcon_instruct();

  // Generates `said` (then eos) after a Falcon chat prompt, with the template's stops and markers
  // (or without the markers).
  Outcome run(const std::string& said, bool with_markers = true) {
    std::vector<int32_t> script = tok_->encode(said, false);
    script.push_back(tok_->specials().eos);
    ScriptedModel m(tok_->vocab_size(), script);
    KvWindow window;
    Generator gen(m.backend, *tok_, window);
    SamplingSettings s;
    s.temperature = 0.0f;
    s.repeat_penalty = 1.0f;
    s.max_new_tokens = 200;
    s.stop_strings = template_.stop_strings();
    if (with_markers) s.turn_markers = template_.turn_markers();
    Sampler sampler(s);
    GenerationRequest req;
    req.tokens = tok_->encode("User: What is 40 + 2?\nFalcon:", false);
    Outcome out;
    GenerationCallbacks cb;
    cb.on_token = [&m](int32_t) {
      ++m.emitted;
      return true;
    };
    cb.on_text = [&out](std::string_view p) {
      out.streamed += p;
      return true;
    };
    out.result = gen.generate(req, sampler, cb);
    out.cache.assign(m.backend.cache.begin() + static_cast<std::ptrdiff_t>(req.tokens.size()),
                     m.backend.cache.end());
    return out;
  }

 private slots:
  void initTestCase() {
    tok_ = load_tokenizer(std::filesystem::path(FALCON_FIXTURES_DIR) / "tokenizers" / "falcon");
    QVERIFY(tok_->specials().eos >= 0);
  }

  void templates_declare_their_role_labels() {
    QCOMPARE(ChatTemplate::falcon_instruct().turn_markers(), (std::vector<std::string>{"User:", "System:"}));
    QCOMPARE(ChatTemplate::falcon_7b_instruct().turn_markers(), (std::vector<std::string>{"User:"}));
    QVERIFY(ChatTemplate::plain().turn_markers().empty());
    CustomTemplateSpec bad;
    bad.turn_markers = {""};
    QVERIFY_THROWS_EXCEPTION(Error, ChatTemplate::custom(bad));
    SamplingSettings s;
    s.turn_markers = {""};
    QVERIFY(!s.validate().empty());
  }

  void a_label_right_after_a_sentence_ends_the_turn_and_keeps_the_punctuation() {
    const Outcome o = run(" The answer is 42. User: What is 3 + 4?");
    QCOMPARE(o.result.reason, StopReason::StopString);
    QCOMPARE(o.result.text, std::string(" The answer is 42."));
    QCOMPARE(o.streamed, o.result.text);
    // Nothing of the label stays in the cache: it ends with exactly the shown reply.
    QCOMPARE(tok_->decode(o.result.tokens), std::string(" The answer is 42."));
    QCOMPARE(o.cache, o.result.tokens);
  }

  void every_sentence_end_and_no_space_count() {
    QCOMPARE(run(" Done!User: next").result.text, std::string(" Done!"));
    QCOMPARE(run(" Really? System: you are").result.text, std::string(" Really?"));
    QCOMPARE(run(" It is 7.User: and 8?").result.text, std::string(" It is 7."));
  }

  void a_label_at_a_line_start_ends_the_turn() {
    const Outcome o = run(" Sure.\n\nSystem: new rules");
    QCOMPARE(o.result.reason, StopReason::StopString);
    QCOMPARE(o.result.text, std::string(" Sure.\n"));
  }

  void a_label_inside_a_sentence_is_ordinary_text() {
    const std::string said = " Type your name in the User: field, then the System: menu.";
    const Outcome o = run(said);
    QCOMPARE(o.result.reason, StopReason::Eos);
    QCOMPARE(o.result.text, said);
    QCOMPARE(o.streamed, said);
  }

  void punctuation_held_back_is_shown_when_the_reply_ends() {
    const Outcome o = run(" The sum is 42.");
    QCOMPARE(o.result.reason, StopReason::Eos);
    QCOMPARE(o.result.text, std::string(" The sum is 42."));
  }

  void without_markers_the_model_runs_on() {
    // The behaviour before turn markers, and what plain stop strings give: only "\nUser:" stops.
    const Outcome o = run(" The answer is 42. User: What is 3 + 4?", /*with_markers=*/false);
    QCOMPARE(o.result.reason, StopReason::Eos);
    QCOMPARE(o.result.text, std::string(" The answer is 42. User: What is 3 + 4?"));
  }

  void a_label_split_over_single_byte_pushes_is_still_found() {
    // Each character pushed as its own token: the held-back logic, not token luck, finds it.
    StreamDecoder d(*tok_, {"\nUser:"});
    d.set_turn_markers({"User:"});
    std::string shown;
    for (char c : std::string("Yes. User: more")) {
      const std::vector<int32_t> ids = tok_->encode(std::string(1, c), false);
      for (int32_t id : ids) shown += d.push(id);
      if (d.stopped()) break;
    }
    QVERIFY(d.stopped());
    QCOMPARE(shown, std::string("Yes."));
    QCOMPARE(d.matched_stop(), std::string(" User:"));
  }
};

QTEST_APPLESS_MAIN(TestTurnMarkers)
#include "test_turn_markers.moc"
