// Runs the tst_*.qml files in this folder with the app's static QML modules linked in.
#include <QtQml/qqmlextensionplugin.h>
#include <QtQuickTest/quicktest.h>

#include <QDir>
#include <QFile>
#include <QQmlContext>
#include <QQmlEngine>
#include <QStandardPaths>
#include <QTemporaryDir>

Q_IMPORT_QML_PLUGIN(FalconChat_CorePlugin)
Q_IMPORT_QML_PLUGIN(FalconChat_UiPlugin)

class Setup : public QObject {
  Q_OBJECT
 public slots:
  void qmlEngineAvailable(QQmlEngine* engine) {
    // Components read AppSettings (QSettings): keep the tests away from the user's settings.
    QStandardPaths::setTestModeEnabled(true);
    engine->addImportPath(QStringLiteral("qrc:/qt/qml"));
    // testTree: a folder for the tests, holding "C# 100% models/falcon-mini", a link to the source
    // tree's bundled model (a '#' and a '%' in a folder's name once broke the model dialog), and
    // "files" (below).
    static QTemporaryDir tree;
    const QString models = tree.filePath(QStringLiteral("C# 100% models"));
    QDir().mkpath(models);
    QFile::link(QDir::cleanPath(QStringLiteral(QUICK_TEST_SOURCE_DIR "/../../resources/models/falcon-mini")),
                models + QStringLiteral("/falcon-mini"));
    // "files": for the file chooser, a.txt, b.md, c.json, "D export.JSON" and a folder "sub"
    // holding e.txt.
    QDir().mkpath(tree.filePath(QStringLiteral("files/sub")));
    for (const char* name : {"a.txt", "b.md", "c.json", "D export.JSON", "sub/e.txt"}) {
      QFile f(tree.filePath(QStringLiteral("files/") + QString::fromUtf8(name)));
      if (f.open(QIODevice::WriteOnly)) f.write("text\n");
    }
    engine->rootContext()->setContextProperty(QStringLiteral("testTree"), tree.path());
  }
};

QUICK_TEST_MAIN_WITH_SETUP(falcon_ui, Setup)

#include "tst_ui.moc"
