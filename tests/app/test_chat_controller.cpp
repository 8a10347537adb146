// ChatController driven as QML drives it, with the fake engine on the real worker thread and a
// real store: every user action of the chat window, checked through signals and the store.
#include <sqlite3.h>

#include <QClipboard>
#include <QGuiApplication>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSemaphore>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTranslator>
#include <QtTest>
#include <thread>

#include "app/app_settings.h"
#include "app/chat_controller.h"
#include "app/engine/chat_session.h"
#include "app/engine/install_paths.h"
#include "app/fake_engine.h"
#include "app/settings_file.h"
#include "app/text_attachment.h"
#include "core/common/load_issue.h"
#include "core/model/gpu_oom_report.h"
#include "core/model/quant_cache_file.h"
#include "core/store/conversation_store.h"
#include "core/store/store_import.h"
#include "tests/core/gpu_oom_report_sample.h"

using namespace falcon;

// A bundled-models folder holding one (empty) model, announced through FALCON_CHAT_MODELS for
// as long as it lives.
struct FakeBundledModels {
  QTemporaryDir root;
  QString model;
  explicit FakeBundledModels(const QString& name) : model(root.filePath(name)) {
    QDir().mkpath(model);
    QFile config(model + QStringLiteral("/config.json"));
    if (!config.open(QIODevice::WriteOnly)) qFatal("cannot write %s", qPrintable(config.fileName()));
    qputenv("FALCON_CHAT_MODELS", root.path().toUtf8());
  }
  ~FakeBundledModels() { qunsetenv("FALCON_CHAT_MODELS"); }
};

class ChatControllerTest : public QObject {
  Q_OBJECT

  QTemporaryDir dir_;
  int db_counter_ = 0;

  std::unique_ptr<ChatController> make(FakeEngineOptions fo = {}, int undo_ms = 6000) {
    ChatController::Options o;
    o.db_path = dir_.filePath(QStringLiteral("chat%1.db").arg(++db_counter_));
    o.engine = [fo] { return std::unique_ptr<ChatEngine>(new FakeEngine(fo)); };
    o.undo_delete_ms = undo_ms;
    return std::make_unique<ChatController>(o);
  }

  static void loadModel(ChatController& c) {
    QSignalSpy changed(&c, &ChatController::modelChanged);
    c.loadModel(QUrl::fromLocalFile(QStringLiteral("/fake/model")), QStringLiteral("cpu"),
                QStringLiteral("bf16"));
    QCOMPARE(c.modelState(), QStringLiteral("loading"));
    QTRY_COMPARE_WITH_TIMEOUT(c.modelState(), QStringLiteral("ready"), 5000);
    QCOMPARE(c.backendDescription(), QStringLiteral("fake engine"));
  }

  static void loadModelQuietly(ChatController& c, const QString& folder) {
    c.loadModel(QUrl::fromLocalFile(folder), QStringLiteral("auto"), QStringLiteral("bf16"));
    QTRY_COMPARE_WITH_TIMEOUT(c.modelState(), QStringLiteral("ready"), 5000);
  }

  // A controller whose engine gives `resume_notice` when a chat is opened, showing a chat of one
  // exchange opened again (after a new chat); returns that chat's id.
  qint64 reopened_chat(std::unique_ptr<ChatController>& c, const std::string& resume_notice) {
    FakeEngineOptions fo;
    fo.resume_notice = resume_notice;
    c = make(fo);
    loadModelQuietly(*c, QStringLiteral("/fake/model"));
    if (sendAndWait(*c, QStringLiteral("first")) != QStringLiteral("eos")) return 0;
    const qint64 id = c->currentConversationId();
    c->newConversation();
    c->selectConversation(id);
    return id;
  }

  static QString sendAndWait(ChatController& c, const QString& text) {
    QSignalSpy finished(&c, &ChatController::replyFinished);
    if (!c.send(text)) return QStringLiteral("<refused>");
    if (!c.busy()) return QStringLiteral("<not busy>");
    if (!finished.wait(10000)) return QStringLiteral("<timeout>");
    return finished.at(0).at(1).toString();
  }

  // Runs an export and waits for it: "" when written, else the error shown.
  static QString exportAndWait(ChatController& c, qint64 id, const QString& path, const QString& format) {
    QSignalSpy done(&c, &ChatController::exported), error(&c, &ChatController::errorOccurred);
    if (!c.exportConversation(id, QUrl::fromLocalFile(path), format)) return QStringLiteral("<refused>");
    if (!QTest::qWaitFor([&] { return done.count() + error.count() > 0; }, 10000))
      return QStringLiteral("<timeout>");
    if (done.count() == 1 && done.at(0).at(0).toString() == path) return QString();
    return error.count() ? error.at(0).at(0).toString() : QStringLiteral("<other path>");
  }
  // Imports the files and waits: how many conversations came in, or -1 with the error in *error.
  static int importAndWait(ChatController& c, const QStringList& paths, QString* error = nullptr) {
    QSignalSpy done(&c, &ChatController::conversationsImported), failed(&c, &ChatController::errorOccurred);
    QList<QUrl> urls;
    for (const QString& p : paths) urls << QUrl::fromLocalFile(p);
    if (!c.importConversations(urls)) return -2;
    if (!QTest::qWaitFor([&] { return !c.transfer()->busy(); }, 20000)) return -3;
    if (error) *error = failed.count() ? failed.at(0).at(0).toString() : QString();
    return done.count() == 1 ? done.at(0).at(0).toInt() : -1;
  }

  static QString text(ChatController& c, int row) {
    return c.messages()->index(row).data(MessageModel::TextRole).toString();
  }

 private slots:
  // What a file dropped on the window is taken for: an export is imported; any other file outside
  // a model folder goes into the message (text_attachment.h refuses what is not text, by name);
  // a model folder, a file of a model (its config.json or tokenizer.json too), and whatever the
  // model dialog explains (a GGUF, weights alone, a path that is not there) open the model dialog.
  void a_dropped_file_is_taken_for_what_it_is() {
    const QString model = dir_.filePath(QStringLiteral("drop/falcon-7b")),
                  other = dir_.filePath(QStringLiteral("drop/exports"));
    QDir().mkpath(model);
    QDir().mkpath(other);
    for (const QString& f :
         {model + "/config.json", model + "/tokenizer.json", model + "/README.md", other + "/chats.JSON",
          other + "/falcon.gguf", other + "/chatgpt-export.zip", other + "/notes.txt", other + "/photo.png",
          other + "/Makefile", other + "/model.safetensors", other + "/pytorch_model.bin"}) {
      QFile file(f);
      QVERIFY(file.open(QIODevice::WriteOnly));
    }
    QCOMPARE(ChatController::dropKind(other + "/chats.JSON"), QStringLiteral("conversations"));
    QCOMPARE(ChatController::dropKind(other + "/chatgpt-export.zip"), QStringLiteral("conversations"));
    QCOMPARE(ChatController::dropKind(model), QStringLiteral("model"));
    QCOMPARE(ChatController::dropKind(model + "/config.json"), QStringLiteral("model"));
    QCOMPARE(ChatController::dropKind(model + "/tokenizer.json"), QStringLiteral("model"));
    QCOMPARE(ChatController::dropKind(other + "/falcon.gguf"), QStringLiteral("model"));
    QCOMPARE(ChatController::dropKind(other + "/missing.json"), QStringLiteral("model"));
    QCOMPARE(ChatController::dropKind(other), QStringLiteral("model"));
    QCOMPARE(ChatController::dropKind(model + "/README.md"), QStringLiteral("model"));
    QCOMPARE(ChatController::dropKind(other + "/model.safetensors"), QStringLiteral("model"));
    QCOMPARE(ChatController::dropKind(other + "/pytorch_model.bin"), QStringLiteral("model"));
    QCOMPARE(ChatController::dropKind(other + "/notes.txt"), QStringLiteral("text"));
    QCOMPARE(ChatController::dropKind(other + "/Makefile"), QStringLiteral("text"));
    QCOMPARE(ChatController::dropKind(other + "/photo.png"), QStringLiteral("text"));  // refused by name
  }

  // Files put into the message: the text ones, in order, as code blocks; the others named in one
  // error, and the text ones still taken.
  void files_go_into_the_message_and_the_others_are_named() {
    auto c = make();
    const QString d = dir_.filePath(QStringLiteral("attach"));
    QDir().mkpath(d);
    auto put = [&](const QString& name, const QByteArray& bytes) {
      QFile f(d + QLatin1Char('/') + name);
      if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size()) qFatal("write");
      return f.fileName();
    };
    const QString a = put(QStringLiteral("a.py"), "print(1)\n"), b = put(QStringLiteral("b.txt"), "two\n"),
                  png = put(QStringLiteral("c.png"), QByteArray("\x89PNG\0\0", 6));
    QSignalSpy error(c.get(), &ChatController::errorOccurred);
    QSignalSpy ready(c.get(), &ChatController::attachmentsReady);
    c->attachFiles({a, png, b});  // no PDF: read at once
    QCOMPARE(ready.count(), 1);
    QCOMPARE(ready.at(0).at(0).toString(),
             attachment::quote(QStringLiteral("a.py"), QStringLiteral("print(1)")) + QStringLiteral("\n\n") +
                 attachment::quote(QStringLiteral("b.txt"), QStringLiteral("two")));
    QCOMPARE(error.count(), 1);
    QVERIFY2(error.at(0).at(0).toString().contains(QStringLiteral("c.png is not a text file")),
             qPrintable(error.at(0).at(0).toString()));
    c->attachFiles({a});
    QCOMPARE(ready.count(), 2);
    QCOMPARE(ready.at(1).at(0).toString(),
             attachment::quote(QStringLiteral("a.py"), QStringLiteral("print(1)")));
    QCOMPARE(error.count(), 1);  // nothing refused: no error
    c->attachFiles({png});
    QCOMPARE(ready.count(), 2);  // nothing to add: no Markdown
    QCOMPARE(error.count(), 2);
  }

  // A PDF between text files: its text comes from the helper process, in the files' order, while
  // the window goes on; picking another chat stops it (its text was for the other chat's message).
  void a_pdf_goes_into_the_message_in_its_place() {
    if (!QFileInfo(QString::fromStdString(falcon::doc_text_helper_path().string())).isExecutable())
      QSKIP("this build has no falcon-doc-text (no libpoppler-cpp)");
    std::unique_ptr<ChatController> c;
    QVERIFY(reopened_chat(c, {}) != 0);  // on a chat with messages
    const QString d = dir_.filePath(QStringLiteral("attach-pdf"));
    QDir().mkpath(d);
    QFile::copy(QStringLiteral(FALCON_FIXTURES_DIR "/pdf/plain.pdf"), d + QStringLiteral("/Report 2026.pdf"));
    QFile text(d + QStringLiteral("/notes.txt"));
    QVERIFY(text.open(QIODevice::WriteOnly) && text.write("first\n") == 6);
    text.close();
    QSignalSpy ready(c.get(), &ChatController::attachmentsReady);
    QSignalSpy error(c.get(), &ChatController::errorOccurred);
    QSignalSpy attaching(c.get(), &ChatController::attachingChanged);
    c->attachFiles({text.fileName(), d + QStringLiteral("/Report 2026.pdf")});
    QCOMPARE(ready.count(), 0);  // not yet: the PDF is read in its own process
    QCOMPARE(c->attachingFile(), QStringLiteral("Report 2026.pdf"));
    QVERIFY(ready.wait(30000));
    QCOMPARE(ready.at(0).at(0).toString(),
             attachment::quote(QStringLiteral("notes.txt"), QStringLiteral("first")) +
                 QStringLiteral("\n\n") +
                 attachment::quote(QStringLiteral("Report 2026.pdf"),
                                   QStringLiteral("Sealed text for the tests."), QStringLiteral("text")));
    QCOMPARE(error.count(), 0);
    QCOMPARE(c->attachingFile(), QString());
    QCOMPARE(attaching.count(), 2);

    // Another chat picked while the PDF is read: nothing comes, and nothing is left running.
    c->attachFiles({d + QStringLiteral("/Report 2026.pdf")});
    QCOMPARE(c->attachingFile(), QStringLiteral("Report 2026.pdf"));
    c->newConversation();
    QCOMPARE(c->attachingFile(), QString());
    // And cancelled by the user.
    c->attachFiles({d + QStringLiteral("/Report 2026.pdf")});
    QCOMPARE(c->attachingFile(), QStringLiteral("Report 2026.pdf"));
    c->cancelAttaching();
    QCOMPARE(c->attachingFile(), QString());
    QTest::qWait(500);
    QCOMPARE(ready.count(), 1);
    QCOMPARE(error.count(), 0);

    // The app closed while a PDF is read (a reader that hangs): the reader is killed with it.
    const QString hang = d + QStringLiteral("/hang.sh");
    QFile script(hang);
    QVERIFY(script.open(QIODevice::WriteOnly) &&
            script.write("#!/bin/sh\n: > \"$0.pid\"\nsleep 0.2\necho $$ > \"$0.pid\"\nexec sleep 60\n") > 0);
    script.close();
    QFile::setPermissions(hang, QFile::ReadOwner | QFile::ExeOwner);
    qputenv("FALCON_DOC_TEXT", hang.toLocal8Bit());
    std::unique_ptr<ChatController> closing = make();
    qunsetenv("FALCON_DOC_TEXT");
    closing->attachFiles({d + QStringLiteral("/Report 2026.pdf")});
    // The pid once its line is whole: the shell creates the file before it writes to it (the
    // script above waits between the two), and an empty read made the path "/proc/", which
    // exists forever (seen once in a loaded run of the tests).
    qint64 pid = 0;
    QVERIFY(QTest::qWaitFor(
        [&] {
          QFile pid_file(hang + QStringLiteral(".pid"));
          if (!pid_file.open(QIODevice::ReadOnly)) return false;
          const QByteArray line = pid_file.readAll();
          pid = line.endsWith('\n') ? line.trimmed().toLongLong() : 0;
          return pid > 0;
        },
        10000));
    const QString proc = QStringLiteral("/proc/") + QString::number(pid);
    QVERIFY(QFileInfo::exists(proc));
    closing.reset();
    QTRY_VERIFY_WITH_TIMEOUT(!QFileInfo::exists(proc), 5000);
  }

  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    // Settings (the last and recent models) of this run only, not of runs before it.
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope,
                       dir_.filePath(QStringLiteral("settings")));
  }
  // The settings file is written behind (app/settings_file.h): in the file before dir_ goes.
  void cleanupTestCase() { QVERIFY(SettingsFile::instance().flush()); }

  void send_without_model_explains_and_keeps_working() {
    auto c = make();
    QSignalSpy error(c.get(), &ChatController::errorOccurred);
    QVERIFY(!c->send(QStringLiteral("hello")));
    QCOMPARE(error.count(), 1);
    QVERIFY(error.at(0).at(0).toString().contains(QStringLiteral("No model")));
    QCOMPARE(c->conversations()->count(), 0);  // nothing was created
  }

  // An edit sent while a model loads is refused with the reason shown (it was refused silently,
  // and the editor, closed already, lost the edit); nothing is added, and it goes through later.
  void edit_while_a_model_loads_explains_and_changes_nothing() {
    auto c = make();
    loadModel(*c);
    QCOMPARE(sendAndWait(*c, QStringLiteral("first")), QStringLiteral("eos"));
    const qint64 user = c->messages()->index(0).data(MessageModel::IdRole).toLongLong();
    QSignalSpy error(c.get(), &ChatController::errorOccurred);
    c->loadModel(QUrl::fromLocalFile(QStringLiteral("/fake/other")), QStringLiteral("cpu"),
                 QStringLiteral("bf16"));
    QCOMPARE(c->modelState(), QStringLiteral("loading"));
    QVERIFY(!c->editAndResend(user, QStringLiteral("first, edited")));
    QCOMPARE(error.count(), 1);
    QVERIFY(error.at(0).at(0).toString().contains(QStringLiteral("still loading")));
    QVERIFY(!c->busy());
    QCOMPARE(text(*c, 0), QStringLiteral("first"));
    QCOMPARE(c->messages()->index(0).data(MessageModel::SiblingCountRole).toInt(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(c->modelState(), QStringLiteral("ready"), 5000);
    QSignalSpy finished(c.get(), &ChatController::replyFinished);
    QVERIFY(c->editAndResend(user, QStringLiteral("first, edited")));
    QVERIFY(finished.wait(10000));
    QCOMPARE(text(*c, 0), QStringLiteral("first, edited"));
  }

  void regenerate_and_continue_while_a_model_loads_explain() {
    FakeEngineOptions fo;
    fo.tokens_per_reply = 20;
    auto c = make(fo);
    loadModel(*c);
    c->sampling()->setMaxNewTokens(5);
    QCOMPARE(sendAndWait(*c, QStringLiteral("first")), QStringLiteral("length"));
    const qint64 reply = c->messages()->index(1).data(MessageModel::IdRole).toLongLong();
    const QString before = text(*c, 1);
    QSignalSpy error(c.get(), &ChatController::errorOccurred);
    c->loadModel(QUrl::fromLocalFile(QStringLiteral("/fake/other")), QStringLiteral("cpu"),
                 QStringLiteral("bf16"));
    QCOMPARE(c->modelState(), QStringLiteral("loading"));
    QVERIFY(!c->regenerate(reply));
    QVERIFY(!c->continueReply(reply));
    QCOMPARE(error.count(), 2);
    for (const auto& e : error) QVERIFY(e.at(0).toString().contains(QStringLiteral("still loading")));
    QVERIFY(!c->busy());
    QCOMPARE(text(*c, 1), before);
    QCOMPARE(c->messages()->index(1).data(MessageModel::SiblingCountRole).toInt(), 1);
    // Asking about something that cannot be regenerated stays a quiet no (no error): a user
    // message is not a reply.
    const qint64 user = c->messages()->index(0).data(MessageModel::IdRole).toLongLong();
    QVERIFY(!c->regenerate(user));
    QVERIFY(!c->continueReply(user));
    QCOMPARE(error.count(), 2);
    QTRY_COMPARE_WITH_TIMEOUT(c->modelState(), QStringLiteral("ready"), 5000);
    QSignalSpy finished(c.get(), &ChatController::replyFinished);
    QVERIFY(c->regenerate(reply));
    QVERIFY(finished.wait(10000));
    QCOMPARE(c->messages()->index(1).data(MessageModel::SiblingCountRole).toInt(), 2);
  }

  void drafts_outlive_the_app_and_go_with_their_chat() {
    ChatController::Options o;
    o.db_path = dir_.filePath(QStringLiteral("drafts.db"));
    o.engine = [] { return std::unique_ptr<ChatEngine>(new FakeEngine(FakeEngineOptions{})); };
    o.draft_save_ms = 600000;  // only the quit writes them
    qint64 a = 0, b = 0;
    const QString typed = QStringLiteral("  an unsent question,\nover two lines  ");
    {
      ChatController c(o);
      loadModel(c);
      QCOMPARE(sendAndWait(c, QStringLiteral("first chat")), QStringLiteral("eos"));
      a = c.currentConversationId();
      c.newConversation();
      QCOMPARE(sendAndWait(c, QStringLiteral("second chat")), QStringLiteral("eos"));
      b = c.currentConversationId();
      QVERIFY(a != 0 && b != 0 && a != b);
      c.setDraft(a, typed);
      c.setDraft(b, QStringLiteral("for b"));
      c.setDraft(0, QStringLiteral("for the new chat"));
      QCOMPARE(c.draft(a), typed);              // before it is written
      c.setDraft(b, QStringLiteral(" \n\t "));  // blank: no draft
      QCOMPARE(c.draft(b), QString());
    }  // quitting writes them
    {
      ConversationStore s(o.db_path.toStdString());
      QCOMPARE(QString::fromStdString(s.draft(a)), typed);  // as typed, spaces and all
      QCOMPARE(s.draft(b), std::string());
      QCOMPARE(s.draft(0), std::string("for the new chat"));
    }
    o.draft_save_ms = 20;
    ChatController c(o);
    QCOMPARE(c.draft(a), typed);
    QCOMPARE(c.draft(0), QStringLiteral("for the new chat"));
    // The conversation list marks chats with a draft, read from the store at start and updated
    // as one is typed (before it is written).
    auto listed_draft = [&c](qint64 id) {
      auto* list = c.conversations();
      for (int r = 0; r < list->rowCount(); ++r) {
        const QModelIndex i = list->index(r, 0);
        if (i.data(ConversationListModel::IdRole).toLongLong() == id)
          return i.data(ConversationListModel::DraftRole).toString();
      }
      return QStringLiteral("<no row>");
    };
    QCOMPARE(listed_draft(a), typed);
    QCOMPARE(listed_draft(b), QString());
    c.setDraft(b, QStringLiteral("typing in b"));
    QCOMPARE(listed_draft(b), QStringLiteral("typing in b"));
    c.reloadConversations();  // a reload before the write keeps what was typed
    QCOMPARE(listed_draft(b), QStringLiteral("typing in b"));
    // While the app runs, an edit reaches the store a moment later (a crash keeps it).
    c.setDraft(b, QStringLiteral("for b, again"));
    QTRY_COMPARE_WITH_TIMEOUT(QString::fromStdString(ConversationStore(o.db_path.toStdString()).draft(b)),
                              QStringLiteral("for b, again"), 5000);
    // Deleting a chat deletes its draft, once the delete is final (until then Undo brings both back).
    c.deleteConversation(b);
    QCOMPARE(c.draft(b), QStringLiteral("for b, again"));
    c.undoDelete();
    QCOMPARE(c.draft(b), QStringLiteral("for b, again"));
    c.deleteConversation(b);
    c.setDraft(b, QStringLiteral("written late"));  // a write for the chat being deleted
    QSignalSpy error(&c, &ChatController::errorOccurred);
    c.deleteConversation(a);  // makes b's delete final
    c.saveDrafts();
    QCOMPARE(c.draft(b), QString());
    QCOMPARE(ConversationStore(o.db_path.toStdString()).draft(b), std::string());
    QVERIFY(error.isEmpty());
    c.undoDelete();  // a comes back, with its draft
    QCOMPARE(c.draft(a), typed);

    // A store that cannot take the draft: one message, the draft kept in memory and written once
    // the store can take it again.
    sqlite3* raw = nullptr;
    QCOMPARE(sqlite3_open(o.db_path.toUtf8().constData(), &raw), SQLITE_OK);
    QCOMPARE(sqlite3_exec(raw, "ALTER TABLE drafts RENAME TO drafts_away", nullptr, nullptr, nullptr),
             SQLITE_OK);
    c.setDraft(a, QStringLiteral("kept through a failure"));
    c.saveDrafts();
    c.setDraft(0, QStringLiteral("and another"));
    c.saveDrafts();
    QCOMPARE(error.count(), 1);
    QVERIFY(error.at(0).at(0).toString().contains(QStringLiteral("could not be saved")));
    QCOMPARE(c.draft(a), QStringLiteral("kept through a failure"));
    QCOMPARE(sqlite3_exec(raw, "ALTER TABLE drafts_away RENAME TO drafts", nullptr, nullptr, nullptr),
             SQLITE_OK);
    sqlite3_close(raw);
    c.saveDrafts();
    QCOMPARE(error.count(), 1);
    ConversationStore s(o.db_path.toStdString());
    QCOMPARE(s.draft(a), std::string("kept through a failure"));
    QCOMPARE(s.draft(0), std::string("and another"));
  }

  void send_streams_a_reply_into_a_new_conversation() {
    FakeEngineOptions fo;
    fo.tokens_per_reply = 50;
    auto c = make(fo);
    loadModel(*c);
    QSignalSpy current(c.get(), &ChatController::currentConversationChanged);
    QSignalSpy busy(c.get(), &ChatController::busyChanged);
    QCOMPARE(sendAndWait(*c, QStringLiteral("  What is a falcon?  ")), QStringLiteral("eos"));
    QVERIFY(!c->busy());
    QVERIFY(busy.count() >= 2);
    QVERIFY(current.count() >= 1);
    QVERIFY(c->currentConversationId() != 0);
    QCOMPARE(c->currentTitle(), QStringLiteral("What is a falcon?"));
    QCOMPARE(c->conversations()->count(), 1);
    QCOMPARE(c->messages()->count(), 2);
    QCOMPARE(text(*c, 0), QStringLiteral("What is a falcon?"));
    QVERIFY(text(*c, 1).startsWith(QStringLiteral("word0 word1 word2")));
    QVERIFY(text(*c, 1).endsWith(QStringLiteral("word49")));
    const QModelIndex reply = c->messages()->index(1);
    QCOMPARE(reply.data(MessageModel::StopReasonRole).toString(), QStringLiteral("eos"));
    QVERIFY(reply.data(MessageModel::TtftMsRole).isValid());
    QVERIFY(c->lastTokensPerSecond() > 0);
    QVERIFY(c->contextRecent() > 0);
    // The store holds the same as the view.
    ConversationStore store(c->databasePath().toStdString());
    const auto path = store.active_path(c->currentConversationId());
    QCOMPARE(path.size(), size_t(2));
    QCOMPARE(QString::fromStdString(path[1].text), text(*c, 1));
  }

  void regenerate_edit_delete_copy_and_branch_navigation() {
    FakeEngineOptions fo;
    fo.tokens_per_reply = 20;
    auto c = make(fo);
    loadModel(*c);
    QCOMPARE(sendAndWait(*c, QStringLiteral("first")), QStringLiteral("eos"));
    const qint64 reply1 = c->messages()->index(1).data(MessageModel::IdRole).toLongLong();

    QSignalSpy finished(c.get(), &ChatController::replyFinished);
    QVERIFY(c->regenerate(reply1));
    QVERIFY(finished.wait(10000));
    QCOMPARE(c->messages()->count(), 2);
    const QModelIndex r2 = c->messages()->index(1);
    const qint64 reply2 = r2.data(MessageModel::IdRole).toLongLong();
    QVERIFY(reply2 != reply1);
    QCOMPARE(r2.data(MessageModel::SiblingIndexRole).toInt(), 1);
    QCOMPARE(r2.data(MessageModel::SiblingCountRole).toInt(), 2);

    c->switchSibling(reply2, -1);  // ‹
    QCOMPARE(c->messages()->index(1).data(MessageModel::IdRole).toLongLong(), reply1);
    QCOMPARE(c->messages()->index(1).data(MessageModel::SiblingIndexRole).toInt(), 0);
    c->switchSibling(reply1, -1);  // already the first: nothing happens
    QCOMPARE(c->messages()->index(1).data(MessageModel::IdRole).toLongLong(), reply1);
    c->switchSibling(reply1, +1);  // ›
    QCOMPARE(c->messages()->index(1).data(MessageModel::IdRole).toLongLong(), reply2);

    // Edit and resend: a new user sibling with its own reply.
    const qint64 user1 = c->messages()->index(0).data(MessageModel::IdRole).toLongLong();
    finished.clear();
    QVERIFY(c->editAndResend(user1, QStringLiteral("first, edited")));
    QVERIFY(finished.wait(10000));
    QCOMPARE(c->messages()->count(), 2);
    QCOMPARE(text(*c, 0), QStringLiteral("first, edited"));
    QCOMPARE(c->messages()->index(0).data(MessageModel::SiblingCountRole).toInt(), 2);
    c->switchSibling(c->messages()->index(0).data(MessageModel::IdRole).toLongLong(), -1);
    QCOMPARE(text(*c, 0), QStringLiteral("first"));
    QCOMPARE(c->messages()->index(1).data(MessageModel::IdRole).toLongLong(), reply2);  // its newest branch

    // Delete a message: it and its reply go.
    QCOMPARE(sendAndWait(*c, QStringLiteral("second")), QStringLiteral("eos"));
    QCOMPARE(c->messages()->count(), 4);
    c->deleteMessage(c->messages()->index(2).data(MessageModel::IdRole).toLongLong());
    QCOMPARE(c->messages()->count(), 2);

    // Copy the last reply (Ctrl+Shift+C).
    QSignalSpy copied(c.get(), &ChatController::copied);
    QVERIFY(c->copyLastReply());
    QCOMPARE(copied.count(), 1);
    QCOMPARE(QGuiApplication::clipboard()->text(), text(*c, 1));
  }

  void continue_extends_a_cut_reply() {
    FakeEngineOptions fo;
    fo.tokens_per_reply = 20;
    auto c = make(fo);
    loadModel(*c);
    QSignalSpy finished(c.get(), &ChatController::replyFinished);
    QSignalSpy error(c.get(), &ChatController::errorOccurred);
    c->sampling()->setMaxNewTokens(5);
    QCOMPARE(sendAndWait(*c, QStringLiteral("second")), QStringLiteral("length"));
    const QModelIndex cut = c->messages()->index(1);
    QVERIFY(cut.data(MessageModel::CanContinueRole).toBool());
    const qint64 cut_id = cut.data(MessageModel::IdRole).toLongLong();
    const QString before = text(*c, 1);
    QCOMPARE(before, QStringLiteral("word0 word1 word2 word3 word4"));
    QVERIFY(
        !c->continueReply(c->messages()->index(0).data(MessageModel::IdRole).toLongLong()));  // not a reply
    finished.clear();
    QVERIFY(c->continueReply(cut_id));
    // ChatSession::continue_reply (and the fake, which writes the store the same way) reopen
    // the finished reply and extend it in place.
    QVERIFY(finished.wait(5000) && error.isEmpty());
    QCOMPARE(c->messages()->index(1).data(MessageModel::IdRole).toLongLong(), cut_id);
    QCOMPARE(text(*c, 1), before + QStringLiteral(" word0 word1 word2 word3 word4"));
  }

  void stop_cancels_a_streaming_reply() {
    FakeEngineOptions fo;
    fo.tokens_per_reply = 1000000;
    fo.token_delay_us = 100;
    auto c = make(fo);
    loadModel(*c);
    c->sampling()->setMaxNewTokens(32768);
    QSignalSpy finished(c.get(), &ChatController::replyFinished);
    QVERIFY(c->send(QStringLiteral("long one")));
    QVERIFY(!c->send(QStringLiteral("second while busy")));   // one reply at a time
    QTRY_VERIFY_WITH_TIMEOUT(text(*c, 1).size() > 20, 5000);  // it is streaming into the view
    QVERIFY(c->messages()->index(1).data(MessageModel::StreamingRole).toBool());
    c->stop();
    QVERIFY(finished.wait(5000));
    QCOMPARE(finished.at(0).at(1).toString(), QStringLiteral("cancelled"));
    QVERIFY(!c->busy());
    QVERIFY(c->messages()->index(1).data(MessageModel::CanContinueRole).toBool());
    QVERIFY(!c->messages()->index(1).data(MessageModel::StreamingRole).toBool());
  }

  void conversations_rename_pin_archive_delete_undo() {
    auto c = make({}, 100);
    loadModel(*c);
    QCOMPARE(sendAndWait(*c, QStringLiteral("one")), QStringLiteral("eos"));
    const qint64 first = c->currentConversationId();
    c->newConversation();
    QCOMPARE(c->currentConversationId(), qint64(0));
    QCOMPARE(c->messages()->count(), 0);
    QCOMPARE(sendAndWait(*c, QStringLiteral("two")), QStringLiteral("eos"));
    const qint64 second = c->currentConversationId();
    QVERIFY(second != first);
    QCOMPARE(c->conversations()->count(), 2);
    QCOMPARE(c->conversations()->idAt(0), second);

    QVERIFY(c->renameConversation(first, QStringLiteral("  Renamed   chat ")));
    QVERIFY(!c->renameConversation(first, QStringLiteral("   ")));
    c->setPinned(first, true);
    QCOMPARE(c->conversations()->idAt(0), first);
    QCOMPARE(c->conversations()->index(0, 0).data(ConversationListModel::TitleRole).toString(),
             QStringLiteral("Renamed chat"));

    c->setArchived(second, true);
    QCOMPARE(c->conversations()->count(), 1);
    c->conversations()->setShowArchived(true);
    QCOMPARE(c->conversations()->count(), 1);
    QCOMPARE(c->conversations()->idAt(0), second);
    c->conversations()->setShowArchived(false);

    // Delete with undo: hidden at once, back on undo, gone after the undo time.
    c->selectConversation(first);
    QCOMPARE(c->messages()->count(), 2);
    c->deleteConversation(first);
    QVERIFY(c->canUndoDelete());
    QCOMPARE(c->pendingDeleteTitle(), QStringLiteral("Renamed chat"));
    QCOMPARE(c->conversations()->count(), 0);
    QCOMPARE(c->currentConversationId(), qint64(0));  // the open chat was the deleted one
    c->undoDelete();
    QVERIFY(!c->canUndoDelete());
    QCOMPARE(c->conversations()->count(), 1);
    c->deleteConversation(first);
    QTRY_VERIFY_WITH_TIMEOUT(!c->canUndoDelete(), 3000);
    ConversationStore store(c->databasePath().toStdString());
    QCOMPARE(store.count_conversations(ArchiveFilter::All), 1);
    QVERIFY_EXCEPTION_THROWN(store.conversation(first), StoreError);
  }

  void a_second_delete_while_the_first_can_be_undone() {
    auto c = make({}, 60000);
    loadModel(*c);
    QCOMPARE(sendAndWait(*c, QStringLiteral("first chat")), QStringLiteral("eos"));
    const qint64 first = c->currentConversationId();
    c->newConversation();
    QCOMPARE(sendAndWait(*c, QStringLiteral("second chat")), QStringLiteral("eos"));
    const qint64 second = c->currentConversationId();
    c->newConversation();
    QCOMPARE(sendAndWait(*c, QStringLiteral("third chat")), QStringLiteral("eos"));
    c->deleteConversation(first);
    QCOMPARE(c->pendingDeleteTitle(), QStringLiteral("first chat"));
    // The second delete makes the first final (the list is read again) and offers its own undo
    // with its own title (it read the title from the list as it was before: freed memory).
    c->deleteConversation(second);
    QCOMPARE(c->pendingDeleteTitle(), QStringLiteral("second chat"));
    QCOMPARE(c->conversations()->count(), 1);
    {
      ConversationStore store(c->databasePath().toStdString());
      QCOMPARE(store.count_conversations(ArchiveFilter::All), 2);  // first gone, second undoable
      QVERIFY_EXCEPTION_THROWN(store.conversation(first), StoreError);
    }
    c->undoDelete();
    QCOMPARE(c->conversations()->count(), 2);
    // Deleting the one whose delete is pending (not reachable from the list, where it is hidden)
    // makes it final once, without an error about a chat that is gone.
    QSignalSpy error(c.get(), &ChatController::errorOccurred);
    c->deleteConversation(second);
    c->deleteConversation(second);
    QVERIFY(!c->canUndoDelete());
    QVERIFY(error.isEmpty());
    QCOMPARE(c->conversations()->count(), 1);
  }

  void alt_up_and_down_walk_the_list_as_shown() {
    auto c = make();
    loadModel(*c);
    std::vector<qint64> ids;
    for (const char* t : {"oldest", "middle", "newest"}) {
      c->newConversation();
      QCOMPARE(sendAndWait(*c, QString::fromLatin1(t)), QStringLiteral("eos"));
      ids.push_back(c->currentConversationId());
    }
    // The list shows the newest first: newest, middle, oldest.
    QCOMPARE(c->currentConversationId(), ids[2]);
    QVERIFY(!c->selectAdjacentConversation(-1));  // already at the top
    QVERIFY(c->selectAdjacentConversation(1));
    QCOMPARE(c->currentConversationId(), ids[1]);
    QCOMPARE(text(*c, 0), QStringLiteral("middle"));  // its messages are open
    QVERIFY(c->selectAdjacentConversation(1));
    QCOMPARE(c->currentConversationId(), ids[0]);
    QVERIFY(!c->selectAdjacentConversation(1));  // the bottom
    QCOMPARE(c->currentConversationId(), ids[0]);
    QVERIFY(c->selectAdjacentConversation(-1));
    QCOMPARE(c->currentConversationId(), ids[1]);
    // A pinned chat moves to the top of the list, and the walk follows the list.
    c->setPinned(ids[0], true);
    QVERIFY(c->selectAdjacentConversation(-1));
    QCOMPARE(c->currentConversationId(), ids[2]);
    QVERIFY(c->selectAdjacentConversation(-1));
    QCOMPARE(c->currentConversationId(), ids[0]);
    // A new chat sits above the list: down opens the top chat, up does nothing.
    c->newConversation();
    QVERIFY(!c->selectAdjacentConversation(-1));
    QCOMPARE(c->currentConversationId(), qint64(0));
    QVERIFY(c->selectAdjacentConversation(1));
    QCOMPARE(c->currentConversationId(), ids[0]);
    // Archived chats are not in the list, so they are stepped over.
    c->setArchived(ids[2], true);
    QVERIFY(c->selectAdjacentConversation(1));
    QCOMPARE(c->currentConversationId(), ids[1]);
  }

  void export_dialog_proposes_the_title_as_a_file_name() {
    auto c = make();
    loadModel(*c);
    QCOMPARE(sendAndWait(*c, QStringLiteral("What is 2/3 of 9? <html> \"quoted\": a|b*c")),
             QStringLiteral("eos"));
    const qint64 id = c->currentConversationId();
    QTemporaryDir out;
    auto suggested = [&](const QString& format) {
      return c->suggestedExportFile(id, format, out.path()).toLocalFile();
    };
    // Characters no file system takes become spaces, collapsed; the extension follows the format.
    QCOMPARE(suggested(QStringLiteral("markdown")),
             out.filePath(QStringLiteral("What is 2 3 of 9 html quoted a b c.md")));
    QCOMPARE(suggested(QStringLiteral("json")),
             out.filePath(QStringLiteral("What is 2 3 of 9 html quoted a b c.json")));
    // An existing file is not proposed again.
    QCOMPARE(exportAndWait(*c, id, suggested(QStringLiteral("markdown")), QStringLiteral("markdown")),
             QString());
    QCOMPARE(suggested(QStringLiteral("markdown")),
             out.filePath(QStringLiteral("What is 2 3 of 9 html quoted a b c (2).md")));
    // A title cut short at creation loses its ellipsis; a hidden-file dot and an empty title are
    // not file names.
    QVERIFY(c->renameConversation(id, QStringLiteral("A long title\u2026")));
    QCOMPARE(suggested(QStringLiteral("markdown")), out.filePath(QStringLiteral("A long title.md")));
    QVERIFY(c->renameConversation(id, QStringLiteral("..hidden")));
    QCOMPARE(suggested(QStringLiteral("json")), out.filePath(QStringLiteral("hidden.json")));
    // A long title is cut to 80 characters, never between the halves of an emoji.
    QString long_title =
        QString(79, QLatin1Char('x')) + QString::fromUtf8("\xf0\x9f\xa6\x85") + QStringLiteral(" more");
    QVERIFY(c->renameConversation(id, long_title));
    QCOMPARE(QFileInfo(suggested(QStringLiteral("json"))).fileName(),
             QString(79, QLatin1Char('x')) + QStringLiteral(".json"));
    QVERIFY(c->renameConversation(id, QStringLiteral("///")));
    QCOMPARE(suggested(QStringLiteral("json")), out.filePath(QStringLiteral("conversation.json")));
    // A title holding "%2" keeps it when the name needs a number (it was replaced by the number).
    QVERIFY(c->renameConversation(id, QStringLiteral("Save 100%2 now")));
    QCOMPARE(exportAndWait(*c, id, suggested(QStringLiteral("json")), QStringLiteral("json")), QString());
    QCOMPARE(suggested(QStringLiteral("json")), out.filePath(QStringLiteral("Save 100%2 now (2).json")));
    // No folder given, or one that is gone: Documents or home, an existing folder either way.
    QVERIFY(QFileInfo(ChatController::documentsFolder()).isDir());
    QCOMPARE(QFileInfo(c->suggestedExportFile(id, QStringLiteral("json")).toLocalFile()).absolutePath(),
             QFileInfo(ChatController::documentsFolder()).absoluteFilePath());
    QCOMPARE(
        QFileInfo(c->suggestedExportFile(id, QStringLiteral("json"), out.filePath(QStringLiteral("gone")))
                      .toLocalFile())
            .absolutePath(),
        QFileInfo(ChatController::documentsFolder()).absoluteFilePath());
  }

  void system_prompt_and_sampling_are_per_conversation() {
    auto c = make();
    loadModel(*c);
    c->setSystemPrompt(QStringLiteral("You are terse."));
    c->sampling()->setTemperature(0.3);
    QCOMPARE(sendAndWait(*c, QStringLiteral("a")), QStringLiteral("eos"));
    const qint64 a = c->currentConversationId();
    c->newConversation();
    QCOMPARE(float(c->sampling()->temperature()), SamplingSettings{}.temperature);  // defaults again
    QCOMPARE(sendAndWait(*c, QStringLiteral("b")), QStringLiteral("eos"));
    const qint64 b = c->currentConversationId();
    c->sampling()->setTopK(3);
    c->setSystemPrompt(QStringLiteral("You are verbose."));
    c->selectConversation(a);
    QCOMPARE(c->systemPrompt(), QStringLiteral("You are terse."));
    QCOMPARE(float(c->sampling()->temperature()), 0.3f);
    QCOMPARE(c->sampling()->topK(), SamplingSettings{}.top_k);
    c->selectConversation(b);
    QCOMPARE(c->systemPrompt(), QStringLiteral("You are verbose."));
    QCOMPARE(c->sampling()->topK(), 3);
    ConversationStore store(c->databasePath().toStdString());
    QCOMPARE(store.conversation(b).system_prompt, std::string("You are verbose."));
    QVERIFY(
        QString::fromStdString(store.conversation(b).sampling_json).contains(QStringLiteral("\"top_k\":3")));
  }

  void search_export_and_import() {
    auto c = make();
    loadModel(*c);
    QCOMPARE(sendAndWait(*c, QStringLiteral("Tell me about peregrine falcons")), QStringLiteral("eos"));
    const qint64 conv = c->currentConversationId();
    c->setSearchQuery(QStringLiteral("peregr"));
    QCOMPARE(c->searchResults()->count(), 1);
    QVERIFY(c->searchResults()
                ->index(0)
                .data(SearchResultsModel::SnippetRole)
                .toString()
                .contains(QStringLiteral("<b>peregrine</b>")));
    c->newConversation();
    c->openSearchHit(conv, c->searchResults()->index(0).data(SearchResultsModel::MessageIdRole).toLongLong());
    QCOMPARE(c->currentConversationId(), conv);

    const QString md = dir_.filePath(QStringLiteral("chat.md"));
    const QString json = dir_.filePath(QStringLiteral("chat.json"));
    QCOMPARE(exportAndWait(*c, conv, md, QStringLiteral("markdown")), QString());
    QCOMPARE(exportAndWait(*c, conv, json, QStringLiteral("json")), QString());
    QFile f(md);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QVERIFY(f.readAll().contains("Tell me about peregrine falcons"));
    QCOMPARE(importAndWait(*c, {json}), 1);
    QCOMPARE(c->conversations()->count(), 2);
    QVERIFY(c->currentConversationId() != conv);  // the imported copy is opened
    QCOMPARE(c->messages()->count(), 2);
    QCOMPARE(text(*c, 0), QStringLiteral("Tell me about peregrine falcons"));
    QCOMPARE(c->searchResults()->count(), 2);  // the search shown finds the copy too

    QString error;
    QCOMPARE(importAndWait(*c, {md}, &error), -1);  // not JSON: refused, readable
    QVERIFY2(error.startsWith(QStringLiteral("Nothing was imported: chat.md: not valid JSON")),
             qPrintable(error));
    QVERIFY2(!error.contains(QStringLiteral("nothing was imported")), qPrintable(error));  // said once
    QCOMPARE(importAndWait(*c, {dir_.filePath(QStringLiteral("missing.json"))}, &error), -1);
    QVERIFY2(error.contains(QStringLiteral("missing.json: ")), qPrintable(error));
    QVERIFY(exportAndWait(*c, conv, QStringLiteral("/proc/nope/x.md"), QStringLiteral("markdown"))
                .startsWith(QStringLiteral("Could not write /proc/nope/x.md")));
    // Right to left (Arabic), the file's name and path keep their direction in isolates (the
    // transfer thread learns the direction when the job is queued).
    QGuiApplication::setLayoutDirection(Qt::RightToLeft);
    const int refused = importAndWait(*c, {md}, &error);
    const QString export_error =
        exportAndWait(*c, conv, QStringLiteral("/proc/nope/x.md"), QStringLiteral("markdown"));
    QGuiApplication::setLayoutDirection(Qt::LeftToRight);
    QCOMPARE(refused, -1);
    QVERIFY2(error.contains(QStringLiteral("\u2068chat.md\u2069: not valid JSON")), qPrintable(error));
    QVERIFY2(export_error.contains(QStringLiteral("\u2068/proc/nope/x.md\u2069")), qPrintable(export_error));
    QCOMPARE(c->conversations()->count(), 2);
  }

  // Every conversation in one file (conversation 0), read back into another database whole; a
  // file among several that cannot be imported is named, and the others come in.
  void all_conversations_export_and_several_files_import() {
    auto c = make();
    loadModel(*c);
    for (const QString& t :
         {QStringLiteral("first chat"), QStringLiteral("second chat"), QStringLiteral("third chat")}) {
      c->newConversation();
      QCOMPARE(sendAndWait(*c, t), QStringLiteral("eos"));
    }
    const QString suggested = c->suggestedExportFile(0, QStringLiteral("json"), dir_.path()).toLocalFile();
    QVERIFY2(QFileInfo(suggested).fileName().startsWith(QStringLiteral("falcon-chat conversations 20")),
             qPrintable(suggested));
    const QString all = dir_.filePath(QStringLiteral("all.json")),
                  all_md = dir_.filePath(QStringLiteral("all.md"));
    QCOMPARE(exportAndWait(*c, 0, all, QStringLiteral("json")), QString());
    QCOMPARE(exportAndWait(*c, 0, all_md, QStringLiteral("markdown")), QString());
    {
      ConversationStore direct(c->databasePath().toStdString());
      QFile f(all);
      QVERIFY(f.open(QIODevice::ReadOnly));
      QCOMPARE(f.readAll().toStdString(), direct.export_json());  // what the store itself writes
      QFile m(all_md);
      QVERIFY(m.open(QIODevice::ReadOnly));
      QCOMPARE(m.readAll().toStdString(), direct.export_markdown());
    }

    auto d = make();
    QFile bad(dir_.filePath(QStringLiteral("notes.json")));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write("{\"format\": \"something else\"}");
    bad.close();
    QString error;
    QCOMPARE(importAndWait(*d, {bad.fileName(), all, dir_.filePath(QStringLiteral("gone.json"))}, &error),
             -1);
    QVERIFY2(error.startsWith(QStringLiteral("Imported 3 conversation(s), but not: notes.json: ")),
             qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("\ngone.json: ")), qPrintable(error));
    QCOMPARE(d->conversations()->count(), 3);
    QCOMPARE(d->currentTitle(), QStringLiteral("third chat"));  // the imported chat highest in the list
    ConversationStore imported(d->databasePath().toStdString());
    QCOMPARE(imported.export_json(), ConversationStore(c->databasePath().toStdString()).export_json());

    // A chat deleted a moment ago, its Undo still offered, is not in a file of all of them: the
    // delete becomes final first.
    const qint64 second = c->conversations()->idAt(1);
    c->deleteConversation(second);
    QVERIFY(c->canUndoDelete());
    const QString after_delete = dir_.filePath(QStringLiteral("after-delete.json"));
    QCOMPARE(exportAndWait(*c, 0, after_delete, QStringLiteral("json")), QString());
    QVERIFY(!c->canUndoDelete());
    QFile f(after_delete);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray written = f.readAll();
    QVERIFY(written.contains("first chat") && written.contains("third chat"));
    QVERIFY(!written.contains("second chat"));
  }

  // Why a whole file is refused is said in the user's language (the engine's reasons are English).
  void import_refusals_in_the_users_language() {
    auto c = make();
    auto put = [&](const QString& name, const QByteArray& bytes) {
      QFile f(dir_.filePath(name));
      if (!f.open(QIODevice::WriteOnly)) qFatal("cannot write %s", qPrintable(f.fileName()));
      f.write(bytes);
      return f.fileName();
    };
    const QString other = put(QStringLiteral("settings.json"), "{\"theme\": \"dark\"}");
    const QString zip = put(QStringLiteral("chatgpt-export.zip"), QByteArray("PK\x03\x04\x14\x00rest", 10));
    const QString text = put(QStringLiteral("notes.json"), "# not JSON");
    const QString newer =
        put(QStringLiteral("newer.json"),
            "{\"format\": \"falcon-chat-conversations\", \"version\": 99, \"conversations\": []}");
    QString english;
    QCOMPARE(importAndWait(*c, {other, zip, text, newer}, &english), -1);
    for (const char* reason : {falcon::kImportNotAnExport, falcon::kImportZip, falcon::kImportNotJson})
      QVERIFY2(english.contains(QLatin1String(reason)), qPrintable(english));
    QVERIFY2(english.contains(QStringLiteral("newer falcon-chat")), qPrintable(english));

    QTranslator de;
    QVERIFY(de.load(QStringLiteral(FALCON_BINARY_DIR "/app/falcon-chat_de.qm")));
    QCoreApplication::installTranslator(&de);
    QString german;
    QCOMPARE(importAndWait(*c, {other, zip, text, newer}, &german), -1);
    QCoreApplication::removeTranslator(&de);
    QVERIFY2(german.startsWith(QStringLiteral("Nichts wurde importiert: settings.json: ")),
             qPrintable(german));
    for (const char* english_words : {"not an export", "ZIP archive", "not valid JSON", "newer falcon-chat"})
      QVERIFY2(!german.contains(QLatin1String(english_words)), qPrintable(german));
    QCOMPARE(german.count(QLatin1Char('\n')), 3);  // one line per file
  }

  // The window goes on while an import runs on the transfer's thread; cancelling it (or quitting)
  // rolls it back whole.
  void import_runs_beside_the_window_and_can_be_cancelled() {
    QString json;
    {
      auto src = make();
      loadModel(*src);
      QCOMPARE(sendAndWait(*src, QStringLiteral("kept apart")), QStringLiteral("eos"));
      json = dir_.filePath(QStringLiteral("one.json"));
      QCOMPARE(exportAndWait(*src, 0, json, QStringLiteral("json")), QString());
    }
    auto c = make();
    loadModel(*c);
    QCOMPARE(sendAndWait(*c, QStringLiteral("already here")), QStringLiteral("eos"));
    QSemaphore gate, at_gate;
    c->transfer()->before_job = [&] {
      at_gate.release();
      gate.acquire();
    };
    QSignalSpy done(c.get(), &ChatController::conversationsImported);
    QVERIFY(c->importConversations({QUrl::fromLocalFile(json)}));
    QVERIFY(c->importConversations({QUrl::fromLocalFile(json)}));  // queued behind the first
    QVERIFY(c->transfer()->busy());
    // The first has left the queue (a job cancelled before its thread takes it is dropped, as the
    // second is below): on a loaded machine the thread can take longer than the reply that follows.
    QVERIFY(at_gate.tryAcquire(1, 10000));
    // Meanwhile the window works: a rename, a reply.
    QVERIFY(c->renameConversation(c->currentConversationId(), QStringLiteral("renamed meanwhile")));
    QCOMPARE(sendAndWait(*c, QStringLiteral("and a reply")), QStringLiteral("eos"));
    QCOMPARE(c->transfer()->imports(), 2);
    c->transfer()->cancel();  // the first has started (its thread waits at the gate); the second is dropped
    QCOMPARE(c->transfer()->imports(), 1);
    gate.release();
    QTRY_VERIFY_WITH_TIMEOUT(!c->transfer()->busy(), 10000);
    QCOMPARE(c->transfer()->imports(), 0);
    QCOMPARE(done.count(), 1);
    QCOMPARE(done.at(0).at(0).toInt(), 0);
    QVERIFY(done.at(0).at(1).toBool());  // cancelled
    QCOMPARE(c->conversations()->count(), 1);

    // Not cancelled, it comes in and reports its progress on the way.
    QSignalSpy progress(c->transfer(), &ConversationTransfer::progressChanged);
    int most = 0;
    connect(c->transfer(), &ConversationTransfer::progressChanged, this, [&] {
      most = std::max(most, c->transfer()->total());
      QVERIFY(c->transfer()->kind().isEmpty() || c->transfer()->kind() == QLatin1String("import"));
    });
    gate.release();
    QCOMPARE(importAndWait(*c, {json}), 1);
    QCOMPARE(most, 1);
    QCOMPARE(c->conversations()->count(), 2);
    QCOMPARE(c->transfer()->kind(), QString());

    // The user went on meanwhile (another chat opened): the import does not take them away from it.
    c->transfer()->before_job = {};
    const qint64 before = c->currentConversationId();
    QVERIFY(c->importConversations({QUrl::fromLocalFile(json)}));
    c->newConversation();
    QTRY_VERIFY_WITH_TIMEOUT(!c->transfer()->busy(), 10000);
    QCOMPARE(c->currentConversationId(), qint64(0));
    QCOMPARE(c->conversations()->count(), 3);
    c->selectConversation(before);
    c->transfer()->before_job = [&] { gate.acquire(); };

    // Quitting in the middle: the import is rolled back, nothing half-written stays.
    QVERIFY(c->importConversations({QUrl::fromLocalFile(json)}));
    const QString db = c->databasePath();
    std::thread opener([&] {
      QThread::msleep(100);
      gate.release();
    });
    c.reset();  // cancels, and waits for the thread (which waits at the gate for 100 ms)
    opener.join();
    ConversationStore after(db.toStdString());
    QCOMPARE(after.count_conversations(ArchiveFilter::All), int64_t(3));
    QCOMPARE(after.integrity_check(), std::string("ok"));
  }

  // An import still queued (behind an export) when the user cancels is dropped, and says so: one
  // report that it was cancelled with nothing imported (the window's "Import cancelled" toast),
  // while the export goes on and is written.
  void import_cancelled_while_queued_says_so() {
    auto c = make();
    loadModel(*c);
    QCOMPARE(sendAndWait(*c, QStringLiteral("to export")), QStringLiteral("eos"));
    const QString json = dir_.filePath(QStringLiteral("queued.json"));
    QCOMPARE(exportAndWait(*c, 0, json, QStringLiteral("json")), QString());
    QSemaphore gate, at_gate;
    c->transfer()->before_job = [&] {
      at_gate.release();
      gate.acquire();
    };
    const auto open_gate = qScopeGuard([&] {  // a failed check never hangs: the thread goes on
      gate.release(2);
      c.reset();  // and is joined while the gate is still there
    });
    QSignalSpy imported(c.get(), &ChatController::conversationsImported),
        exported(c.get(), &ChatController::exported);
    const QString md = dir_.filePath(QStringLiteral("during.md"));
    QVERIFY(c->exportConversation(0, QUrl::fromLocalFile(md), QStringLiteral("markdown")));
    QVERIFY(at_gate.tryAcquire(1, 10000));                         // the export is on the thread
    QVERIFY(c->importConversations({QUrl::fromLocalFile(json)}));  // queued behind it
    QCOMPARE(c->transfer()->imports(), 1);                         // the bar offers to cancel it
    c->transfer()->cancel();
    QCOMPARE(c->transfer()->imports(), 0);
    QCOMPARE(imported.count(), 1);
    QCOMPARE(imported.at(0).at(0).toInt(), 0);
    QVERIFY(imported.at(0).at(1).toBool());  // cancelled
    QVERIFY(c->transfer()->busy());          // the export is not cancelled
    gate.release();
    QTRY_VERIFY_WITH_TIMEOUT(!c->transfer()->busy(), 10000);
    QCOMPARE(exported.count(), 1);
    QVERIFY(QFileInfo(md).size() > 0);
    QCOMPARE(imported.count(), 1);
    QCOMPARE(c->conversations()->count(), 1);  // the queued import never ran
    // A cancel with nothing queued reports nothing.
    c->transfer()->cancel();
    QCOMPARE(imported.count(), 1);
  }

  void status_bar_shows_backend_format_and_memory() {
    FakeEngineOptions fo;
    fo.memory.weights_bytes = 7ull << 29;  // 3.5 GiB
    fo.memory.cache_bytes = 256ull << 20;
    fo.memory.on_device = true;
    fo.memory.weight_format = "int8";
    auto c = make(fo);
    QCOMPARE(c->statusText(), QString());
    {
      // With the device's used/total known (a GPU of 80 GiB with 40 in use):
      FakeEngineOptions g = fo;
      g.memory.device_used = 40ull << 30;
      g.memory.device_total = 80ull << 30;
      auto cg = make(g);
      loadModel(*cg);
      QCOMPARE(cg->memoryText(),
               QStringLiteral("weights 3.50 GiB + cache 256.0 MiB (GPU) · 40.00 GiB of 80.00 GiB in use"));
    }
    loadModel(*c);
    QCOMPARE(c->weightFormat(), QStringLiteral("int8"));
    QCOMPARE(c->memoryText(), QStringLiteral("weights 3.50 GiB + cache 256.0 MiB (GPU)"));
    QCOMPARE(c->statusText(),
             QStringLiteral("fake engine · int8 · weights 3.50 GiB + cache 256.0 MiB (GPU)"));
    QCOMPARE(ChatController::formatBytes(1536ull << 10), QStringLiteral("1.5 MiB"));
  }

  void status_bar_memory_is_re_read_between_replies() {
    FakeEngineOptions fo;
    fo.memory.weights_bytes = 1ull << 30;
    fo.memory.cache_bytes = 256ull << 20;
    fo.memory.on_device = true;
    fo.memory.device_used = 10ull << 30;
    fo.memory.device_total = 80ull << 30;
    fo.device_used_step = 1ull << 30;  // another program takes 1 GiB more at every look
    fo.tokens_per_reply = 1000000;
    fo.token_delay_us = 200;
    ChatController::Options o;
    o.db_path = dir_.filePath(QStringLiteral("memory.db"));
    o.engine = [fo] { return std::unique_ptr<ChatEngine>(new FakeEngine(fo)); };
    o.memory_refresh_ms = 20;
    ChatController c(o);
    QSignalSpy changed(&c, &ChatController::memoryChanged);
    // The used GiB in "... · 12.00 GiB of 80.00 GiB in use".
    auto used_gib = [&c] {
      static const QRegularExpression re(QStringLiteral(" · ([0-9.]+) GiB of 80.00 GiB in use$"));
      const QRegularExpressionMatch m = re.match(c.memoryText());
      return m.hasMatch() ? m.captured(1).toDouble() : -1.0;
    };
    loadModel(c);
    const double first = used_gib();
    QVERIFY(first >= 10.0);
    // Re-read while the app is idle: the other program's use shows up, in the status line too.
    QTRY_VERIFY_WITH_TIMEOUT(used_gib() >= first + 2, 5000);
    QVERIFY(c.statusText().endsWith(c.memoryText()));
    QVERIFY(changed.count() >= 3);  // the load, then each new value
    // Not while a reply streams (the worker is busy with it): the text holds still.
    c.sampling()->setMaxNewTokens(32768);
    QSignalSpy finished(&c, &ChatController::replyFinished);
    QVERIFY(c.send(QStringLiteral("a long one")));
    // A measurement asked just before the reply comes back before the reply's start does.
    QTRY_VERIFY_WITH_TIMEOUT(c.streamingMessageId() != 0, 5000);
    const double during = used_gib();
    QTest::qWait(300);
    QCOMPARE(used_gib(), during);
    c.stop();
    QVERIFY(finished.wait(5000));
    QTRY_VERIFY_WITH_TIMEOUT(used_gib() > during, 5000);  // and again afterwards
  }

  void a_refused_load_keeps_the_loaded_model() {
    FakeEngineOptions fo;
    fo.refuse_dir = "/needs/gpu";
    auto c = make(fo);
    loadModel(*c);
    QCOMPARE(sendAndWait(*c, QStringLiteral("before")), QStringLiteral("eos"));
    QSignalSpy error(c.get(), &ChatController::errorOccurred);
    // A refusal that only the engine can know (no usable GPU): the old model comes back.
    c->loadModel(QUrl::fromLocalFile(QStringLiteral("/needs/gpu")), QStringLiteral("cuda"),
                 QStringLiteral("bf16"));
    QTRY_COMPARE_WITH_TIMEOUT(error.count(), 1, 5000);
    QCOMPARE(c->modelState(), QStringLiteral("ready"));
    QCOMPARE(c->modelName(), QStringLiteral("model"));
    QCOMPARE(c->backendDescription(), QStringLiteral("fake engine"));
    QVERIFY(c->modelError().contains(QStringLiteral("GPU cannot be used")));
    // The picker opens on what is in use, as it was asked for: not on the refused request.
    QCOMPARE(c->modelDir(), QStringLiteral("/fake/model"));
    QCOMPARE(c->modelBackendChoice(), QStringLiteral("cpu"));
    QCOMPARE(c->modelWeightsChoice(), QStringLiteral("bf16"));
    QCOMPARE(sendAndWait(*c, QStringLiteral("after")), QStringLiteral("eos"));
    // A load that works takes over all three.
    c->loadModel(QUrl::fromLocalFile(QStringLiteral("/models/falcon-7b")), QStringLiteral("cuda"),
                 QStringLiteral("int4"));
    QCOMPARE(c->modelBackendChoice(), QStringLiteral("cuda"));  // while it loads, too
    QTRY_COMPARE_WITH_TIMEOUT(c->modelState(), QStringLiteral("ready"), 5000);
    QCOMPARE(c->modelDir(), QStringLiteral("/models/falcon-7b"));
    QCOMPARE(c->modelBackendChoice(), QStringLiteral("cuda"));
    QCOMPARE(c->modelWeightsChoice(), QStringLiteral("int4"));
    QCOMPARE(error.count(), 1);
  }

  // int8 and int4 run on the CPU backend too (they were refused there, before anything loaded):
  // the load goes ahead and the status bar shows the format the engine reports.
  void int8_and_int4_load_on_the_cpu() {
    for (const char* format : {"int8", "int4"}) {
      FakeEngineOptions fo;
      fo.identity = {BackendIdentity::Kind::Cpu, 2, {}};
      fo.memory.weights_bytes = 64ull << 20;
      fo.memory.weight_format = format;
      auto c = make(fo);
      QSignalSpy error(c.get(), &ChatController::errorOccurred);
      c->loadModel(QUrl::fromLocalFile(QStringLiteral("/models/falcon-7b")), QStringLiteral("cpu"),
                   QString::fromLatin1(format));
      QCOMPARE(c->modelState(), QStringLiteral("loading"));  // not refused up front
      QVERIFY(c->modelError().isEmpty());
      QTRY_COMPARE_WITH_TIMEOUT(c->modelState(), QStringLiteral("ready"), 5000);
      QCOMPARE(error.count(), 0);
      QVERIFY(c->modelError().isEmpty());
      QCOMPARE(c->modelBackendChoice(), QStringLiteral("cpu"));
      QCOMPARE(c->modelWeightsChoice(), QString::fromLatin1(format));
      QCOMPARE(c->weightFormat(), QString::fromLatin1(format));
      QCOMPARE(c->statusText().section(QStringLiteral(" · "), 1),
               QStringLiteral("%1 · weights 64.0 MiB + cache 0.0 MiB (RAM)").arg(format));
      QVERIFY(c->notice().isEmpty());
      QCOMPARE(sendAndWait(*c, QStringLiteral("hello")), QStringLiteral("eos"));
    }
  }

  void a_model_folder_suggests_example_prompts() {
    FakeEngineOptions fo;
    fo.refuse_dir = dir_.filePath(QStringLiteral("gpu-only")).toStdString();
    auto c = make(fo);
    auto load = [&](const QString& folder) {
      c->loadModel(QUrl::fromLocalFile(folder), QStringLiteral("auto"), QStringLiteral("bf16"));
      QTRY_VERIFY_WITH_TIMEOUT(c->modelState() != QStringLiteral("loading"), 5000);
    };
    auto write = [](const QString& folder, const QByteArray& json) {
      QDir().mkpath(folder);
      QFile f(folder + QStringLiteral("/falcon-chat.json"));
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write(json);
    };
    const QString good = dir_.filePath(QStringLiteral("with-examples"));
    write(good, R"({"examples": ["What is 35 + 48?", " Count from 5 to 12. "]})");
    load(good);
    QCOMPARE(c->modelExamples(),
             (QStringList{QStringLiteral("What is 35 + 48?"), QStringLiteral("Count from 5 to 12.")}));
    QVERIFY(!c->modelBundled());
    QVERIFY(c->notice().isEmpty());
    // A refused load keeps the loaded model, and with it its examples.
    load(dir_.filePath(QStringLiteral("gpu-only")));
    QCOMPARE(c->modelState(), QStringLiteral("ready"));
    QCOMPARE(c->modelExamples().size(), 2);
    // A folder without the file: none. A broken file: none, the model still loads, and the status
    // bar names the file and what is wrong with it.
    load(dir_.filePath(QStringLiteral("plain")));
    QCOMPARE(c->modelState(), QStringLiteral("ready"));
    QVERIFY(c->modelExamples().isEmpty());
    const QString broken = dir_.filePath(QStringLiteral("broken"));
    write(broken, R"({"examples": "What is 35 + 48?"})");
    load(broken);
    QCOMPARE(c->modelState(), QStringLiteral("ready"));
    QVERIFY(c->modelExamples().isEmpty());
    QVERIFY2(c->notice().contains(QStringLiteral("falcon-chat.json: 'examples' must be a list")),
             qPrintable(c->notice()));
    // Loading a good one clears that notice: it was about the other folder.
    load(good);
    QCOMPARE(c->modelExamples().size(), 2);
    QVERIFY2(c->notice().isEmpty(), qPrintable(c->notice()));
  }

  // A model too large for the GPU: the CUDA backend's report (numbers and what would fit) is worded
  // by the app, in the user's language, as the fallback's reason and as a load failure.
  // The import's chooser offers LM Studio's chat folder where there is one (the newer place first).
  void import_places_name_lm_studios_chats_where_they_are() {
    QTemporaryDir home;
    const QByteArray old_home = qgetenv("HOME");
    qputenv("HOME", home.path().toLocal8Bit());
    QCOMPARE(ChatController::importPlaces().size(), 0);
    QVERIFY(QDir().mkpath(home.filePath(QStringLiteral(".cache/lm-studio/conversations"))));
    QCOMPARE(ChatController::importPlaces().value(0).toMap().value(QStringLiteral("path")).toString(),
             home.filePath(QStringLiteral(".cache/lm-studio/conversations")));
    QVERIFY(QDir().mkpath(home.filePath(QStringLiteral(".lmstudio/conversations"))));
    const QVariantList places = ChatController::importPlaces();
    qputenv("HOME", old_home);
    QCOMPARE(places.size(), 1);
    QCOMPARE(places.value(0).toMap().value(QStringLiteral("path")).toString(),
             home.filePath(QStringLiteral(".lmstudio/conversations")));
  }

  // A chat opened on a model other than the one that made it says so, in the user's language
  // (the engine's notice was English only before).
  void a_chat_made_by_another_model_says_so_in_the_users_language() {
    std::unique_ptr<ChatController> c;
    const qint64 id = reopened_chat(c, falcon::ChatSession::kOtherModelNotice);
    QVERIFY(id != 0);
    QTRY_COMPARE_WITH_TIMEOUT(c->notice(), QString::fromLatin1(falcon::ChatSession::kOtherModelNotice), 5000);
    // It is about that chat: another one (here a new chat) does not show it.
    c->newConversation();
    QVERIFY2(c->notice().isEmpty(), qPrintable(c->notice()));
    c->selectConversation(id);
    QTRY_COMPARE_WITH_TIMEOUT(c->notice(), QString::fromLatin1(falcon::ChatSession::kOtherModelNotice), 5000);
    QTranslator de;
    QVERIFY(de.load(QStringLiteral(FALCON_BINARY_DIR "/app/falcon-chat_de.qm")));
    QCoreApplication::installTranslator(&de);
    const QString german = c->notice();
    QCoreApplication::removeTranslator(&de);
    QVERIFY2(german.startsWith(QStringLiteral("Dieser Chat")), qPrintable(german));
    // Another notice of a resume (an error, say) stays as the engine worded it.
    std::unique_ptr<ChatController> o;
    QVERIFY(reopened_chat(o, "The stored window could not be read.") != 0);
    QTRY_COMPARE_WITH_TIMEOUT(o->notice(), QStringLiteral("The stored window could not be read."), 5000);
  }

  void gpu_out_of_memory_in_the_users_language() {
    GpuOomReport r = falcon::test::sample_gpu_oom_report();
    r.fit_format = "int4";
    r.fit_need = 22ull << 30;
    const std::string report = gpu_oom_text(r);
    FakeEngineOptions fo;
    fo.identity = {BackendIdentity::Kind::Cpu, 2, {}};
    fo.gpu_fallback_reason = report;
    fo.gpu_fallback_kind = GpuUnusable::Other;
    auto c = make(fo);
    loadModelQuietly(*c, QStringLiteral("/fake/model"));
    QCOMPARE(c->notice(),
             QStringLiteral("GPU not used: Not enough GPU memory on NVIDIA GeForce RTX 4090: the model "
                            "needs 80.00 GiB (weights 77.00 GiB, a KV cache of 2048 tokens 1.00 GiB, "
                            "scratch and CUDA 2.00 GiB), but only 23.00 GiB of 24.00 GiB are free. int4 "
                            "weights would need 22.00 GiB and fit. Running on the CPU."));
    QTranslator de;
    QVERIFY(de.load(QStringLiteral(FALCON_BINARY_DIR "/app/falcon-chat_de.qm")));
    QCoreApplication::installTranslator(&de);
    const QString german = c->notice();
    QVERIFY2(german.startsWith(
                 QStringLiteral("GPU nicht genutzt: Nicht genug GPU-Speicher auf NVIDIA GeForce RTX 4090")),
             qPrintable(german));
    QVERIFY2(german.contains(QStringLiteral("80,00 GiB")) || german.contains(QStringLiteral("80.00 GiB")),
             qPrintable(german));
    for (const char* english : {"the model needs", "would need", "are free", "Running"})
      QVERIFY2(!german.contains(QLatin1String(english)), qPrintable(german));

    // Asked for the GPU: the load fails with the same words, and advice to use the CPU.
    FakeEngineOptions fail = fo;
    fail.load_error = report;
    auto f = make(fail);
    QSignalSpy error(f.get(), &ChatController::errorOccurred);
    f->loadModel(QUrl::fromLocalFile(QStringLiteral("/fake/model")), QStringLiteral("cuda"),
                 QStringLiteral("bf16"));
    QTRY_COMPARE_WITH_TIMEOUT(f->modelState(), QStringLiteral("failed"), 5000);
    QVERIFY2(f->modelError().startsWith(QStringLiteral("Nicht genug GPU-Speicher")),
             qPrintable(f->modelError()));
    QVERIFY2(f->modelError().contains(QStringLiteral("CPU")), qPrintable(f->modelError()));
    QCoreApplication::removeTranslator(&de);
    QVERIFY2(f->modelError().endsWith(QStringLiteral("The CPU backend can run it instead.")),
             qPrintable(f->modelError()));
    QCOMPARE(error.count(), 1);
    // Any other engine message is shown as it is.
    QCOMPARE(ChatController::engineMessageText(QStringLiteral("CUDA error 999: unknown error")),
             QStringLiteral("CUDA error 999: unknown error"));
  }

  // A load that fails for a checkpoint problem users meet (here: no tokenizer) says what to do in
  // their language; modelError follows a change of language.
  void a_checkpoint_problem_is_explained_in_the_users_language() {
    FakeEngineOptions fo;
    fo.load_error = falcon::load_issue_text(falcon::LoadIssue::NoTokenizer, {"/models/falcon-7b"});
    auto c = make(fo);
    c->loadModel(QUrl::fromLocalFile(QStringLiteral("/models/falcon-7b")), QStringLiteral("cpu"),
                 QStringLiteral("bf16"));
    QTRY_COMPARE_WITH_TIMEOUT(c->modelState(), QStringLiteral("failed"), 5000);
    QVERIFY2(c->modelError().startsWith(QStringLiteral("There is no tokenizer in /models/falcon-7b: a model "
                                                       "folder needs tokenizer.json")),
             qPrintable(c->modelError()));
    QTranslator de;
    QVERIFY(de.load(QStringLiteral(FALCON_BINARY_DIR "/app/falcon-chat_de.qm")));
    QCoreApplication::installTranslator(&de);
    const QString german = c->modelError();
    QCoreApplication::removeTranslator(&de);
    QVERIFY2(german.startsWith(QStringLiteral("In /models/falcon-7b gibt es keinen Tokenizer")),
             qPrintable(german));
  }

  // Weights of another size than config.json says: the loader's list of tensors (ending in its
  // own full stop) stands in brackets inside the advice, without a second stop before the ")".
  void weights_that_do_not_fit_their_config_are_explained() {
    FakeEngineOptions fo;
    fo.load_error = falcon::load_issue_text(
        falcon::LoadIssue::ConfigMismatch,
        {"/models/falcon-7b", "missing tensors: transformer.h.2.ln_attn.weight. unexpected tensors: x."});
    auto c = make(fo);
    c->loadModel(QUrl::fromLocalFile(QStringLiteral("/models/falcon-7b")), QStringLiteral("cpu"),
                 QStringLiteral("bf16"));
    QTRY_COMPARE_WITH_TIMEOUT(c->modelState(), QStringLiteral("failed"), 5000);
    QVERIFY2(c->modelError().contains(QStringLiteral(
                 "The weights in /models/falcon-7b do not fit its config.json (missing tensors: "
                 "transformer.h.2.ln_attn.weight. unexpected tensors: x). The config.json "
                 "belongs to another model")),
             qPrintable(c->modelError()));
    // Right to left (Arabic), the path and the list keep their own direction in isolates.
    QGuiApplication::setLayoutDirection(Qt::RightToLeft);
    const QString rtl = c->modelError();
    QGuiApplication::setLayoutDirection(Qt::LeftToRight);
    QVERIFY2(rtl.contains(QStringLiteral("\u2068/models/falcon-7b\u2069")), qPrintable(rtl));
    QVERIFY2(rtl.contains(QStringLiteral("(\u2068missing tensors: transformer.h.2.ln_attn.weight. unexpected "
                                         "tensors: x\u2069)")),
             qPrintable(rtl));
  }

  // The status bar's backend and GPU fallback are worded by the app, in the language chosen, and
  // follow a change of language at once (they were the engine's English: "cpu, 2 threads").
  void backend_and_fallback_in_the_users_language() {
    FakeEngineOptions fo;
    fo.identity = {BackendIdentity::Kind::Cpu, 2, {}};
    fo.gpu_fallback_reason =
        "no usable CUDA device (no usable NVIDIA driver (none installed, or one too old for CUDA 13))";
    fo.gpu_fallback_kind = GpuUnusable::NoDriver;
    fo.memory.weight_format = "int8";  // Auto on the CPU keeps the format asked for
    QTranslator en, de;
    QVERIFY(en.load(QStringLiteral(FALCON_BINARY_DIR "/app/falcon-chat_en.qm")));
    QVERIFY(de.load(QStringLiteral(FALCON_BINARY_DIR "/app/falcon-chat_de.qm")));
    QCoreApplication::installTranslator(&en);
    auto c = make(fo);
    c->loadModel(QUrl::fromLocalFile(QStringLiteral("/fake/model")), QStringLiteral("auto"),
                 QStringLiteral("int8"));
    QTRY_COMPARE_WITH_TIMEOUT(c->modelState(), QStringLiteral("ready"), 5000);
    QCOMPARE(c->backendDescription(), QStringLiteral("CPU, 2 threads"));
    // Only why the GPU was not used: the weights are the int8 asked for, as the status bar says.
    QCOMPARE(c->notice(),
             QStringLiteral("GPU not used: no usable NVIDIA driver (none installed, or one too old "
                            "for CUDA 13). Running on the CPU."));
    QCOMPARE(c->statusText(), QStringLiteral("CPU, 2 threads · int8"));
    QSignalSpy model(c.get(), &ChatController::modelChanged), notice(c.get(), &ChatController::noticeChanged);
    QCoreApplication::removeTranslator(&en);
    QCoreApplication::installTranslator(&de);
    QVERIFY(model.count() > 0 && notice.count() > 0);  // the window re-reads them at once
    QCOMPARE(c->backendDescription(), QStringLiteral("CPU, 2 Threads"));
    // The reason too (it was the engine's English inside the German sentence).
    QCOMPARE(c->notice(),
             QStringLiteral("GPU nicht genutzt: kein nutzbarer NVIDIA-Treiber (keiner installiert oder "
                            "einer, der für CUDA 13 zu alt ist). Läuft auf der CPU."));
    QCoreApplication::removeTranslator(&de);
    // A reason of no known kind (a runtime error, a model that failed on the GPU) keeps the
    // engine's words, which carry its details.
    FakeEngineOptions other = fo;
    other.gpu_fallback_reason = "CUDA error 999: unknown error";
    other.gpu_fallback_kind = GpuUnusable::Other;
    auto o = make(other);
    o->loadModel(QUrl::fromLocalFile(QStringLiteral("/fake/model")), QStringLiteral("auto"),
                 QStringLiteral("bf16"));
    QTRY_COMPARE_WITH_TIMEOUT(o->modelState(), QStringLiteral("ready"), 5000);
    QCOMPARE(o->notice(), QStringLiteral("GPU not used: CUDA error 999: unknown error. Running on the CPU."));

    FakeEngineOptions gpu;
    gpu.identity = {BackendIdentity::Kind::Cuda, 0, "NVIDIA H200"};
    auto g = make(gpu);
    loadModelQuietly(*g, QStringLiteral("/fake/model"));
    QCOMPARE(g->backendDescription(), QStringLiteral("NVIDIA H200 (CUDA)"));
    QVERIFY(g->notice().isEmpty());
  }

  // The quantization cache's notes come from the engine in English with their paths (for
  // falcon-run); the status bar words them in the user's language, and says nothing of the first
  // load's missing file that "saved" does not say better.
  void quantization_cache_notes_in_the_users_language() {
    using qcache::CacheNotice;
    const std::string file = "/home/u/.local/share/falcon-chat/quant-cache/m-int4-head-int8-cpu-0123.fqc";
    auto notice_for = [&](std::vector<std::string> notes) {
      FakeEngineOptions fo;
      fo.load_notes = std::move(notes);
      auto c = make(fo);
      loadModelQuietly(*c, QStringLiteral("/fake/model"));
      return c->notice();
    };
    QTranslator en, de;
    QVERIFY(en.load(QStringLiteral(FALCON_BINARY_DIR "/app/falcon-chat_en.qm")));
    QVERIFY(de.load(QStringLiteral(FALCON_BINARY_DIR "/app/falcon-chat_de.qm")));
    QCoreApplication::installTranslator(&en);
    const std::vector<std::string> first{qcache::cache_notice(CacheNotice::Missing, file),
                                         qcache::cache_notice(CacheNotice::Written, file)};
    QCOMPARE(notice_for(first),
             QStringLiteral("Quantized weights saved: the next load of this model skips quantizing."));
    QCOMPARE(notice_for({qcache::cache_notice(CacheNotice::Read, file)}),
             QStringLiteral("Quantized weights read from the cache."));
    QCOMPARE(notice_for({qcache::cache_notice(CacheNotice::Unusable, "the cache file is truncated"),
                         qcache::cache_notice(CacheNotice::Written, file)}),
             QStringLiteral("The saved quantized weights did not match this model and were made again. · "
                            "Quantized weights saved: the next load of this model skips quantizing."));
    const QString full =
        notice_for({qcache::cache_notice(CacheNotice::Missing, file),
                    qcache::cache_notice(CacheNotice::NotWritten,
                                         "cannot write " + file + ".tmp7: No space left on device")});
    QCOMPARE(full, QStringLiteral("Quantized weights could not be saved for the next load (cannot write ") +
                       QString::fromStdString(file) + QStringLiteral(".tmp7: No space left on device)."));
    // A note of no known kind stays as the engine wrote it.
    QCOMPARE(notice_for({"something else"}), QStringLiteral("something else"));
    QCoreApplication::removeTranslator(&en);
    QCoreApplication::installTranslator(&de);
    QCOMPARE(notice_for(first),
             QStringLiteral("Quantisierte Gewichte gespeichert: Das nächste Laden dieses Modells "
                            "überspringt das Quantisieren."));
    QCoreApplication::removeTranslator(&de);
  }

  // The model picker's "Recent" list: folders loaded before, the latest first, once each with the
  // backend and format last asked for; gone folders left out; the bundled models after them.
  void recent_models_for_the_picker() {
    const FakeBundledModels bundled(QStringLiteral("falcon-tiny"));
    const QString mini = bundled.model;
    QTemporaryDir models;
    auto c = make();
    auto load = [&](const QString& name, const QString& backend, const QString& weights) {
      const QString dir = models.filePath(name);
      QDir().mkpath(dir);
      c->loadModel(QUrl::fromLocalFile(dir), backend, weights);
      QTRY_COMPARE_WITH_TIMEOUT(c->modelState(), QStringLiteral("ready"), 5000);
    };
    auto names = [&] {  // this test's folders (the tests before it loaded others)
      static const QRegularExpression kMine(QStringLiteral("^(falcon-(7b|40b|tiny)|m\\d)$"));
      QStringList out;
      for (const QVariant& v : c->recentModels())
        if (const QString name = v.toMap().value(QStringLiteral("name")).toString();
            kMine.match(name).hasMatch())
          out << name;
      return out;
    };
    load(QStringLiteral("falcon-7b"), QStringLiteral("cuda"), QStringLiteral("int4"));
    load(QStringLiteral("falcon-40b"), QStringLiteral("auto"), QStringLiteral("int8"));
    QCOMPARE(names().mid(0, 2), (QStringList{QStringLiteral("falcon-40b"), QStringLiteral("falcon-7b")}));
    QCOMPARE(names().last(), QStringLiteral("falcon-tiny"));
    for (const QVariant& v : c->recentModels())  // bundled: the tiny one (and the build tree's own)
      QCOMPARE(v.toMap().value(QStringLiteral("bundled")).toBool(),
               v.toMap().value(QStringLiteral("name")).toString().startsWith(QStringLiteral("falcon-tiny")) ||
                   v.toMap().value(QStringLiteral("name")).toString() == QStringLiteral("falcon-mini"));
    // Loaded again (spelled with a trailing slash): first, once, as asked for this time.
    load(QStringLiteral("falcon-7b/"), QStringLiteral("cpu"), QStringLiteral("bf16"));
    QCOMPARE(names().mid(0, 3), (QStringList{QStringLiteral("falcon-7b"), QStringLiteral("falcon-40b"),
                                             QStringLiteral("falcon-tiny")}));
    const QVariantMap first = c->recentModels().first().toMap();
    QCOMPARE(first.value(QStringLiteral("name")).toString(), QStringLiteral("falcon-7b"));
    QCOMPARE(first.value(QStringLiteral("backend")).toString(), QStringLiteral("cpu"));
    QCOMPARE(first.value(QStringLiteral("weights")).toString(), QStringLiteral("bf16"));
    QVERIFY(!first.value(QStringLiteral("bundled")).toBool());
    // A folder that is gone is left out; the bundled model, once loaded, is not listed twice.
    QVERIFY(QDir(models.filePath(QStringLiteral("falcon-40b"))).removeRecursively());
    c->loadModel(QUrl::fromLocalFile(mini), QStringLiteral("auto"), QStringLiteral("bf16"));
    QTRY_COMPARE_WITH_TIMEOUT(c->modelState(), QStringLiteral("ready"), 5000);
    QCOMPARE(names().mid(0, 2), (QStringList{QStringLiteral("falcon-tiny"), QStringLiteral("falcon-7b")}));
    QCOMPARE(names().count(QStringLiteral("falcon-tiny")), 1);
    QVERIFY(!names().contains(QStringLiteral("falcon-40b")));
    // At most eight are kept.
    for (int i = 0; i < 10; ++i)
      load(QStringLiteral("m%1").arg(i), QStringLiteral("auto"), QStringLiteral("bf16"));
    QCOMPARE(c->recentModels().size(), AppSettings::kMaxRecentModels + c->bundledModels().size());
    // Each bundled model once, though the build tree reaches it twice (share/ links to resources/).
    QStringList real;
    for (const QString& b : c->bundledModels()) real << QFileInfo(b).canonicalFilePath();
    QCOMPARE(real.removeDuplicates(), 0);
    QCOMPARE(names().size(), AppSettings::kMaxRecentModels + 1);
    QCOMPARE(names().first(), QStringLiteral("m9"));
    QCOMPARE(names().last(), QStringLiteral("falcon-tiny"));
  }

  // A message longer than the chat's window loses its beginning, which the model never sees: the
  // status bar says so after the reply, until a reply whose message fits or another chat.
  void a_message_longer_than_the_window_is_reported() {
    auto c = make();
    loadModel(*c);
    c->sampling()->setWindowSize(64);  // the smallest window offered
    QCOMPARE(c->sampling()->windowSize(), 64);
    QStringList words;
    for (int i = 0; i < 100; ++i) words << QStringLiteral("w%1").arg(i);
    QCOMPARE(sendAndWait(*c, words.join(QLatin1Char(' '))), QStringLiteral("eos"));
    const qint64 long_chat = c->currentConversationId();
    QVERIFY2(c->notice().startsWith(QStringLiteral("Only the last 64 of the 100 tokens of your message fit")),
             qPrintable(c->notice()));
    // The reply's row says it too (the message view shows it under the reply, also later).
    const QModelIndex reply = c->messages()->index(1);
    QCOMPARE(reply.data(MessageModel::AnsweredTokensRole).toLongLong(), qint64{100});
    QCOMPARE(reply.data(MessageModel::AnsweredCutRole).toLongLong(), qint64{36});
    QVERIFY(!c->messages()->index(0).data(MessageModel::AnsweredCutRole).isValid());  // the message itself
    QVERIFY(c->renameConversation(long_chat, QStringLiteral("renamed")));             // still about this chat
    QVERIFY(!c->notice().isEmpty());
    QCOMPARE(sendAndWait(*c, QStringLiteral("short one")), QStringLiteral("eos"));
    QVERIFY2(c->notice().isEmpty(), qPrintable(c->notice()));
    QCOMPARE(sendAndWait(*c, words.join(QLatin1Char(' '))), QStringLiteral("eos"));
    QVERIFY(!c->notice().isEmpty());
    c->newConversation();  // about the chat left
    QVERIFY(c->notice().isEmpty());
  }

  // A reply's row names the model that wrote it (the model view shows it under the reply); a
  // regenerated one after loading another model names that one.
  void a_reply_names_its_model() {
    auto c = make();
    loadModel(*c);  // "/fake/model", bf16
    QCOMPARE(sendAndWait(*c, QStringLiteral("hello")), QStringLiteral("eos"));
    QCOMPARE(c->messages()->index(1).data(MessageModel::ReplyModelRole).toString(), QStringLiteral("model"));
    QCOMPARE(c->messages()->index(0).data(MessageModel::ReplyModelRole).toString(), QString());
    c->loadModel(QUrl::fromLocalFile(QStringLiteral("/fake/falcon-7b")), QStringLiteral("cpu"),
                 QStringLiteral("int4"));
    QTRY_COMPARE_WITH_TIMEOUT(c->modelState(), QStringLiteral("ready"), 5000);
    const qint64 first = c->messages()->index(1).data(MessageModel::IdRole).toLongLong();
    QSignalSpy done(c.get(), &ChatController::replyFinished);
    QVERIFY(c->regenerate(first));
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 5000);
    QCOMPARE(c->messages()->index(1).data(MessageModel::ReplyModelRole).toString(),
             QString::fromUtf8("falcon-7b \xC2\xB7 int4"));
    QCOMPARE(c->messages()->index(1).data(MessageModel::SiblingCountRole).toInt(), 2);
  }

  // The composer's text is counted in the model's tokens (the fake engine's are words) a moment
  // after the last edit, and said to be too long where it with the reply's prompt passes the
  // window; without a model, or with nothing typed, there is no count.
  void the_composer_counts_its_message() {
    auto c = make();
    QSignalSpy counted(c.get(), &ChatController::composerTokensChanged);
    c->measureComposer(QStringLiteral("one two three"));
    QTest::qWait(400);
    QCOMPARE(c->composerTokens(), qint64{-1});  // no model
    loadModel(*c);
    QTRY_COMPARE_WITH_TIMEOUT(c->composerTokens(), qint64{3}, 2000);  // the load counts the text again
    QVERIFY(!c->composerTooLong());
    // Edits in a row: only the last text is counted.
    c->measureComposer(QStringLiteral("a b"));
    c->measureComposer(QStringLiteral("  a b c d  "));
    QTRY_COMPARE_WITH_TIMEOUT(c->composerTokens(), qint64{4}, 2000);
    QStringList words;
    for (int i = 0; i < 100; ++i) words << QStringLiteral("w%1").arg(i);
    c->measureComposer(words.join(QLatin1Char(' ')));
    QTRY_COMPARE_WITH_TIMEOUT(c->composerTokens(), qint64{100}, 2000);
    QVERIFY(!c->composerTooLong());  // the default window, 512
    counted.clear();
    c->sampling()->setWindowSize(64);
    QVERIFY(counted.count() > 0);
    QVERIFY(c->composerTooLong());
    c->sampling()->setWindowSize(100);  // the fake's reply prompt takes nothing
    QVERIFY(!c->composerTooLong());
    // What the count said is what the reply reports: 100 tokens, none cut.
    QCOMPARE(sendAndWait(*c, words.join(QLatin1Char(' '))), QStringLiteral("eos"));
    QVERIFY2(c->notice().isEmpty(), qPrintable(c->notice()));
    c->measureComposer(QStringLiteral("   "));
    QTRY_COMPARE_WITH_TIMEOUT(c->composerTokens(), qint64{-1}, 2000);
    QVERIFY(!c->composerTooLong());
  }

  // The message editor's text is counted like the composer's, in its own lane: counting one
  // field does not drop the other's count (with one serial for both, the composer's newer count
  // made the editor's answer look stale, and it was never shown).
  void the_message_editor_counts_its_text_beside_the_composer() {
    auto c = make();
    loadModel(*c);
    QCOMPARE(sendAndWait(*c, QStringLiteral("first")), QStringLiteral("eos"));
    QCOMPARE(sendAndWait(*c, QStringLiteral("second")), QStringLiteral("eos"));
    const qint64 first = c->messages()->index(0).data(MessageModel::IdRole).toLongLong();
    const qint64 second = c->messages()->index(2).data(MessageModel::IdRole).toLongLong();
    QCOMPARE(c->editorMessageId(), qint64{0});
    QCOMPARE(c->editorTokens(), qint64{-1});
    c->measureEditor(first, QStringLiteral("p q r s t"));
    c->measureComposer(QStringLiteral("x"));
    QTRY_COMPARE_WITH_TIMEOUT(c->editorTokens(), qint64{5}, 2000);
    QTRY_COMPARE_WITH_TIMEOUT(c->composerTokens(), qint64{1}, 2000);
    QCOMPARE(c->editorMessageId(), first);
    QVERIFY(!c->editorTooLong());
    // Both edited at once, in either order: each ends with its own latest text's count.
    c->measureComposer(QStringLiteral("x y"));
    c->measureEditor(first, QStringLiteral("p q r"));
    c->measureComposer(QStringLiteral("x y z"));
    QTRY_COMPARE_WITH_TIMEOUT(c->composerTokens(), qint64{3}, 2000);
    QTRY_COMPARE_WITH_TIMEOUT(c->editorTokens(), qint64{3}, 2000);
    QTest::qWait(400);
    QCOMPARE(c->composerTokens(), qint64{3});
    QCOMPARE(c->editorTokens(), qint64{3});
    // Another message's editor starts with no count (the shown one was not for it), then its own.
    QSignalSpy editor(c.get(), &ChatController::editorTokensChanged);
    QStringList words;
    for (int i = 0; i < 80; ++i) words << QStringLiteral("w%1").arg(i);
    c->measureEditor(second, words.join(QLatin1Char(' ')));
    QCOMPARE(c->editorMessageId(), second);
    QCOMPARE(c->editorTokens(), qint64{-1});
    QVERIFY(editor.count() > 0);
    QTRY_COMPARE_WITH_TIMEOUT(c->editorTokens(), qint64{80}, 2000);
    c->sampling()->setWindowSize(64);
    QVERIFY(c->editorTooLong());
    QVERIFY(!c->composerTooLong());
    // A blank text has no count.
    c->measureEditor(second, QStringLiteral(" \n "));
    QTRY_COMPARE_WITH_TIMEOUT(c->editorTokens(), qint64{-1}, 2000);
    QVERIFY(!c->editorTooLong());
  }

  void the_bundled_model_is_known_as_such() {
    const FakeBundledModels fake(QStringLiteral("falcon-mini"));
    const QString bundled = fake.model;
    auto c = make();
    QVERIFY(!c->modelBundled());  // nothing loaded
    // The same folder however it is spelled (a trailing "/.", a symbolic link to it) is bundled.
    QVERIFY(QFile::link(bundled, dir_.filePath(QStringLiteral("link-to-mini"))));
    for (const QString& spelling :
         {bundled + QStringLiteral("/."), dir_.filePath(QStringLiteral("link-to-mini"))}) {
      c->loadModel(QUrl::fromLocalFile(spelling), QStringLiteral("auto"), QStringLiteral("bf16"));
      QTRY_COMPARE_WITH_TIMEOUT(c->modelState(), QStringLiteral("ready"), 5000);
      QVERIFY2(c->modelBundled(), qPrintable(spelling));
    }
    c->loadModel(QUrl::fromLocalFile(fake.root.path()), QStringLiteral("auto"), QStringLiteral("bf16"));
    QTRY_COMPARE_WITH_TIMEOUT(c->modelState(), QStringLiteral("ready"), 5000);
    QVERIFY(!c->modelBundled());
  }

  void load_failure_is_shown_and_the_app_keeps_working() {
    FakeEngineOptions fo;
    fo.load_error = "/models/broken: config.json: hidden_size is missing";
    auto c = make(fo);
    QSignalSpy error(c.get(), &ChatController::errorOccurred);
    c->loadModel(QUrl::fromLocalFile(QStringLiteral("/models/broken")), QStringLiteral("auto"),
                 QStringLiteral("bf16"));
    QTRY_COMPARE_WITH_TIMEOUT(c->modelState(), QStringLiteral("failed"), 5000);
    QVERIFY(c->modelError().contains(QStringLiteral("hidden_size is missing")));
    QCOMPARE(error.count(), 1);
    QVERIFY(!c->send(QStringLiteral("hi")));
    c->newConversation();                                         // the rest of the window still works
    QVERIFY(!c->renameConversation(12345, QStringLiteral("x")));  // a missing chat: an error, no crash

    FakeEngineOptions slow;
    slow.load_steps = 2000;
    auto d = make(slow);
    d->loadModel(QUrl::fromLocalFile(QStringLiteral("/m")), QStringLiteral("auto"), QStringLiteral("bf16"));
    QTRY_VERIFY_WITH_TIMEOUT(d->loadProgress() > 0, 5000);
    d->cancelLoad();
    QTRY_COMPARE_WITH_TIMEOUT(d->modelState(), QStringLiteral("none"), 5000);
    QVERIFY(d->modelError().isEmpty());
  }
};

QTEST_MAIN(ChatControllerTest)
#include "test_chat_controller.moc"
