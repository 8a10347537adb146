#pragma once
// InferenceWorker: the engine's side of the app, living on its own QThread (DESIGN.md §1).
// The engine and the worker's ConversationStore are created, used and destroyed on that thread
// only. The UI talks to it through InferenceThread, which posts every call as a queued
// invocation and connects every signal with Qt::QueuedConnection. The only state shared across
// the threads is three atomic cancel flags (reply, load, resume) and, per text field, the serial
// of the latest message count asked for (older ones still queued are skipped).
//
// Streamed text is coalesced (TokenCoalescer): replyText arrives about once per 16 ms frame with
// every piece generated since, never once per token.
#include <QObject>
#include <QString>
#include <QThread>
#include <QVariantMap>
#include <array>
#include <atomic>
#include <functional>
#include <memory>

#include "app/chat_engine.h"

class InferenceWorker : public QObject {
  Q_OBJECT

 public:
  using EngineFactory = std::function<std::unique_ptr<falcon::ChatEngine>()>;

  // The flags belong to InferenceThread: stop the running reply, load, or conversation resume.
  // `store_options` opens the worker's own store connection (storeOptions(): commits return
  // once in the WAL, made durable by the store's own thread, so that a reply's partial saves
  // never hold the decode loop up on the disk).
  InferenceWorker(QString db_path, EngineFactory factory, const std::atomic<bool>* reply_cancel,
                  const std::atomic<bool>* load_cancel, const std::atomic<bool>* open_cancel,
                  falcon::StoreOptions store_options = storeOptions());
  static falcon::StoreOptions storeOptions();
  ~InferenceWorker() override;

  // These run on the worker thread (InferenceThread posts them).
  void initialize();
  void loadModel(const falcon::ModelLoadRequest& request);
  void openConversation(qint64 conversation_id);
  void runReply(const falcon::ReplyRequest& request);
  void measureMemory();
  void measureMessage(quint64 serial, const QString& text);
  void shutdown();

 signals:
  void initializeFailed(const QString& message);
  void loadProgress(double fraction);
  // keys: dir, backend, notice, fingerprint, contextLength, weightsBytes, cacheBytes, otherBytes,
  // deviceUsedBytes, deviceTotalBytes
  // (qulonglong), onDevice (bool), weightFormat
  void modelLoaded(const QVariantMap& info);
  // `kept`: the previous model is still loaded (the request was refused before unloading it).
  void modelLoadFailed(const QString& message, bool cancelled, bool kept);
  void conversationOpened(qint64 conversation_id, const QString& notice);
  void replyStarted(qint64 conversation_id, qint64 message_id);
  void replyText(qint64 message_id, const QString& batch);
  // stats keys: tokens, ttftMs, tokensPerS, stopReason
  void replyFinished(qint64 conversation_id, qint64 message_id, const QVariantMap& stats);
  void replyFailed(qint64 conversation_id, qint64 message_id, const QString& message);
  void contextChanged(qint64 pinned, qint64 evicted, qint64 recent, qint64 window);
  // The worker's store connection could not make recent commits durable (the background
  // fdatasync failed: `error`); checked after each reply.
  void storeNotDurable(const QString& error);
  // The whole device's memory in use and its size now (0, 0 without a model).
  void memoryMeasured(qulonglong device_used, qulonglong device_total);
  // measureMessage's answer (falcon::MessageTokens; -1 without a model), with its serial.
  void messageMeasured(quint64 serial, qint64 tokens, qint64 reply_prompt);

 private:
  void emitContext();

  QString db_path_;
  EngineFactory factory_;
  const std::atomic<bool>* reply_cancel_;
  const std::atomic<bool>* load_cancel_;
  const std::atomic<bool>* open_cancel_;
  falcon::StoreOptions store_options_;
  std::unique_ptr<falcon::ConversationStore> store_;  // the worker thread's own connection
  std::unique_ptr<falcon::ChatEngine> engine_;
};

// Owns the worker thread. Lives on the UI thread; its methods never block.
class InferenceThread : public QObject {
  Q_OBJECT

 public:
  InferenceThread(const QString& db_path, InferenceWorker::EngineFactory factory, QObject* parent = nullptr,
                  falcon::StoreOptions store_options = InferenceWorker::storeOptions());
  ~InferenceThread() override;  // cancels, lets the worker destroy the engine on its thread, joins

  InferenceWorker* worker() const { return worker_; }
  QThread* thread_handle() { return &thread_; }

  void loadModel(const falcon::ModelLoadRequest& request);
  void openConversation(qint64 conversation_id);
  void reply(const falcon::ReplyRequest& request);
  void measureMemory();  // answered by the worker's memoryMeasured
  // ... messageMeasured, unless a newer count is asked for in the same lane (one lane a text
  // field) before the worker gets to it.
  static constexpr int kMeasureLanes = 2;
  void measureMessage(int lane, quint64 serial, const QString& text);
  void cancelReply() { reply_cancel_.store(true); }
  void cancelLoad() { load_cancel_.store(true); }

 private:
  std::atomic<bool> reply_cancel_{false};
  std::atomic<bool> load_cancel_{false};
  std::atomic<bool> open_cancel_{false};
  std::array<std::atomic<quint64>, kMeasureLanes> measure_latest_{};
  QThread thread_;
  InferenceWorker* worker_ = nullptr;
};
