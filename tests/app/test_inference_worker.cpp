// The worker thread contract: the engine lives on the worker thread, text arrives in
// frame-sized batches (never one signal per token), cancel stops a reply and a load, and
// load failures come back as readable messages.
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>

#include "app/fake_engine.h"
#include "app/inference_worker.h"
#include "app/token_coalescer.h"
#include "core/store/conversation_store.h"

using namespace falcon;

// Re-emits the worker's signals on the test thread through queued connections (as the
// controller receives them), so QSignalSpy never races the worker thread.
class Relay : public QObject {
  Q_OBJECT
 public:
  explicit Relay(InferenceWorker* w) {
    connect(w, &InferenceWorker::replyStarted, this, &Relay::replyStarted, Qt::QueuedConnection);
    connect(w, &InferenceWorker::replyText, this, &Relay::replyText, Qt::QueuedConnection);
    connect(w, &InferenceWorker::replyFinished, this, &Relay::replyFinished, Qt::QueuedConnection);
    connect(w, &InferenceWorker::replyFailed, this, &Relay::replyFailed, Qt::QueuedConnection);
    connect(w, &InferenceWorker::modelLoaded, this, &Relay::modelLoaded, Qt::QueuedConnection);
    connect(w, &InferenceWorker::modelLoadFailed, this, &Relay::modelLoadFailed, Qt::QueuedConnection);
    connect(w, &InferenceWorker::loadProgress, this, &Relay::loadProgress, Qt::QueuedConnection);
    connect(w, &InferenceWorker::messageMeasured, this, &Relay::messageMeasured, Qt::QueuedConnection);
    connect(w, &InferenceWorker::storeNotDurable, this, &Relay::storeNotDurable, Qt::QueuedConnection);
  }
 signals:
  void replyStarted(qint64 conversation_id, qint64 message_id);
  void replyText(qint64 message_id, const QString& batch);
  void replyFinished(qint64 conversation_id, qint64 message_id, const QVariantMap& stats);
  void replyFailed(qint64 conversation_id, qint64 message_id, const QString& message);
  void modelLoaded(const QVariantMap& info);
  void modelLoadFailed(const QString& message, bool cancelled, bool kept);
  void loadProgress(double fraction);
  void messageMeasured(quint64 serial, qint64 tokens, qint64 reply_prompt);
  void storeNotDurable(const QString& error);
};

class InferenceWorkerTest : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  QString db() const { return dir_.filePath(QStringLiteral("c.db")); }

  static InferenceWorker::EngineFactory fake(FakeEngineOptions o, QThread** created_on = nullptr) {
    return [o, created_on] {
      if (created_on) *created_on = QThread::currentThread();
      return std::unique_ptr<ChatEngine>(new FakeEngine(o));
    };
  }

  // A fake model whose replies run until cancelled (a million tokens, 200 us each).
  static FakeEngineOptions endless() {
    FakeEngineOptions o;
    o.tokens_per_reply = 1000000;
    o.token_delay_us = 200;
    return o;
  }

  // Starts a reply in a new conversation (with endless(): one that runs until cancelled).
  static void startReply(InferenceThread& t, ConversationStore& store) {
    ReplyRequest r;
    r.conversation_id = store.create_conversation({});
    r.text = "go";
    r.settings.max_new_tokens = 1000000;
    t.reply(r);
  }

  // A fake model whose replies are `tokens` tokens, 1 ms each.
  static FakeEngineOptions paced(int tokens) {
    FakeEngineOptions o;
    o.tokens_per_reply = tokens;
    o.token_delay_us = 1000;
    return o;
  }

  // Runs a reply of `tokens` tokens in a new conversation to its end: its message id (0 when it
  // did not finish within 20 s).
  static qint64 replyToTheEnd(InferenceThread& t, ConversationStore& store, int tokens) {
    Relay relay(t.worker());
    QSignalSpy finished(&relay, &Relay::replyFinished);
    ReplyRequest r;
    r.conversation_id = store.create_conversation({});
    r.text = "go";
    r.settings.max_new_tokens = tokens;
    t.reply(r);
    if (!finished.wait(20000)) return 0;
    return finished.at(0).at(1).toLongLong();
  }

  // Loads the fake model and waits for it.
  static void load(InferenceThread& t) {
    Relay relay(t.worker());
    QSignalSpy loaded(&relay, &Relay::modelLoaded);
    t.loadModel(ModelLoadRequest{"/fake/model", BackendChoice::Cpu, WeightFormat::Bf16});
    QVERIFY(loaded.wait(5000));
  }

 private slots:
  void coalescer_holds_pieces_until_a_frame_has_passed() {
    int64_t now = 1000;
    TokenCoalescer c(16, [&] { return now; });
    QVERIFY(!c.add("a"));
    now += 5;
    QVERIFY(!c.add("b"));
    now += 11;  // 16 ms after the start
    QVERIFY(c.add("c"));
    QCOMPARE(QString::fromStdString(c.take()), QStringLiteral("abc"));
    QVERIFY(!c.has_pending());
    now += 15;
    QVERIFY(!c.add("d"));
    now += 1;
    QVERIFY(c.add(""));  // a due batch goes out with the next piece, even an empty one
    QCOMPARE(QString::fromStdString(c.take()), QStringLiteral("d"));
  }

  void engine_is_created_on_the_worker_thread() {
    QThread* created_on = nullptr;
    InferenceThread t(db(), fake({}, &created_on));
    load(t);
    QVERIFY(created_on != nullptr);
    QCOMPARE(created_on, t.thread_handle());
    QVERIFY(created_on != QThread::currentThread());
    QCOMPARE(t.worker()->thread(), t.thread_handle());
  }

  void fast_stream_arrives_in_batches_with_all_text() {
    FakeEngineOptions o;
    o.tokens_per_reply = 3000;
    o.token_delay_us = 20;  // thousands of tokens per second: faster than any GPU at batch 1
    InferenceThread t(db(), fake(o));
    load(t);
    ConversationStore store(db().toStdString());
    const int64_t conv = store.create_conversation({});
    Relay relay(t.worker());
    QSignalSpy started(&relay, &Relay::replyStarted);
    QSignalSpy text(&relay, &Relay::replyText);
    QSignalSpy finished(&relay, &Relay::replyFinished);
    ReplyRequest r;
    r.conversation_id = conv;
    r.text = "hello";
    r.settings.max_new_tokens = 3000;
    QElapsedTimer clock;
    clock.start();
    t.reply(r);
    QVERIFY(finished.wait(60000));
    const double seconds = clock.elapsed() / 1000.0;
    QCOMPARE(started.count(), 1);
    const qint64 id = started.at(0).at(1).toLongLong();
    QString all;
    for (const auto& args : text) {
      QCOMPARE(args.at(0).toLongLong(), id);
      all += args.at(1).toString();
    }
    // Everything streamed equals what was stored.
    QCOMPARE(all, QString::fromStdString(store.message(id).text));
    QVERIFY(all.startsWith(QStringLiteral("word0 word1 ")));
    QCOMPARE(finished.at(0).at(2).toMap().value(QStringLiteral("stopReason")).toString(),
             QStringLiteral("eos"));
    // About one batch per 16 ms frame (+1 for the final flush), never one per token.
    QVERIFY2(text.count() <= int(seconds * 1000 / 16) + 2,
             qPrintable(QStringLiteral("%1 batches in %2 s").arg(text.count()).arg(seconds)));
    QVERIFY2(text.count() < 3000 / 10, qPrintable(QString::number(text.count())));
  }

  void reply_saves_do_not_wait_for_the_disk() {
    // A reply's text is saved every 32 tokens by the worker's own store connection. Its commits
    // return once in the WAL and the store's own thread makes them durable (sync_behind): here
    // that thread is held inside its first sync, the one right after the reply's first commit,
    // and the reply still streams to its end, saved where another connection reads it. (With
    // synchronous=FULL on the worker thread there was no such thread: every save waited for an
    // fdatasync between two tokens.)
    std::mutex m;
    std::condition_variable cv;
    bool release = false;
    std::atomic<int> syncs{0};
    StoreOptions held = InferenceWorker::storeOptions();
    held.before_background_sync = [&] {
      ++syncs;
      std::unique_lock<std::mutex> lock(m);
      cv.wait_for(lock, std::chrono::seconds(30), [&] { return release; });
    };
    {
      InferenceThread t(db(), fake(paced(200)), nullptr, held);
      load(t);
      ConversationStore store(db().toStdString());
      const qint64 id = replyToTheEnd(t, store, 200);
      QVERIFY(id > 0);
      QTRY_COMPARE_WITH_TIMEOUT(syncs.load(), 1, 5000);  // the first sync, still held; the rest wait
      const Message reply = store.message(id);
      QCOMPARE(reply.token_count, 200);
      QVERIFY(QString::fromStdString(reply.text).startsWith(QStringLiteral("word0 word1 ")));
      {
        std::lock_guard<std::mutex> lock(m);
        release = true;
      }
      cv.notify_all();
    }  // the worker's store syncs what is left as it closes
    QVERIFY(syncs.load() >= 2);
  }

  void a_failed_background_sync_is_reported_after_the_reply() {
    // The worker's saves are made durable off its thread, so a failed fdatasync cannot fail the
    // reply: the worker says so after it (storeNotDurable; the controller shows it once). The
    // sync fails as in test_store_sync_behind: the WAL's name made a symlink loop.
    const std::string wal = db().toStdString() + "-wal";
    std::atomic<bool> break_next{true};
    StoreOptions o = InferenceWorker::storeOptions();
    o.before_background_sync = [&] {
      if (!break_next.exchange(false)) return;
      std::filesystem::rename(wal, wal + ".aside");  // SQLite keeps its own descriptor
      std::filesystem::create_symlink(wal, wal);     // ELOOP for whoever opens the name
    };
    InferenceThread t(db(), fake(paced(100)), nullptr, o);
    load(t);
    ConversationStore store(db().toStdString());
    Relay relay(t.worker());
    QSignalSpy not_durable(&relay, &Relay::storeNotDurable);
    const qint64 id = replyToTheEnd(t, store, 100);
    QVERIFY(id > 0);
    QTRY_COMPARE_WITH_TIMEOUT(not_durable.count(), 1, 5000);
    QVERIFY2(not_durable.at(0).at(0).toString().startsWith(QStringLiteral("syncing ")),
             qPrintable(not_durable.at(0).at(0).toString()));
    QCOMPARE(store.message(id).token_count, 100);  // the reply is whole
    std::filesystem::remove(wal);
    std::filesystem::rename(wal + ".aside", wal);
  }

  void cancel_stops_a_reply() {
    InferenceThread t(db(), fake(endless()));
    load(t);
    ConversationStore store(db().toStdString());
    Relay relay(t.worker());
    QSignalSpy text(&relay, &Relay::replyText);
    QSignalSpy finished(&relay, &Relay::replyFinished);
    startReply(t, store);
    QVERIFY(text.wait(5000));
    t.cancelReply();
    QVERIFY(finished.wait(5000));
    QCOMPARE(finished.at(0).at(2).toMap().value(QStringLiteral("stopReason")).toString(),
             QStringLiteral("cancelled"));
    const qint64 id = finished.at(0).at(1).toLongLong();
    QVERIFY(store.message(id).text.size() < 1000000);
    QCOMPARE(store.message(id).stats.stop_reason, StopReason::Cancelled);
  }

  // Message counts asked for while the worker is busy with a reply wait for it; then only the
  // latest of each field (lane) is counted (each would count a whole text that has since changed).
  void only_the_latest_message_count_runs_after_a_reply() {
    InferenceThread t(db(), fake(endless()));
    load(t);
    ConversationStore store(db().toStdString());
    Relay relay(t.worker());
    QSignalSpy text(&relay, &Relay::replyText);
    QSignalSpy finished(&relay, &Relay::replyFinished);
    QSignalSpy measured(&relay, &Relay::messageMeasured);
    startReply(t, store);
    QVERIFY(text.wait(5000));
    for (quint64 serial = 1; serial <= 5; ++serial) {
      t.measureMessage(0, serial, QStringLiteral("one two three four").left(int(serial) * 4));
      // The other field's count, asked for between them, is not skipped by them.
      if (serial == 3) t.measureMessage(1, 10, QStringLiteral("x y"));
    }
    QTest::qWait(100);
    QCOMPARE(measured.count(), 0);  // the reply is still running
    t.cancelReply();
    QVERIFY(finished.wait(5000));
    QTRY_COMPARE_WITH_TIMEOUT(measured.count(), 2, 5000);
    QTest::qWait(200);
    QCOMPARE(measured.count(), 2);
    QCOMPARE(measured.at(0).at(0).toULongLong(), quint64{10});  // in the order asked for
    QCOMPARE(measured.at(0).at(1).toLongLong(), qint64{2});
    QCOMPARE(measured.at(1).at(0).toULongLong(), quint64{5});
    QCOMPARE(measured.at(1).at(1).toLongLong(), qint64{4});  // the fake's tokens are words
    t.measureMessage(0, 6, QStringLiteral("alone"));         // when idle, at once
    QTRY_COMPARE_WITH_TIMEOUT(measured.count(), 3, 5000);
    QCOMPARE(measured.at(2).at(1).toLongLong(), qint64{1});
  }

  void load_failure_and_cancel_are_reported() {
    FakeEngineOptions o;
    o.load_error = "config.json is missing in /nowhere";
    {
      InferenceThread t(db(), fake(o));
      Relay relay(t.worker());
      QSignalSpy failed(&relay, &Relay::modelLoadFailed);
      t.loadModel(ModelLoadRequest{"/nowhere", BackendChoice::Auto, WeightFormat::Bf16});
      QVERIFY(failed.wait(5000));
      QCOMPARE(failed.at(0).at(0).toString(), QStringLiteral("config.json is missing in /nowhere"));
      QCOMPARE(failed.at(0).at(1).toBool(), false);
      // A reply without a model is refused with a message, not a crash.
      QSignalSpy reply_failed(&relay, &Relay::replyFailed);
      t.reply(ReplyRequest{});
      QVERIFY(reply_failed.wait(5000));
      QVERIFY(!reply_failed.at(0).at(2).toString().isEmpty());
    }
    FakeEngineOptions slow;
    slow.load_steps = 1000;
    slow.load_step_ms = 5;
    InferenceThread t(db(), fake(slow));
    Relay relay(t.worker());
    QSignalSpy progress(&relay, &Relay::loadProgress);
    QSignalSpy failed(&relay, &Relay::modelLoadFailed);
    t.loadModel(ModelLoadRequest{"/slow", BackendChoice::Auto, WeightFormat::Bf16});
    QVERIFY(progress.wait(5000));
    t.cancelLoad();
    QVERIFY(failed.wait(5000));
    QCOMPARE(failed.at(0).at(1).toBool(), true);
    QCOMPARE(failed.at(0).at(2).toBool(), false);  // the fake had no model before
    // Progress is throttled like text: far fewer signals than the 1000 steps.
    QVERIFY(progress.count() < 200);
  }

  void memory_is_reported_and_a_refused_choice_keeps_the_model() {
    FakeEngineOptions o;
    o.memory.weights_bytes = 3ull << 30;
    o.memory.cache_bytes = 512ull << 20;
    o.memory.on_device = true;
    o.memory.weight_format = "int8";
    o.refuse_dir = "/needs/gpu";
    InferenceThread t(db(), fake(o));
    Relay relay(t.worker());
    QSignalSpy loaded(&relay, &Relay::modelLoaded);
    t.loadModel(ModelLoadRequest{"/fake/model", BackendChoice::Auto, WeightFormat::Bf16});
    QVERIFY(loaded.wait(5000));
    const QVariantMap info = loaded.at(0).at(0).toMap();
    QCOMPARE(info.value(QStringLiteral("weightsBytes")).toULongLong(), 3ull << 30);
    QCOMPARE(info.value(QStringLiteral("cacheBytes")).toULongLong(), 512ull << 20);
    QCOMPARE(info.value(QStringLiteral("onDevice")).toBool(), true);
    QCOMPARE(info.value(QStringLiteral("weightFormat")).toString(), QStringLiteral("int8"));
    QVERIFY(!info.contains(QStringLiteral("gpuFallbackDroppedQuantized")));

    // int8 on the CPU backend is a load like any other (it was refused before loading).
    QSignalSpy failed(&relay, &Relay::modelLoadFailed);
    t.loadModel(ModelLoadRequest{"/fake/model", BackendChoice::Cpu, WeightFormat::Int8});
    QVERIFY(loaded.wait(5000));
    QCOMPARE(loaded.count(), 2);
    QCOMPARE(failed.count(), 0);

    // A choice refused before anything is unloaded (no usable GPU): the model stays usable.
    t.loadModel(ModelLoadRequest{"/needs/gpu", BackendChoice::Cuda, WeightFormat::Int8});
    QVERIFY(failed.wait(5000));
    QVERIFY(failed.at(0).at(0).toString().contains(QStringLiteral("GPU")));
    QCOMPARE(failed.at(0).at(1).toBool(), false);
    QCOMPARE(failed.at(0).at(2).toBool(), true);
    ConversationStore store(db().toStdString());
    NewConversation nc;
    nc.title = "kept";
    ReplyRequest r;
    r.conversation_id = store.create_conversation(nc);
    r.text = "still there?";
    QSignalSpy finished(&relay, &Relay::replyFinished);
    t.reply(r);
    QVERIFY(finished.wait(5000));
  }
};

QTEST_GUILESS_MAIN(InferenceWorkerTest)
#include "test_inference_worker.moc"
