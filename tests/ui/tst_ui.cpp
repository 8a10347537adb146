// Runs the tst_*.qml files in this folder with the app's static QML modules linked in.
#include <QtQml/qqmlextensionplugin.h>
#include <QtQuickTest/quicktest.h>

#include <QQmlEngine>
#include <QStandardPaths>

Q_IMPORT_QML_PLUGIN(FalconChat_CorePlugin)
Q_IMPORT_QML_PLUGIN(FalconChat_UiPlugin)

class Setup : public QObject {
  Q_OBJECT
 public slots:
  void qmlEngineAvailable(QQmlEngine* engine) {
    // Components read AppSettings (QSettings): keep the tests away from the user's settings.
    QStandardPaths::setTestModeEnabled(true);
    engine->addImportPath(QStringLiteral("qrc:/qt/qml"));
  }
};

QUICK_TEST_MAIN_WITH_SETUP(falcon_ui, Setup)

#include "tst_ui.moc"
