// The real engine (make_falcon_chat_engine) on the bundled model: what it says a message will
// take of a prompt before it is sent (the composer's count) is what the reply then reports,
// in a window it fits and in one it does not.
#include <QtTest>
#include <atomic>
#include <filesystem>
#include <string>

#include "app/falcon_chat_engine.h"
#include "core/store/conversation_store.h"

using namespace falcon;
namespace fs = std::filesystem;

namespace {

const fs::path kModel = fs::path(FALCON_SOURCE_DIR) / "resources" / "models" / "falcon-mini";

}  // namespace

class FalconChatEngineTest : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;

 private slots:
  void measured_message_is_what_the_reply_sees() {
    std::unique_ptr<ChatEngine> engine = make_falcon_chat_engine();
    QCOMPARE(engine->measure_message("hello").tokens, int64_t{-1});  // no model yet
    engine->load(ModelLoadRequest{kModel.string(), BackendChoice::Cpu, WeightFormat::Bf16}, {});
    ConversationStore store(dir_.filePath(QStringLiteral("c.db")).toStdString());
    SamplingSettings s;
    s.greedy = true;
    s.max_new_tokens = 4;
    const std::atomic<bool> cancel{false};
    std::string long_text;
    for (int i = 0; i < 120; ++i) long_text += "pear " + std::to_string(i) + " ";
    long_text += "What is 2 + 3?";
    for (const std::string& text :
         {std::string("What is 17 + 25?"), std::string("héllo wörld, 你好 🙂"), long_text}) {
      const MessageTokens m = engine->measure_message(text);
      QVERIFY(m.tokens > 0 && m.reply_prompt > 0);
      for (int64_t window : {int64_t{64}, int64_t{512}}) {
        NewConversation c;
        c.title = "t";
        c.system_prompt = "You are a helpful assistant.";
        c.window_size = window;
        const int64_t id = store.create_conversation(c);
        ReplyRequest r;
        r.kind = ReplyKind::Send;
        r.conversation_id = id;
        r.text = text;
        r.settings = s;
        const ReplyResult result = engine->reply(store, r, cancel, {});
        QCOMPARE(result.answered.tokens, m.tokens);
        // Past the window, the message keeps what the window has left after the reply's prompt.
        QCOMPARE(result.answered.cut, std::max<int64_t>(0, m.tokens + m.reply_prompt - window));
      }
    }
    QVERIFY(engine->measure_message(long_text).tokens > 64);  // the long one did not fit 64
  }
};

QTEST_GUILESS_MAIN(FalconChatEngineTest)
#include "test_falcon_chat_engine.moc"
