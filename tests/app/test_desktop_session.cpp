// Desktop conventions of falcon-chat's process: one instance per user (a second launch raises
// the first window), quitting on SIGTERM/SIGINT/SIGHUP through the normal path, and a clean
// quit: destroying the ChatController (what the QML engine does when the window closes) while
// a reply streams stops the generation at once, saves the reply so far and destroys the engine
// (its model; GPU memory with the CUDA backend) on the worker thread before it returns.
#include <QElapsedTimer>
#include <QFile>
#include <QLocalSocket>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>
#include <atomic>
#include <csignal>
#include <memory>

#include "app/chat_controller.h"
#include "app/fake_engine.h"
#include "app/quit_signals.h"
#include "app/single_instance.h"
#include "core/store/conversation_store.h"

using namespace falcon;

namespace {

// Records when and on which thread the engine (and with it the model) is destroyed.
struct EngineLifetime {
  std::atomic<bool> destroyed{false};
  std::atomic<QThread*> thread{nullptr};
};

class TrackedEngine : public FakeEngine {
 public:
  TrackedEngine(FakeEngineOptions o, std::shared_ptr<EngineLifetime> life)
      : FakeEngine(std::move(o)), life_(std::move(life)) {}
  ~TrackedEngine() override {
    life_->thread.store(QThread::currentThread());
    life_->destroyed.store(true);
  }

 private:
  std::shared_ptr<EngineLifetime> life_;
};

}  // namespace

class DesktopSessionTest : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;

 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(dir_.isValid());
  }

  void a_second_launch_raises_the_first() {
    const QString path = dir_.filePath(QStringLiteral("one.socket"));
    SingleInstance first(path);
    QVERIFY(first.claim());
    QVERIFY(first.isListening());
    QSignalSpy raised(&first, &SingleInstance::raiseRequested);

    SingleInstance second(path);
    QVERIFY(!second.claim());  // told the first one; this process would exit
    QVERIFY(!second.isListening());
    QVERIFY(raised.wait(3000));
    QCOMPARE(raised.count(), 1);

    // A client that sends anything else raises nothing.
    QLocalSocket stranger;
    stranger.connectToServer(path);
    QVERIFY(stranger.waitForConnected(1000));
    stranger.write("hello\n");
    QVERIFY(stranger.waitForBytesWritten(1000));
    QTest::qWait(200);
    QCOMPARE(raised.count(), 1);
  }

  void the_socket_is_released_on_exit_and_a_stale_one_is_replaced() {
    const QString path = dir_.filePath(QStringLiteral("two.socket"));
    {
      SingleInstance first(path);
      QVERIFY(first.claim());
    }
    SingleInstance next(path);  // the first has quit: this one becomes the primary
    QVERIFY(next.claim());
    QVERIFY(next.isListening());

    // A crashed instance leaves its socket file behind; nobody answers on it.
    const QString stale = dir_.filePath(QStringLiteral("stale.socket"));
    QFile file(stale);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    SingleInstance after_crash(stale);
    QVERIFY(after_crash.claim());
    QVERIFY(after_crash.isListening());
  }

  void the_default_socket_is_per_data_folder() {
    const QString a = SingleInstance::defaultSocketPath();
    QVERIFY(a.endsWith(QStringLiteral(".socket")));
    QCOMPARE(SingleInstance::defaultSocketPath(), a);  // stable
    QVERIFY(a.contains(QStringLiteral("falcon-chat-")));
  }

  void sigterm_becomes_a_quit_request() {
    QuitSignals signals_;
    QVERIFY(signals_.installed());
    QuitSignals second;  // only one may own the handlers
    QVERIFY(!second.installed());
    QSignalSpy quit(&signals_, &QuitSignals::quitRequested);
    QVERIFY(std::raise(SIGTERM) == 0);  // without the handler this would end the test process
    QVERIFY(quit.wait(2000));
    QCOMPARE(quit.at(0).at(0).toInt(), int(SIGTERM));
    QVERIFY(std::raise(SIGHUP) == 0);
    QVERIFY(quit.wait(2000));
    QCOMPARE(quit.at(1).at(0).toInt(), int(SIGHUP));
  }

  void quitting_while_streaming_stops_saves_and_frees_the_model() {
    auto life = std::make_shared<EngineLifetime>();
    FakeEngineOptions fo;
    fo.tokens_per_reply = 1000000;  // would stream for minutes
    fo.token_delay_us = 100;
    ChatController::Options o;
    o.db_path = dir_.filePath(QStringLiteral("quit.db"));
    o.engine = [fo, life] { return std::unique_ptr<ChatEngine>(new TrackedEngine(fo, life)); };
    auto c = std::make_unique<ChatController>(o);

    c->loadModel(QUrl::fromLocalFile(QStringLiteral("/fake/model")), QStringLiteral("cpu"),
                 QStringLiteral("bf16"));
    QTRY_COMPARE_WITH_TIMEOUT(c->modelState(), QStringLiteral("ready"), 5000);
    c->sampling()->setMaxNewTokens(32768);
    QVERIFY(c->send(QStringLiteral("tell me a long story")));
    QTRY_VERIFY_WITH_TIMEOUT(c->messages()->index(1).data(MessageModel::TextRole).toString().size() > 40,
                             5000);
    QVERIFY(c->busy());
    const QString shown = c->messages()->index(1).data(MessageModel::TextRole).toString();
    QVERIFY(!life->destroyed.load());

    QElapsedTimer timer;
    timer.start();
    c.reset();  // the window closed
    QVERIFY2(timer.elapsed() < 3000, qPrintable(QStringLiteral("quit took %1 ms").arg(timer.elapsed())));
    QVERIFY(life->destroyed.load());                           // the model is gone ...
    QVERIFY(life->thread.load() != QThread::currentThread());  // ... freed on the worker thread

    // The reply so far is saved: finished as cancelled (so "Continue" can extend it), and it
    // holds at least what the window showed.
    ConversationStore store(o.db_path.toStdString());
    const auto conversations = store.list_conversations();
    QCOMPARE(conversations.size(), size_t(1));
    const auto path = store.active_path(conversations.front().id);
    QCOMPARE(path.size(), size_t(2));
    QVERIFY(path[1].role == Role::Assistant);
    QVERIFY(path[1].state == MessageState::Complete);
    QVERIFY(path[1].stats.stop_reason == StopReason::Cancelled);
    const QString saved = QString::fromStdString(path[1].text);
    QVERIFY2(saved.startsWith(shown), qPrintable(saved.left(80) + QStringLiteral(" | ") + shown.left(80)));
  }
};

QTEST_MAIN(DesktopSessionTest)
#include "test_desktop_session.moc"
