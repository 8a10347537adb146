// The real falcon-chat window (Main.qml) takes files dragged onto it: a model folder's drop opens
// the model dialog on that folder (a '#' and a '%' in its name intact), a conversations export's
// drop imports it (and opens no dialog), a text file's drop puts it into the message field, while
// plain text and a web link over the same place are refused (the message fields above take text). Events as
// Qt's platform layer delivers them (QDragEnterEvent, QDragMoveEvent, QDropEvent sent to the window).
// Then the app's own file choosers, several files at once: the + button's into the message, the
// import's (JSON files listed) into the conversations.
#include <QtQml/qqmlextensionplugin.h>

#include <QDir>
#include <QFile>
#include <QGuiApplication>
#include <QMimeData>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <cstdio>

#include "app/chat_controller.h"
#include "app/conversation_list_model.h"

Q_IMPORT_QML_PLUGIN(FalconChat_CorePlugin)
Q_IMPORT_QML_PLUGIN(FalconChat_UiPlugin)

namespace {

int fail(const char* what) {
  std::fprintf(stderr, "test_window_drop: FAIL: %s\n", what);
  return 1;
}

// Enter, move and (if `drop`) drop `mime` at `at`; whether the window took the drag and the drop.
std::pair<bool, bool> drag(QQuickWindow* w, const QPointF& at, QMimeData* mime, bool drop) {
  QDragEnterEvent enter(at.toPoint(), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
  QCoreApplication::sendEvent(w, &enter);
  QDragMoveEvent move(at.toPoint(), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
  QCoreApplication::sendEvent(w, &move);
  const bool taken = move.isAccepted();
  bool dropped = false;
  if (drop) {
    QDropEvent d(at, Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(w, &d);
    dropped = d.isAccepted();
  } else {
    QDragLeaveEvent leave;
    QCoreApplication::sendEvent(w, &leave);
  }
  return {taken, dropped};
}

}  // namespace

int main(int argc, char** argv) {
  QTemporaryDir home(QDir::tempPath() + QStringLiteral("/falcon-drop-XXXXXX"));
  if (!home.isValid()) return fail("no temporary folder");
  qputenv("XDG_DATA_HOME", (home.path() + QStringLiteral("/data")).toLocal8Bit());
  qputenv("XDG_CONFIG_HOME", (home.path() + QStringLiteral("/config")).toLocal8Bit());
  qputenv("XDG_RUNTIME_DIR", home.path().toLocal8Bit());
  qputenv("FALCON_CHAT_MODELS", (home.path() + QStringLiteral("/no-bundled-models")).toLocal8Bit());
  qputenv("LANGUAGE", "en");
  // The folder to drop: a link named with a '#' and a '%' to the source tree's bundled model.
  const QString models = home.path() + QStringLiteral("/C# 100% models");
  QDir().mkpath(models);
  const QString folder = models + QStringLiteral("/falcon-mini");
  QFile::link(QDir::cleanPath(QStringLiteral(FALCON_SOURCE_DIR "/resources/models/falcon-mini")), folder);

  QGuiApplication app(argc, argv);
  QGuiApplication::setOrganizationName(QStringLiteral("falcon-chat"));
  QGuiApplication::setApplicationName(QStringLiteral("falcon-chat"));
  if (qEnvironmentVariableIsEmpty("QT_QUICK_CONTROLS_STYLE"))
    QQuickStyle::setStyle(QStringLiteral("Material"));
  QQmlApplicationEngine engine;
  engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
  engine.load(QUrl(QStringLiteral("qrc:/qt/qml/FalconChat/Ui/Main.qml")));
  auto* window =
      engine.rootObjects().isEmpty() ? nullptr : qobject_cast<QQuickWindow*>(engine.rootObjects().front());
  auto* dialog = window ? window->findChild<QObject*>(QStringLiteral("modelDialog")) : nullptr;
  if (!window || !dialog) return fail("the window did not load");
  if (!QTest::qWaitForWindowExposed(window)) return fail("the window was never shown");
  // Over the chat, right of the conversation list and above the message field.
  const QPointF at(window->width() * 0.6, window->height() * 0.4);

  QMimeData text;
  text.setText(QStringLiteral("hello"));
  const auto [text_taken, text_dropped] = drag(window, at, &text, true);
  if (text_taken || text_dropped) return fail("a drag of plain text was taken over the chat");
  QCoreApplication::processEvents();
  if (dialog->property("opened").toBool()) return fail("a text drop opened the model dialog");

  QMimeData urls;
  urls.setUrls({QUrl::fromLocalFile(folder)});
  const auto [taken, dropped] = drag(window, at, &urls, true);
  if (!taken) return fail("a drag with a folder's URL was refused");
  if (!dropped) return fail("the drop was not accepted");
  if (!QTest::qWaitFor([&] { return dialog->property("opened").toBool(); }, 5000))
    return fail("the drop did not open the model dialog");
  const QString shown = dialog->property("folder").toString();
  if (shown != folder) {
    std::fprintf(stderr, "test_window_drop: FAIL: the dialog shows %s, not %s\n", qPrintable(shown),
                 qPrintable(folder));
    return 1;
  }
  if (!dialog->property("info").toMap().value(QStringLiteral("ok")).toBool())
    return fail("the dropped model folder does not read as a model");
  QMetaObject::invokeMethod(dialog, "close");
  if (!QTest::qWaitFor([&] { return !dialog->property("opened").toBool(); }, 5000))
    return fail("the model dialog did not close");

  QMimeData web;
  web.setUrls({QUrl(QStringLiteral("https://example.org/falcon-7b"))});
  if (drag(window, at, &web, true).first) return fail("a web link was taken");

  // A conversations export (three chats): imported, no dialog.
  auto* chat =
      engine.singletonInstance<ChatController*>(qmlTypeId("FalconChat.Core", 1, 0, "ChatController"));
  if (!chat) return fail("no ChatController");
  // Two of them at once, dropped together: both are imported.
  const QString json = home.path() + QStringLiteral("/my chats.json"),
                json2 = home.path() + QStringLiteral("/more.json");
  for (const QString& copy : {json, json2})
    if (!QFile::copy(QStringLiteral(FALCON_SOURCE_DIR
                                    "/tests/fuzz/corpus/fuzz_store_import/export_three_conversations.json"),
                     copy))
      return fail("cannot copy the export");
  // Every conversation, archived (the export holds one) or not.
  auto all = [chat] {
    auto* list = chat->conversations();
    list->setProperty("showArchived", true);
    const int archived = list->rowCount();
    list->setProperty("showArchived", false);
    return archived + list->rowCount();
  };
  const int before = all();
  QMimeData exported;
  exported.setUrls({QUrl::fromLocalFile(json), QUrl::fromLocalFile(json2)});
  const auto [json_taken, json_dropped] = drag(window, at, &exported, true);
  if (!json_taken || !json_dropped) return fail("the export's drop was refused");
  if (!QTest::qWaitFor([&] { return all() == before + 6; }, 5000)) {
    std::fprintf(stderr, "test_window_drop: FAIL: %d conversations after the drop, %d before\n", all(),
                 before);
    return 1;
  }
  QCoreApplication::processEvents();
  if (dialog->property("opened").toBool()) return fail("the export's drop opened the model dialog");

  // A text file and a picture dropped together: the text goes into the message field as a code
  // block under its name; the picture is named in an error, and no dialog opens.
  const QString source = home.path() + QStringLiteral("/fib.py"),
                picture = home.path() + QStringLiteral("/cat.png");
  {
    QFile f(source), p(picture);
    if (!f.open(QIODevice::WriteOnly) || f.write("print(fib(10))\n") < 0) return fail("cannot write fib.py");
    if (!p.open(QIODevice::WriteOnly) || p.write(QByteArray("\x89PNG\r\n\x1a\n\0\0", 10)) < 0)
      return fail("cannot write cat.png");
  }
  auto* input = window->findChild<QObject*>(QStringLiteral("composerInput"));
  if (!input) return fail("no message field");
  QSignalSpy refused(chat, &ChatController::errorOccurred);
  QMimeData files;
  files.setUrls({QUrl::fromLocalFile(source), QUrl::fromLocalFile(picture)});
  const auto [files_taken, files_dropped] = drag(window, at, &files, true);
  if (!files_taken || !files_dropped) return fail("the files' drop was refused");
  QCoreApplication::processEvents();
  const QString typed = input->property("text").toString();
  if (!typed.startsWith(QStringLiteral("fib.py\n\n```py\nprint(fib(10))\n```"))) {
    std::fprintf(stderr, "test_window_drop: FAIL: the message field holds \"%s\"\n", qPrintable(typed));
    return 1;
  }
  if (refused.count() != 1 || !refused.at(0).at(0).toString().contains(QStringLiteral("cat.png")))
    return fail("the picture was not named as refused");
  if (dialog->property("opened").toBool()) return fail("the files' drop opened the model dialog");

  // The + button's chooser (the app's own: several files at once): two text files chosen
  // together go into the message, in the folder's order.
  const QString picks = home.path() + QStringLiteral("/picks");
  QDir().mkpath(picks);
  for (const char* name : {"b.txt", "a.md"}) {
    QFile f(picks + "/" + QString::fromLatin1(name));
    if (!f.open(QIODevice::WriteOnly) || f.write(QByteArray("text of ") + name + "\n") < 0)
      return fail("cannot write a file to pick");
  }
  auto* plus = window->findChild<QObject*>(QStringLiteral("attachButton"));
  auto* chooser = window->findChild<QObject*>(QStringLiteral("attachChooser"));
  if (!plus || !chooser) return fail("no + button or no chooser");
  QMetaObject::invokeMethod(plus, "clicked");
  if (!QTest::qWaitFor([&] { return chooser->property("opened").toBool(); }, 5000))
    return fail("the + button did not open the chooser");
  auto* browser = chooser->property("browser").value<QObject*>();
  if (!browser) return fail("the chooser has no browser");
  const auto show = [&](const QString& where, int entries) {
    QMetaObject::invokeMethod(browser, "open", Q_ARG(QString, where));
    return QTest::qWaitFor(
        [&] {
          return !browser->property("loading").toBool() && browser->property("folder").toString() == where &&
                 browser->property("count").toInt() == entries;
        },
        5000);
  };
  if (!show(picks, 2)) return fail("the chooser did not list the folder");
  QMetaObject::invokeMethod(browser, "selectAllFiles");
  QMetaObject::invokeMethod(chooser, "accept_");
  if (!QTest::qWaitFor([&] { return !chooser->property("visible").toBool(); }, 5000))
    return fail("the chooser did not close");
  const QString added = input->property("text").toString();
  const qsizetype a_at = added.indexOf(QStringLiteral("a.md\n\n```md\ntext of a.md")),
                  b_at = added.indexOf(QStringLiteral("b.txt\n\n```\ntext of b.txt"));
  if (a_at < 0 || b_at < a_at || !added.startsWith(QStringLiteral("fib.py"))) {
    std::fprintf(stderr, "test_window_drop: FAIL: after the chooser the message field holds \"%s\"\n",
                 qPrintable(added));
    return 1;
  }

  // The import chooser lists the JSON files (and folders) at first; both exports chosen at once
  // are imported.
  auto* importer = window->findChild<QObject*>(QStringLiteral("importChooser"));
  if (!importer) return fail("no import chooser");
  QMetaObject::invokeMethod(importer, "openAt", Q_ARG(QVariant, home.path()));
  if (!QTest::qWaitFor([&] { return importer->property("opened").toBool(); }, 5000))
    return fail("the import chooser did not open");
  browser = importer->property("browser").value<QObject*>();
  // home: folders (C# 100% models, config, data, picks, no more) and files my chats.json,
  // more.json, fib.py, cat.png: the filter leaves the folders and the two exports.
  if (!QTest::qWaitFor(
          [&] {
            return !browser->property("loading").toBool() &&
                   browser->property("fileSuffixes").toStringList() == QStringList{QStringLiteral("json")} &&
                   browser->property("folder").toString() == home.path();
          },
          5000))
    return fail("the import chooser did not list its folder with the JSON filter");
  QMetaObject::invokeMethod(browser, "selectAllFiles");
  const QStringList chosen = browser->property("selectedPaths").toStringList();
  if (chosen != QStringList{json2, json}) {  // more.json, my chats.json
    std::fprintf(stderr, "test_window_drop: FAIL: the import chooser selected %s\n",
                 qPrintable(chosen.join(QStringLiteral(", "))));
    return 1;
  }
  const int before_import = all();
  QMetaObject::invokeMethod(importer, "accept_");
  if (!QTest::qWaitFor([&] { return all() == before_import + 6; }, 5000))
    return fail("the two exports chosen were not imported");
  std::printf(
      "test_window_drop: PASS (text and a web link refused; the folder's drop opened the dialog on %s; "
      "the drop of two exports imported 6 conversations; a dropped text file went into the message, a "
      "picture beside it was named as refused; two files chosen at once with the + button went into the "
      "message, two exports chosen at once were imported)\n",
      qPrintable(folder));
  return 0;
}
