#pragma once
// ChatController: the QML facade (DESIGN.md §1). It lives on the UI thread, owns the UI
// thread's ConversationStore connection and the list models, and drives the InferenceWorker
// through InferenceThread (queued calls out, queued signals back). Nothing here runs a model
// step, loads weights or tokenizes a conversation.
//
// Implementation: chat_controller.cpp (replies, messages), chat_controller_conversations.cpp
// (sidebar, export/import), chat_controller_model.cpp (model picker, loading),
// chat_controller_qml.cpp (the QML singleton with the real engine).
#include <QtQml/qqmlregistration.h>

#include <QHash>
#include <QObject>
#include <QTimer>
#include <QUrl>
#include <QVariantMap>
#include <memory>

#include "app/conversation_list_model.h"
#include "app/conversation_transfer.h"
#include "app/inference_worker.h"
#include "app/message_model.h"
#include "app/presets.h"
#include "app/sampling_config.h"
#include "app/search_results_model.h"

class QQmlEngine;
class QJSEngine;
class AppSettings;
class AttachmentReader;

class ChatController : public QObject {
  Q_OBJECT
  QML_ELEMENT
  QML_SINGLETON
  Q_PROPERTY(ConversationFilterModel* conversations READ conversations CONSTANT)
  Q_PROPERTY(MessageModel* messages READ messages CONSTANT)
  Q_PROPERTY(SearchResultsModel* searchResults READ searchResults CONSTANT)
  Q_PROPERTY(SamplingConfig* sampling READ sampling CONSTANT)
  Q_PROPERTY(PresetModel* presets READ presets CONSTANT)
  // Exports and imports running on a thread of their own: busy, progress, cancel().
  Q_PROPERTY(ConversationTransfer* transfer READ transfer CONSTANT)
  // The preset whose system prompt and sampling the open chat has now ("" when it matches none).
  Q_PROPERTY(QString currentPreset READ currentPreset NOTIFY currentPresetChanged)
  // The preset a new chat starts from (kept in the settings file).
  Q_PROPERTY(QString defaultPreset READ defaultPreset WRITE setDefaultPreset NOTIFY defaultPresetChanged)
  Q_PROPERTY(qint64 currentConversationId READ currentConversationId NOTIFY currentConversationChanged)
  Q_PROPERTY(QString currentTitle READ currentTitle NOTIFY currentConversationChanged)
  Q_PROPERTY(QString systemPrompt READ systemPrompt WRITE setSystemPrompt NOTIFY systemPromptChanged)
  Q_PROPERTY(QString searchQuery READ searchQuery WRITE setSearchQuery NOTIFY searchQueryChanged)
  Q_PROPERTY(bool busy READ busy NOTIFY busyChanged)
  Q_PROPERTY(qint64 streamingMessageId READ streamingMessageId NOTIFY busyChanged)
  // "none" | "loading" | "ready" | "failed"
  Q_PROPERTY(QString modelState READ modelState NOTIFY modelChanged)
  Q_PROPERTY(double loadProgress READ loadProgress NOTIFY loadProgressChanged)
  Q_PROPERTY(QString modelName READ modelName NOTIFY modelChanged)
  // The folder loaded (or loading) and how it was asked for ("auto"/"cpu"/"cuda",
  // "bf16"/"int8"/"int4"), so the model picker opens on what is in use.
  Q_PROPERTY(QString modelDir READ modelDir NOTIFY modelChanged)
  Q_PROPERTY(QString modelBackendChoice READ modelBackendChoice NOTIFY modelChanged)
  Q_PROPERTY(QString modelWeightsChoice READ modelWeightsChoice NOTIFY modelChanged)
  Q_PROPERTY(QString modelError READ modelError NOTIFY modelChanged)
  // The loaded model's example prompts for an empty chat (its folder's falcon-chat.json; none for
  // most checkpoints), and whether it is a model bundled with the app (a small demo).
  Q_PROPERTY(QStringList modelExamples READ modelExamples NOTIFY modelChanged)
  Q_PROPERTY(bool modelBundled READ modelBundled NOTIFY modelChanged)
  // For the model picker: the models loaded before whose folders still exist, the latest first,
  // then the bundled ones not among them: [{dir, name, backend, weights, bundled}].
  Q_PROPERTY(QVariantList recentModels READ recentModels NOTIFY modelChanged)
  Q_PROPERTY(QString backendDescription READ backendDescription NOTIFY modelChanged)
  // The weight format in use ("bf16", "f32", "int8", ...) and the model's memory, for the status
  // bar: "<backend> · <format> · weights X GiB + cache Y GiB (GPU|RAM)".
  Q_PROPERTY(QString weightFormat READ weightFormat NOTIFY modelChanged)
  Q_PROPERTY(QString memoryText READ memoryText NOTIFY memoryChanged)
  Q_PROPERTY(QString statusText READ statusText NOTIFY memoryChanged)
  Q_PROPERTY(QString notice READ notice NOTIFY noticeChanged)  // fallback/resume notes
  Q_PROPERTY(double lastTokensPerSecond READ lastTokensPerSecond NOTIFY statsChanged)
  Q_PROPERTY(qint64 contextPinned READ contextPinned NOTIFY contextChanged)
  Q_PROPERTY(qint64 contextEvicted READ contextEvicted NOTIFY contextChanged)
  Q_PROPERTY(qint64 contextRecent READ contextRecent NOTIFY contextChanged)
  Q_PROPERTY(qint64 contextWindow READ contextWindow NOTIFY contextChanged)
  // The message being typed, in tokens of the loaded model (-1: none typed, no model, or not yet
  // counted), and whether it with the reply's prompt is longer than the chat's window (the
  // sampling panel's), so that the model would see only its end.
  Q_PROPERTY(qint64 composerTokens READ composerTokens NOTIFY composerTokensChanged)
  Q_PROPERTY(bool composerTooLong READ composerTooLong NOTIFY composerTokensChanged)
  // The same for the message being edited (editorMessageId; 0: none counted yet).
  Q_PROPERTY(qint64 editorMessageId READ editorMessageId NOTIFY editorTokensChanged)
  Q_PROPERTY(qint64 editorTokens READ editorTokens NOTIFY editorTokensChanged)
  Q_PROPERTY(bool editorTooLong READ editorTooLong NOTIFY editorTokensChanged)
  Q_PROPERTY(bool canUndoDelete READ canUndoDelete NOTIFY pendingDeleteChanged)
  Q_PROPERTY(QString pendingDeleteTitle READ pendingDeleteTitle NOTIFY pendingDeleteChanged)
  Q_PROPERTY(QString databasePath READ databasePath CONSTANT)
  // The document (PDF, Word, OpenDocument) whose text is being read for the message (attachFiles), "" when
  // none.
  Q_PROPERTY(QString attachingFile READ attachingFile NOTIFY attachingChanged)

 public:
  struct Options {
    QString db_path;                        // ":memory:" is not allowed (two connections)
    InferenceWorker::EngineFactory engine;  // called once, on the worker thread
    int undo_delete_ms = 6000;              // how long "Undo" is offered after a delete
    bool restore_last_session = false;      // reopen the last model and chat (the app does)
    int draft_save_ms = 1000;               // drafts are written this long after the last edit
    int memory_refresh_ms = 3000;           // the status bar re-reads the device's memory (0: never)
    int measure_delay_ms = 250;             // a message being typed is counted this long after an edit
  };

  explicit ChatController(Options options, QObject* parent = nullptr);
  ~ChatController() override;  // saves drafts, finishes a pending delete, stops the worker
  static ChatController* create(QQmlEngine* qml_engine, QJSEngine* js_engine);  // chat_controller_qml.cpp
  // Where the app keeps its conversations: AppDataLocation/conversations.db.
  static QString defaultDatabasePath();

  ConversationFilterModel* conversations() const { return filter_; }
  MessageModel* messages() const { return messages_; }
  SearchResultsModel* searchResults() const { return search_; }
  SamplingConfig* sampling() const { return sampling_; }
  PresetModel* presets() const { return presets_; }
  ConversationTransfer* transfer() const { return transfer_; }
  QString currentPreset() const;
  QString defaultPreset() const;
  void setDefaultPreset(const QString& name);
  qint64 currentConversationId() const { return current_id_; }
  QString currentTitle() const;
  QString systemPrompt() const { return system_prompt_; }
  void setSystemPrompt(const QString& prompt);
  QString searchQuery() const { return search_query_; }
  void setSearchQuery(const QString& query);
  bool busy() const { return busy_; }
  qint64 streamingMessageId() const { return streaming_id_; }
  QString modelState() const { return model_state_; }
  double loadProgress() const { return load_progress_; }
  QString modelName() const;
  QString modelDir() const { return model_dir_; }
  QString modelBackendChoice() const { return model_backend_; }
  QString modelWeightsChoice() const { return model_weights_; }
  QString modelError() const { return engineMessageText(model_error_); }
  QStringList modelExamples() const { return model_examples_; }
  bool modelBundled() const;
  QVariantList recentModels() const;
  QString backendDescription() const;
  QString weightFormat() const { return weight_format_; }
  QString memoryText() const;
  QString statusText() const;
  // "512 MiB", "1.50 GiB": binary units, as memory is counted.
  static QString formatBytes(quint64 bytes);
  // An engine message as the user reads it: the ones the app knows the shape of (the GPU's
  // out-of-memory report) in the user's language, others as they are. `cpu_advice`: end with
  // "The CPU backend can run it instead." (not where the app already fell back to the CPU).
  static QString engineMessageText(const QString& message, bool cpu_advice = true);
  QString notice() const;
  double lastTokensPerSecond() const { return last_tps_; }
  qint64 contextPinned() const { return ctx_pinned_; }
  qint64 contextEvicted() const { return ctx_evicted_; }
  qint64 contextRecent() const { return ctx_recent_; }
  qint64 contextWindow() const { return ctx_window_; }
  qint64 composerTokens() const { return composer_meter_.tokens; }
  bool composerTooLong() const { return tooLong(composer_meter_); }
  qint64 editorMessageId() const { return editor_meter_.owner; }
  qint64 editorTokens() const { return editor_meter_.tokens; }
  bool editorTooLong() const { return tooLong(editor_meter_); }
  bool canUndoDelete() const { return pending_delete_id_ != 0; }
  QString pendingDeleteTitle() const { return pending_delete_title_; }
  QString databasePath() const { return options_.db_path; }

  // ---- conversations (chat_controller_conversations.cpp) --------------------------------
  Q_INVOKABLE void newConversation();
  Q_INVOKABLE void selectConversation(qint64 id);
  // Opens the chat above (-1) or below (+1) the open one in the list as shown (Alt+Up/Down);
  // from a new chat, +1 opens the top one. False at either end.
  Q_INVOKABLE bool selectAdjacentConversation(int delta);
  Q_INVOKABLE bool renameConversation(qint64 id, const QString& title);
  Q_INVOKABLE void deleteConversation(qint64 id);  // undoable for undo_delete_ms
  Q_INVOKABLE void undoDelete();
  Q_INVOKABLE void setPinned(qint64 id, bool pinned);
  Q_INVOKABLE void setArchived(qint64 id, bool archived);
  // Export and import run on transfer()'s thread and say when they are done: exported(path) or
  // errorOccurred(why); conversationsImported(count, cancelled) (the first new chat is opened) and
  // errorOccurred naming each file not imported. Each file is imported whole or not at all.
  // Conversation id 0 exports all of them. False when there is nothing to do (no file).
  Q_INVOKABLE bool exportConversation(qint64 id, const QUrl& file,
                                      const QString& format);  // "markdown"|"json"
  Q_INVOKABLE bool importConversations(const QList<QUrl>& files);
  // Where the export dialog proposes to save: the chat's title as a file name (characters no file
  // system takes replaced) in `folder` (default: Documents, else home), not over an existing file;
  // for id 0 (every conversation) "falcon-chat conversations <date>".
  Q_INVOKABLE QUrl suggestedExportFile(qint64 id, const QString& format, const QString& folder = {}) const;
  // Where export, import and add-a-file dialogs start: Documents, else home.
  Q_INVOKABLE static QString documentsFolder();
  // Other apps' chat folders that exist here, as places for the import's chooser: [{label, path}]
  // (LM Studio's conversations folder).
  Q_INVOKABLE static QVariantList importPlaces();
  Q_INVOKABLE void openSearchHit(qint64 conversation_id, qint64 message_id);
  // What was typed in a chat's message field and not sent (conversation 0: the new chat). The
  // composer calls setDraft on every edit; the store gets it draft_save_ms after the last one
  // (and at quit), so a draft outlives the app and a crash loses at most that second.
  Q_INVOKABLE QString draft(qint64 conversation_id) const;
  Q_INVOKABLE void setDraft(qint64 conversation_id, const QString& text);
  void saveDrafts();  // writes the pending drafts now
  // The composer calls this on every edit: its text is counted (composerTokens) on the worker
  // thread measure_delay_ms after the last one (during a reply: after it).
  Q_INVOKABLE void measureComposer(const QString& text);
  // The message editor's: the new text of message `message_id` (editorTokens, editorMessageId).
  Q_INVOKABLE void measureEditor(qint64 message_id, const QString& text);

  // ---- messages and replies (chat_controller.cpp) ----------------------------------------
  Q_INVOKABLE bool send(const QString& text);
  Q_INVOKABLE void stop();
  Q_INVOKABLE bool regenerate(qint64 assistant_message_id);
  Q_INVOKABLE bool editAndResend(qint64 user_message_id, const QString& text);
  Q_INVOKABLE bool continueReply(qint64 assistant_message_id);
  Q_INVOKABLE void deleteMessage(qint64 message_id);
  Q_INVOKABLE void switchSibling(qint64 message_id, int delta);  // ‹ (-1) and › (+1)
  Q_INVOKABLE void copyText(const QString& text);
  Q_INVOKABLE bool copyLastReply();
  // The newest reply of the open chat (0 when none): keyboard shortcuts act on it.
  Q_INVOKABLE qint64 lastReplyId() const { return messages_->lastReplyId(); }

  // ---- presets (chat_controller_presets.cpp) ---------------------------------------------
  // Gives the open chat (or the new one) the preset's system prompt and sampling settings.
  Q_INVOKABLE bool applyPreset(const QString& name);
  // Saves the open chat's system prompt and sampling as a user preset (creates or overwrites);
  // false with errorOccurred(why) for a built-in's name or an empty one.
  Q_INVOKABLE bool savePreset(const QString& name);
  Q_INVOKABLE bool deletePreset(const QString& name);

  // ---- model (chat_controller_model.cpp) -------------------------------------------------
  Q_INVOKABLE QVariantMap inspectModel(const QUrl& folder) const;
  // A folder's path as a file URL, and back, for QML: "file://" + path breaks on a '#' or '%' in a
  // folder's name (the rest of the path would be read as a URL fragment or an escape).
  Q_INVOKABLE static QUrl fileUrl(const QString& path) { return QUrl::fromLocalFile(path); }
  Q_INVOKABLE static QString localPath(const QUrl& url) {
    return url.isLocalFile() ? url.toLocalFile() : url.toString();
  }
  // What a file dropped on the window is: "conversations" for a .json (or .zip) that is not a file of
  // a model (an export to import); "text" for any other file outside a model folder that is not a
  // model's weights (to put into the message: text_attachment.h says what is taken); else "model"
  // (a model folder, a file of one, or something the model dialog explains: a GGUF, a pickle, a
  // path that is not there).
  Q_INVOKABLE static QString dropKind(const QString& path);
  // Reads the files for the message (AttachmentReader: text files at once, documents in a helper
  // process): attachmentsReady() brings them as Markdown code blocks, one after the other; the ones
  // that cannot be added (not text, too large...) are left out and named in one error. Picking
  // another chat, or cancelAttaching(), stops a document still being read.
  Q_INVOKABLE void attachFiles(const QStringList& paths);
  Q_INVOKABLE void cancelAttaching();
  QString attachingFile() const;
  Q_INVOKABLE void loadModel(const QUrl& folder, const QString& backend, const QString& weights);
  Q_INVOKABLE void cancelLoad();
  // Folders of bundled models next to the program (installed or in the build tree).
  Q_INVOKABLE QStringList bundledModels() const;
  // The quantized weights saved between loads (default_quant_cache_dir()): {files, bytes, text}
  // ("3.61 GiB in 2 files"), and removing them all (every model's next int8/int4 load quantizes
  // again); returns how many files went.
  Q_INVOKABLE QVariantMap quantCacheUsage() const;
  Q_INVOKABLE int clearQuantCache();
  // The same files one by one, newest first: [{path, model, what ("int4, int8 head · GPU"),
  // sizeText, writtenText}], and removing one of them (a file of that folder only; false with
  // errorOccurred for anything else, or one that cannot be removed).
  Q_INVOKABLE QVariantList quantCacheFiles() const;
  Q_INVOKABLE bool removeQuantCacheFile(const QString& path);

 signals:
  void currentConversationChanged();
  void systemPromptChanged();
  void searchQueryChanged();
  void busyChanged();
  void modelChanged();
  void memoryChanged();  // also on every modelChanged
  void loadProgressChanged();
  void noticeChanged();
  void statsChanged();
  void contextChanged();
  void composerTokensChanged();
  void editorTokensChanged();
  void pendingDeleteChanged();
  void currentPresetChanged();
  void defaultPresetChanged();
  void errorOccurred(const QString& message);
  void replyFinished(qint64 message_id, const QString& stop_reason);
  void copied();
  void exported(const QString& path);
  void conversationsImported(int count, bool cancelled);
  void attachmentsReady(const QString& markdown);
  void attachingChanged();

 private:
  friend class ChatControllerTest;
  void connectWorker();
  bool startReply(falcon::ReplyRequest request, const QString& prefix);
  bool ensureConversation(const QString& first_text);
  bool requireModel();  // false, and the reason shown, while no model is ready
  void reloadConversations();
  void refreshSearch();  // runs the search shown again (the chats changed under it)
  void reloadMessages();
  void loadConversationSettings();
  void commitPendingDelete();
  void setBusy(bool busy, qint64 streaming_id);
  // A field whose message is counted in tokens on the worker: the composer, the message editor.
  struct TextMeter {
    int lane = 0;  // InferenceThread's lane: a newer count skips only older ones of the same field
    QTimer timer;
    QString text;        // trimmed, as it would be sent
    quint64 serial = 0;  // of the latest count asked for; older answers are dropped
    qint64 owner = 0;    // the editor: the message being edited
    qint64 tokens = -1;  // -1: nothing typed, no model, or not counted yet
    qint64 reply_prompt = 0;
  };
  void measure(TextMeter& meter, const QString& text);
  void postMeasure(TextMeter& meter);  // counts meter.text now
  void postMeasures();                 // ... every field's, as another model counts them
  void setMeterCount(TextMeter& meter, qint64 tokens, qint64 reply_prompt);
  bool tooLong(const TextMeter& meter) const;
  void fail(const QString& message);
  // Says once when the UI connection's background sync failed (StoreOptions::sync_behind):
  // checked after the list reloads and drafts are saved, the moments after its writes.
  void checkDurability();
  // Shows `error` (a failed background fdatasync of either store connection) once; "" is none.
  void reportDurability(const std::string& error);
  void restoreLastSession();
  // worker signal handlers
  void onReplyStarted(qint64 conversation_id, qint64 message_id);
  void onReplyText(qint64 message_id, const QString& batch);
  void onReplyFinished(qint64 conversation_id, qint64 message_id, const QVariantMap& stats);
  void onReplyFailed(qint64 conversation_id, qint64 message_id, const QString& message);
  void onModelLoaded(const QVariantMap& info);
  void onModelLoadFailed(const QString& message, bool cancelled, bool kept);
  void onImportFinished(const QList<qint64>& ids, const QStringList& failures, bool cancelled);

  Options options_;
  std::unique_ptr<falcon::ConversationStore> store_;  // the UI thread's connection
  std::unique_ptr<AppSettings> settings_;
  ConversationListModel* list_ = nullptr;
  ConversationFilterModel* filter_ = nullptr;
  MessageModel* messages_ = nullptr;
  SearchResultsModel* search_ = nullptr;
  SamplingConfig* sampling_ = nullptr;
  PresetModel* presets_ = nullptr;
  ConversationTransfer* transfer_ = nullptr;   // a child, deleted first in the destructor
  AttachmentReader* attach_reader_ = nullptr;  // a child
  std::unique_ptr<InferenceThread> inference_;
  QTimer delete_timer_;
  QHash<qint64, QString> pending_drafts_;  // edited, not yet in the store
  QTimer draft_timer_;
  QTimer memory_timer_;
  bool memory_query_pending_ = false;
  bool draft_error_shown_ = false;  // one message per run of failed draft writes
  bool durability_error_shown_ = false;
  TextMeter composer_meter_, editor_meter_;
  quint64 measure_serial_ = 0;  // the last serial handed out (to either field)

  qint64 current_id_ = 0;
  qint64 import_opened_from_ = -1;  // the chat open when the latest import was asked for
  QString system_prompt_;
  QString search_query_;
  bool busy_ = false;
  qint64 streaming_id_ = 0;
  qint64 streaming_conversation_ = 0;
  QString streaming_prefix_;  // text a continued reply had before (batches carry only new text)
  QString model_state_ = QStringLiteral("none");
  double load_progress_ = 0;
  QString model_dir_;
  QString model_error_;
  QStringList model_examples_;  // of the model that is ready (kept while another one loads)
  QString backend_;
  QString weight_format_;
  quint64 weights_bytes_ = 0, cache_bytes_ = 0;
  quint64 device_used_ = 0, device_total_ = 0;  // the whole GPU / RAM, re-read every memory_refresh_ms
  bool on_device_ = false;
  // Restored when a load is refused and the old model stays.
  QString previous_model_dir_, previous_model_backend_, previous_model_weights_;
  // The status bar's notice is the latest of: the load's notes, a chat's resume note, or the last
  // reply's message having been longer than the window (kept in parts, worded when shown).
  enum class NoticeSource { Load, Resume, MessageCut };
  NoticeSource notice_source_ = NoticeSource::Load;
  QString notice_;                       // a chat's resume note (the engine's words)
  qint64 cut_total_ = 0, cut_kept_ = 0;  // MessageCut: the message's tokens, and how many fit
  qint64 cut_conversation_ = 0;          // ... in this chat
  qint64 notice_conversation_ = 0;       // the chat a Resume notice is about
  // The last load's notes, kept in parts so that they follow a change of language.
  struct LoadNotes {
    QString gpu_fallback_reason;  // "" when the GPU was used or not asked for
    int gpu_fallback_kind = 0;    // falcon::GpuUnusable
    QStringList notes;            // the quantization cache (engine words)
    QString examples_problem;     // what is wrong with the folder's falcon-chat.json
  } load_notes_;
  int backend_kind_ = 0;  // BackendIdentity::Kind
  int backend_threads_ = 0;
  QString backend_device_;
  bool eventFilter(QObject* watched, QEvent* event) override;  // language changes
  double last_tps_ = 0;
  qint64 ctx_pinned_ = 0, ctx_evicted_ = 0, ctx_recent_ = 0, ctx_window_ = 0;
  qint64 pending_delete_id_ = 0;
  QString pending_delete_title_;
  QString model_backend_, model_weights_;  // as asked for the model in use (or loading)
};
