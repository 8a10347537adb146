// Faults through the app's own path (issue 12): the InferenceWorker on its thread with the real
// engine (make_falcon_chat_engine: open_model + ChatSession) and the bundled model. A checkpoint
// truncated mid-shard comes back as one readable load failure, the worker keeps running (the
// intact model loads next and answers), and a conversation whose window state was saved by
// another model is opened with a notice for the user.
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>
#include <filesystem>

#include "app/falcon_chat_engine.h"
#include "app/inference_worker.h"
#include "core/store/conversation_store.h"

using namespace falcon;
namespace fs = std::filesystem;

// Re-emits the worker's signals on the test thread (queued), so QSignalSpy never races it.
class FaultRelay : public QObject {
  Q_OBJECT
 public:
  explicit FaultRelay(InferenceWorker* w) {
    connect(w, &InferenceWorker::modelLoaded, this, &FaultRelay::modelLoaded, Qt::QueuedConnection);
    connect(w, &InferenceWorker::modelLoadFailed, this, &FaultRelay::modelLoadFailed, Qt::QueuedConnection);
    connect(w, &InferenceWorker::replyFinished, this, &FaultRelay::replyFinished, Qt::QueuedConnection);
    connect(w, &InferenceWorker::replyFailed, this, &FaultRelay::replyFailed, Qt::QueuedConnection);
    connect(w, &InferenceWorker::conversationOpened, this, &FaultRelay::conversationOpened,
            Qt::QueuedConnection);
  }
 signals:
  void modelLoaded(const QVariantMap& info);
  void modelLoadFailed(const QString& message, bool cancelled, bool kept);
  void replyFinished(qint64 conversation_id, qint64 message_id, const QVariantMap& stats);
  void replyFailed(qint64 conversation_id, qint64 message_id, const QString& message);
  void conversationOpened(qint64 conversation_id, const QString& notice);
};

namespace {

const fs::path kModel = fs::path(FALCON_SOURCE_DIR) / "resources" / "models" / "falcon-mini";
const char* kShard = "model-00002-of-00003.safetensors";

InferenceWorker::EngineFactory real_engine() {
  return [] { return make_falcon_chat_engine(); };
}

ModelLoadRequest cpu(const fs::path& dir) {
  return ModelLoadRequest{dir.string(), BackendChoice::Cpu, WeightFormat::Bf16};
}

}  // namespace

class WorkerFaultsTest : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;

 private slots:
  void truncated_shard_fails_once_and_the_worker_keeps_going() {
    const fs::path broken = fs::path(dir_.path().toStdString()) / "broken";
    fs::copy(kModel, broken, fs::copy_options::recursive);
    fs::resize_file(broken / kShard, fs::file_size(broken / kShard) * 6 / 10);

    const QString db = dir_.filePath(QStringLiteral("w.db"));
    int64_t conv = 0;
    {
      ConversationStore store(db.toStdString());
      conv = store.create_conversation({.title = "faults"});
    }
    InferenceThread t(db, real_engine());
    FaultRelay relay(t.worker());
    QSignalSpy failed(&relay, &FaultRelay::modelLoadFailed);
    QSignalSpy loaded(&relay, &FaultRelay::modelLoaded);
    t.loadModel(cpu(broken));
    QVERIFY(failed.wait(60000));
    const QString message = failed.at(0).at(0).toString();
    QVERIFY2(message.contains(QLatin1String(kShard)) &&
                 message.contains(QLatin1String("outside the file's data area")),
             qPrintable(message));
    QVERIFY2(!message.contains(QLatin1Char('\n')), qPrintable(message));
    QCOMPARE(failed.at(0).at(1).toBool(), false);  // not a cancel
    QCOMPARE(loaded.count(), 0);

    // A reply without a model is refused with a message, then the intact model loads and answers.
    QSignalSpy reply_failed(&relay, &FaultRelay::replyFailed);
    ReplyRequest r;
    r.conversation_id = conv;
    r.text = "Hi!";
    r.settings.greedy = true;
    r.settings.max_new_tokens = 4;
    t.reply(r);
    QVERIFY(reply_failed.wait(60000));
    t.loadModel(cpu(kModel));
    QVERIFY(loaded.wait(120000));
    QSignalSpy finished(&relay, &FaultRelay::replyFinished);
    t.reply(r);
    QVERIFY(finished.wait(120000));
    ConversationStore store(db.toStdString());
    const auto path = store.active_path(conv);
    QCOMPARE(path.size(), size_t(2));
    QCOMPARE(path[1].state, MessageState::Complete);
    QCOMPARE(store.integrity_check(), std::string("ok"));
  }

  void conversation_from_another_model_is_opened_with_a_notice() {
    const QString db = dir_.filePath(QStringLiteral("resume.db"));
    int64_t conv = 0;
    {
      ConversationStore store(db.toStdString());
      conv = store.create_conversation({.title = "old", .model_fingerprint = "another-model#0"});
      const int64_t u = store.append_message(conv, std::nullopt, Role::User, "Hello there.");
      store.append_message(conv, u, Role::Assistant, "Hi!");
      WindowState w;
      w.tokens = {5, 6, 7, 8};  // the other model's ids: meaningless to this one
      w.model_fingerprint = "another-model#0";
      store.save_window_state(conv, w);
    }
    InferenceThread t(db, real_engine());
    FaultRelay relay(t.worker());
    QSignalSpy loaded(&relay, &FaultRelay::modelLoaded);
    QSignalSpy opened(&relay, &FaultRelay::conversationOpened);
    t.loadModel(cpu(kModel));
    QVERIFY(loaded.wait(120000));
    t.openConversation(conv);
    QVERIFY(opened.wait(60000));
    QCOMPARE(opened.at(0).at(0).toLongLong(), qint64(conv));
    const QString notice = opened.at(0).at(1).toString();
    QVERIFY2(notice.contains(QLatin1String("another model")), qPrintable(notice));
  }
};

QTEST_GUILESS_MAIN(WorkerFaultsTest)
#include "test_worker_faults.moc"
