// falcon-chat: the Qt Quick desktop application.
#include <QtQml/qqmlextensionplugin.h>

#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <cstdio>
#include <cstring>

#include "core/common/version.h"

Q_IMPORT_QML_PLUGIN(FalconChat_CorePlugin)
Q_IMPORT_QML_PLUGIN(FalconChat_UiPlugin)

int main(int argc, char* argv[]) {
  // --version and --help answer without a display, so they work over ssh and in packaging tests.
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--version") == 0) {
      std::fputs(falcon::version_banner("falcon-chat").c_str(), stdout);
      return 0;
    }
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::puts(
          "usage: falcon-chat [--version] [--help] [Qt options]\n"
          "A desktop chat with Falcon language models, run on this computer.");
      return 0;
    }
  }

  QGuiApplication app(argc, argv);
  QGuiApplication::setOrganizationName(QStringLiteral("falcon-chat"));
  QGuiApplication::setApplicationName(QStringLiteral("falcon-chat"));
  QGuiApplication::setApplicationDisplayName(QStringLiteral("Falcon Chat"));
  QGuiApplication::setApplicationVersion(
      QString::fromStdString(falcon::version_banner("")).section('\n', 0, 0).trimmed());
  QGuiApplication::setDesktopFileName(QStringLiteral("falcon-chat"));
  if (qEnvironmentVariableIsEmpty("QT_QUICK_CONTROLS_STYLE"))
    QQuickStyle::setStyle(QStringLiteral("Material"));

  QQmlApplicationEngine engine;
  engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
  QObject::connect(
      &engine, &QQmlApplicationEngine::objectCreationFailed, &app, [] { QCoreApplication::exit(1); },
      Qt::QueuedConnection);
  engine.load(QUrl(QStringLiteral("qrc:/qt/qml/FalconChat/Ui/Main.qml")));
  return app.exec();
}
