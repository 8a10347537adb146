// The bundled model (resources/models/falcon-mini) through our own engine: sentencepiece
// tokenizer, the Falcon chat template and the CPU backend, greedy decoding.
//
// The questions are held out of the model's training data: arithmetic operand pairs whose
// hash falls in the held-out bucket and facts (names, secret words) that no training system
// prompt used (tools/train/gen_dialogues.py writes tests/fixtures/bundled/*.jsonl). Expected
// answers are computed (a + b) or are the fact the system prompt states, never model output.
// The recall cases are chats of more than 4,000 tokens of which, as in the app's KV window, the
// model is given the pinned system prompt and the last 512 tokens (whole messages).
#include <QtTest>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "core/chat/chat_template.h"
#include "core/chat/stream_decoder.h"
#include "core/model/chat_examples.h"
#include "core/model/cpu_backend.h"
#include "core/tokenizer/tokenizer.h"

using namespace falcon;

namespace {

const std::filesystem::path kModelDir =
    std::filesystem::path(FALCON_SOURCE_DIR) / "resources/models/falcon-mini";
const std::filesystem::path kFixtureDir = std::filesystem::path(FALCON_FIXTURES_DIR) / "bundled";
constexpr int kWindow = 512;  // the app's default recent-token window (DESIGN.md section 4)
// Recall in CI: the first cases of the fixture, every kind of fact (names and secret words that
// no training chat used included), at most one wrong. The model before the from-scratch
// retrain got 6 of these 8 (it garbled "pinecone" and "evergreen"); the shipped one gets 8.
constexpr int kRecallCases = 8;
constexpr int kRecallMin = 7;
// Kinds every case of which must be right in the full measurement (recall_all_cases).
const std::vector<std::string> kReliableKinds = {"number", "color", "city"};
// The issue's goal over all 40 cases: at least 95 %.
constexpr int kRecallGoal = 38;

std::vector<nlohmann::json> read_jsonl(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<nlohmann::json> out;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  }
  return out;
}

int32_t argmax(const std::vector<float>& logits) {
  return static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

// Greedy reply to `prompt` from an empty cache: stops at eos, at a template stop string, or
// after max_new tokens. Returns the reply text without the stop string.
std::string greedy_reply(Backend& backend, const Tokenizer& tok, const ChatTemplate& tpl,
                         const std::vector<int32_t>& prompt, int max_new) {
  backend.truncate(0);
  std::vector<float> logits;
  backend.forward(prompt, /*all_logits=*/false, logits);
  StreamDecoder decoder(tok, tpl.stop_strings());
  for (int i = 0; i < max_new; ++i) {
    const int32_t next = argmax(logits);
    if (next == tok.specials().eos) break;
    decoder.push(next);
    if (decoder.stopped()) break;
    backend.forward(std::span<const int32_t>(&next, 1), false, logits);
  }
  decoder.finish();
  return decoder.text();
}

// The number the reply gives as the result: the first one after "=", else the last one.
bool arithmetic_reply_correct(const std::string& reply, long long expected) {
  std::smatch m;
  if (std::regex_search(reply, m, std::regex(R"(=\s*(-?\d+))"))) return std::stoll(m[1].str()) == expected;
  long long last = 0;
  bool any = false;
  const std::regex num(R"(-?\d+)");
  for (auto it = std::sregex_iterator(reply.begin(), reply.end(), num); it != std::sregex_iterator(); ++it) {
    last = std::stoll(it->str());
    any = true;
  }
  return any && last == expected;
}

bool mentions_word(const std::string& reply, const std::string& word) {
  std::string r = reply, w = word;
  std::transform(r.begin(), r.end(), r.begin(), [](unsigned char c) { return std::tolower(c); });
  std::transform(w.begin(), w.end(), w.begin(), [](unsigned char c) { return std::tolower(c); });
  for (size_t at = r.find(w); at != std::string::npos; at = r.find(w, at + 1)) {
    const bool left_ok = at == 0 || !std::isalnum(static_cast<unsigned char>(r[at - 1]));
    const size_t end = at + w.size();
    const bool right_ok = end == r.size() || !std::isalnum(static_cast<unsigned char>(r[end]));
    if (left_ok && right_ok) return true;
  }
  return false;
}

// Whether `reply` answers the example prompt `question` right, worked out from the question
// itself (the sum, the sequence, the calendar); nullopt for a question this test cannot check,
// so that an example added to falcon-chat.json without a check here fails.
std::optional<bool> example_answered(const std::string& question, const std::string& reply) {
  static const char* const kDays[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                      "Friday", "Saturday", "Sunday"};
  static const char* const kMonths[] = {"January",   "February", "March",    "April",
                                        "May",       "June",     "July",     "August",
                                        "September", "October",  "November", "December"};
  std::smatch m;
  if (std::regex_match(question, m, std::regex(R"(What is (\d+) ([+-]) (\d+)\?)"))) {
    const long long a = std::stoll(m[1].str()), b = std::stoll(m[3].str());
    return arithmetic_reply_correct(reply, m[2].str() == "+" ? a + b : a - b);
  }
  if (std::regex_match(question, m, std::regex(R"(Count from (\d+) to (\d+)\.)"))) {
    std::string seq;
    for (int i = std::stoi(m[1].str()); i <= std::stoi(m[2].str()); ++i)
      seq += (seq.empty() ? "" : ", ") + std::to_string(i);
    return reply.find(seq) != std::string::npos;
  }
  if (std::regex_match(question, m,
                       std::regex(R"(If today is (\w+), what day will it be in (\d+) days\?)"))) {
    const auto day = std::find(std::begin(kDays), std::end(kDays), m[1].str());
    if (day == std::end(kDays)) return std::nullopt;
    return mentions_word(reply, kDays[(day - std::begin(kDays) + std::stoi(m[2].str())) % 7]);
  }
  if (std::regex_match(question, m, std::regex(R"(How many days are in (\w+)\?)"))) {
    const auto month = std::find(std::begin(kMonths), std::end(kMonths), m[1].str());
    if (month == std::end(kMonths) || month == std::begin(kMonths) + 1)
      return std::nullopt;  // February: it depends
    using namespace std::chrono;
    const unsigned last = unsigned(
        year_month_day_last(year(2023),
                            month_day_last(std::chrono::month(unsigned(month - std::begin(kMonths)) + 1)))
            .day());
    return mentions_word(reply, std::to_string(last));
  }
  if (question == "What can you do?") {  // names at least one thing it was trained to do
    for (const char* skill : {"sums", "add", "count", "spell", "calendar"})
      if (mentions_word(reply, skill)) return true;
    return false;
  }
  return std::nullopt;
}

}  // namespace

class TestBundledModel : public QObject {
  Q_OBJECT

 private slots:
  void initTestCase() {
    if (!std::filesystem::exists(kModelDir / "config.json")) {
      QFAIL(qPrintable(
          QStringLiteral("bundled model missing: %1").arg(QString::fromStdString(kModelDir.string()))));
    }
    tok_ = load_tokenizer(kModelDir);
    CpuBackendOptions o;
    o.threads = 2;
    o.cache_capacity = 1024;
    backend_ = create_cpu_backend(kModelDir, o);
  }

  // The model really is the architecture the issue asks for, loaded like any checkpoint.
  void architecture() {
    const ModelConfig& c = backend_->config();
    QVERIFY(c.alibi);
    QVERIFY(c.parallel_attn);
    QVERIFY(!c.new_decoder_architecture);
    QVERIFY(c.multi_query);
    QCOMPARE(c.num_kv_heads, 1);  // one shared K/V head
    QCOMPARE(tok_->vocab_size(), c.vocab_size);
    QVERIFY(tok_->vocab_size() >= 4096 && tok_->vocab_size() <= 8192);
  }

  // 20 held-out questions ("What is 347 - 128?"), no system prompt as the app starts:
  // at least 18 answered exactly.
  void arithmetic_held_out() {
    const auto questions = read_jsonl(kFixtureDir / "arith_heldout.jsonl");
    QVERIFY(questions.size() >= 20);
    const ChatTemplate tpl = ChatTemplate::falcon_instruct();
    int correct = 0;
    QStringList wrong;
    for (size_t i = 0; i < 20; ++i) {
      const auto& q = questions[i];
      const std::vector<ChatMessage> msgs = {{Role::User, q.at("question").get<std::string>()}};
      const ChatTokens prompt = tpl.tokenize(*tok_, msgs, /*add_generation_prompt=*/true);
      const std::string reply = greedy_reply(*backend_, *tok_, tpl, prompt.tokens, 24);
      if (arithmetic_reply_correct(reply, q.at("answer").get<long long>())) {
        ++correct;
      } else {
        wrong << QString::fromStdString(q.at("question").get<std::string>() + " -> " + reply);
      }
    }
    qInfo("arithmetic: %d/20 correct", correct);
    QVERIFY2(correct >= 18,
             qPrintable(QStringLiteral("%1/20 correct; wrong: %2").arg(correct).arg(wrong.join(" | "))));
  }

  // The example prompts the app suggests for the bundled model (its falcon-chat.json) are
  // answered right, greedily, with the app's default system prompt: what a first-time user clicks.
  void suggested_examples_are_answered() {
    const auto examples = read_chat_examples(kModelDir);
    QVERIFY(!examples.empty());
    const ChatTemplate tpl = ChatTemplate::falcon_instruct();
    for (const std::string& q : examples) {
      const std::vector<ChatMessage> msgs = {{Role::System, "You are a helpful assistant."}, {Role::User, q}};
      const ChatTokens prompt = tpl.tokenize(*tok_, msgs, /*add_generation_prompt=*/true);
      const std::string reply = greedy_reply(*backend_, *tok_, tpl, prompt.tokens, 48);
      const std::optional<bool> ok = example_answered(q, reply);
      QVERIFY2(ok.has_value(), qPrintable(QString::fromStdString("no check for the example \"" + q + "\"")));
      QVERIFY2(*ok, qPrintable(QString::fromStdString(q + " -> " + reply)));
    }
  }

  // Our engine's summed negative log-likelihood of held-out samples (manuals and chats) equals
  // the one HF transformers computed for the same ids (tools/train/train.py, float32 on the
  // same bf16 weights): the perplexity we report through the engine is the model's.
  void held_out_nll_matches_hf() {
    const auto rows = read_jsonl(kFixtureDir / "ppl_heldout.jsonl");
    QVERIFY(rows.size() >= 8);
    std::map<std::string, int> per_kind;
    double ours_total = 0, hf_total = 0;
    long predicted = 0;
    for (const auto& r : rows) {
      if (per_kind[r.at("kind").get<std::string>()]++ >= 2) continue;  // two of each kind
      const auto ids = r.at("tokens").get<std::vector<int32_t>>();
      backend_->truncate(0);
      std::vector<float> logits;
      backend_->forward(std::span<const int32_t>(ids.data(), ids.size() - 1), /*all_logits=*/true, logits);
      const size_t vocab = static_cast<size_t>(backend_->config().vocab_size);
      double nll = 0;
      for (size_t t = 0; t + 1 < ids.size(); ++t) {
        const float* row = logits.data() + t * vocab;
        const float mx = *std::max_element(row, row + vocab);
        double sum = 0;
        for (size_t v = 0; v < vocab; ++v) sum += std::exp(static_cast<double>(row[v] - mx));
        nll += std::log(sum) + mx - row[ids[t + 1]];
      }
      const double hf = r.at("nll_sum").get<double>();
      QVERIFY2(std::abs(nll - hf) <= 1e-3 * std::max(1.0, hf),
               qPrintable(QStringLiteral("%1 sample: engine NLL %2, HF %3")
                              .arg(QString::fromStdString(r.at("kind").get<std::string>()))
                              .arg(nll)
                              .arg(hf)));
      ours_total += nll;
      hf_total += hf;
      predicted += static_cast<long>(ids.size()) - 1;
    }
    qInfo("held-out perplexity over %ld tokens: engine %.4f, HF %.4f", predicted,
          std::exp(ours_total / predicted), std::exp(hf_total / predicted));
  }

  // Facts stated only in the pinned system prompt, asked after more than 4,000 tokens of
  // other conversation of which, as in the app, only the last 512 tokens are kept.
  void recall_after_long_chat() {
    std::vector<nlohmann::json> cases = read_jsonl(kFixtureDir / "recall_heldout.jsonl");
    QVERIFY(cases.size() >= static_cast<size_t>(kRecallCases));
    cases.resize(kRecallCases);
    QStringList wrong;
    const int correct = recall_cases(cases, wrong);
    qInfo("recall: %d/%d correct", correct, kRecallCases);
    QVERIFY2(correct >= kRecallMin, qPrintable(QStringLiteral("%1/%2 correct; wrong: %3")
                                                   .arg(correct)
                                                   .arg(kRecallCases)
                                                   .arg(wrong.join(" | "))));
  }

  // The model card's recall number through our engine, all 40 cases (about 70 s, so opt-in):
  // FALCON_MEASURE_RECALL=1 test_bundled_model recall_all_cases. It asserts the issue's goal
  // (at least 38 of 40) and that every number, colour and city case is right.
  void recall_all_cases() {
    if (qEnvironmentVariableIsEmpty("FALCON_MEASURE_RECALL"))
      QSKIP("set FALCON_MEASURE_RECALL=1 to run all 40");
    std::vector<nlohmann::json> reliable, other;
    for (auto& c : read_jsonl(kFixtureDir / "recall_heldout.jsonl")) {
      const auto kind = c.at("fact").get<std::string>();
      const bool is_reliable =
          std::find(kReliableKinds.begin(), kReliableKinds.end(), kind) != kReliableKinds.end();
      (is_reliable ? reliable : other).push_back(c);
    }
    QStringList wrong;
    const int reliable_correct = recall_cases(reliable, wrong);
    const int other_correct = recall_cases(other, wrong);
    qInfo("recall, all kinds: %d/%zu correct (number/colour/city %d/%zu); wrong: %s",
          reliable_correct + other_correct, reliable.size() + other.size(), reliable_correct, reliable.size(),
          qPrintable(wrong.join(" | ")));
    QCOMPARE(reliable_correct, static_cast<int>(reliable.size()));
    QVERIFY2(reliable_correct + other_correct >= kRecallGoal,
             qPrintable(QStringLiteral("%1 of %2 right, goal %3")
                            .arg(reliable_correct + other_correct)
                            .arg(reliable.size() + other.size())
                            .arg(kRecallGoal)));
  }

 private:
  // Greedy replies to each case's question with what KvWindow keeps: the pinned system
  // prompt, then the newest whole messages that fit in the window with the generation
  // prompt. (The backend's eviction invariant, tested in test_cpu_backend_evict and
  // test_kv_window, makes a fresh prefill of the kept tokens equal to evicting turn by turn;
  // prefilling only them keeps this fast.) Returns how many replies name the fact.
  int recall_cases(const std::vector<nlohmann::json>& cases, QStringList& wrong) {
    const ChatTemplate tpl = ChatTemplate::falcon_instruct();
    int correct = 0;
    for (const auto& c : cases) {
      std::vector<ChatMessage> msgs = {{Role::System, c.at("system").get<std::string>()}};
      for (const auto& t : c.at("turns")) {
        msgs.push_back({Role::User, t.at(0).get<std::string>()});
        msgs.push_back({Role::Assistant, t.at(1).get<std::string>()});
      }
      msgs.push_back({Role::User, c.at("question").get<std::string>()});
      const ChatTokens all = tpl.tokenize(*tok_, msgs, /*add_generation_prompt=*/true);
      if (all.tokens.size() - all.system_tokens <= 4000) {
        wrong << "case shorter than 4,000 tokens";
        continue;
      }
      size_t first = all.segments.size() - 1;  // the generation prompt
      size_t kept = all.segments.back().end - all.segments.back().begin;
      while (first > 1) {
        const ChatSegment& seg = all.segments[first - 1];
        if (kept + (seg.end - seg.begin) > static_cast<size_t>(kWindow)) break;
        kept += seg.end - seg.begin;
        --first;
      }
      std::vector<int32_t> prompt(all.tokens.begin(),
                                  all.tokens.begin() + static_cast<long>(all.system_tokens));
      prompt.insert(prompt.end(), all.tokens.begin() + static_cast<long>(all.segments[first].begin),
                    all.tokens.end());
      const std::string reply = greedy_reply(*backend_, *tok_, tpl, prompt, 24);
      const std::string expected = c.at("expected").get<std::string>();
      if (first > 1 && mentions_word(reply, expected)) {  // first > 1: something was evicted
        ++correct;
      } else {
        wrong << QString::fromStdString(c.at("question").get<std::string>() + " -> " + reply + " (want " +
                                        expected + ")");
      }
    }
    return correct;
  }

  std::unique_ptr<Tokenizer> tok_;
  std::unique_ptr<Backend> backend_;
};

QTEST_APPLESS_MAIN(TestBundledModel)
#include "test_bundled_model.moc"
