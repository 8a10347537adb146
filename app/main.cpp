// falcon-chat: the Qt Quick desktop application.
#include <QtQml/qqmlextensionplugin.h>

#include <QGuiApplication>
#include <QIcon>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QWindow>
#include <cstdio>
#include <cstring>
#include <string>

#include "app/quit_signals.h"
#include "app/single_instance.h"
#include "core/common/version.h"

Q_IMPORT_QML_PLUGIN(FalconChat_CorePlugin)
Q_IMPORT_QML_PLUGIN(FalconChat_UiPlugin)

namespace {

void raise_windows(const QQmlApplicationEngine& engine) {
  for (QObject* root : engine.rootObjects()) {
    auto* window = qobject_cast<QWindow*>(root);
    if (!window) continue;
    if (window->visibility() == QWindow::Minimized || !window->isVisible()) window->showNormal();
    window->raise();
    window->requestActivate();
  }
}

}  // namespace

int main(int argc, char* argv[]) {
  // --version and --help answer without a display, so they work over ssh and in packaging tests.
  bool new_instance = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--version") == 0) {
      std::string banner = falcon::version_banner("falcon-chat");
      if (banner.empty() || banner.back() != '\n') banner += '\n';
      std::fputs(banner.c_str(), stdout);
      return 0;
    }
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::puts(
          "usage: falcon-chat [--version] [--help] [--new-instance] [Qt options]\n"
          "A desktop chat with Falcon language models, run on this computer.\n"
          "A second launch raises the window of the one already running;\n"
          "--new-instance opens a separate one instead.");
      return 0;
    }
    if (std::strcmp(argv[i], "--new-instance") == 0) new_instance = true;
  }

  QGuiApplication app(argc, argv);
  QGuiApplication::setOrganizationName(QStringLiteral("falcon-chat"));
  QGuiApplication::setApplicationName(QStringLiteral("falcon-chat"));
  QGuiApplication::setApplicationDisplayName(QStringLiteral("Falcon Chat"));
  QGuiApplication::setApplicationVersion(
      QString::fromStdString(falcon::version_banner("")).section('\n', 0, 0).trimmed());
  QGuiApplication::setDesktopFileName(QStringLiteral("falcon-chat"));
  QGuiApplication::setWindowIcon(QIcon::fromTheme(QStringLiteral("falcon-chat")));
  if (qEnvironmentVariableIsEmpty("QT_QUICK_CONTROLS_STYLE"))
    QQuickStyle::setStyle(QStringLiteral("Material"));

  // One window per user and data folder: a second launch raises this one and exits.
  SingleInstance instance(SingleInstance::defaultSocketPath());
  if (!new_instance && !instance.claim()) return 0;

  // Quit cleanly on SIGTERM/SIGINT/SIGHUP too. Quitting returns from exec(), then `engine`
  // is destroyed (before `app`), which destroys the ChatController singleton: it cancels the
  // reply in progress, the worker saves what was generated, closes the store and frees the
  // model (GPU memory) before the thread is joined.
  QuitSignals quit_signals;
  QObject::connect(&quit_signals, &QuitSignals::quitRequested, &app, [] { QCoreApplication::quit(); });

  QQmlApplicationEngine engine;
  engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
  QObject::connect(
      &engine, &QQmlApplicationEngine::objectCreationFailed, &app, [] { QCoreApplication::exit(1); },
      Qt::QueuedConnection);
  QObject::connect(&instance, &SingleInstance::raiseRequested, &engine, [&engine] { raise_windows(engine); });
  engine.load(QUrl(QStringLiteral("qrc:/qt/qml/FalconChat/Ui/Main.qml")));
  // The settings file's last changes reach the file as `app` goes (SettingsFile's post routine).
  return app.exec();
}
