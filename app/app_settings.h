#pragma once
// AppSettings: the user's preferences (the QSettings file, through SettingsFile: read from
// memory, written behind on a thread of its own, so they survive restarts): theme, font size,
// language, the last model and the last chat. (What a new chat starts with is a preset:
// app/presets.h, ChatController::defaultPreset.) The window's place, size and panes are kept
// by ui/components/WindowState.qml through windowValue/setWindowValue ("window/<name>"; not
// Qt.labs.settings, which writes its QSettings on the UI thread).
//
// Language: "" follows the system; "en", "de", "ar" pick one. Changing it installs the
// translator and retranslates the QML engine at once; Arabic turns the layout right-to-left.
#include <QtQml/qqmlregistration.h>

#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QTranslator>
#include <QVariant>
#include <memory>

class QQmlEngine;
class QJSEngine;

class AppSettings : public QObject {
  Q_OBJECT
  QML_ELEMENT
  QML_SINGLETON
  Q_PROPERTY(int theme READ theme WRITE setTheme NOTIFY themeChanged)  // 0 system, 1 light, 2 dark
  Q_PROPERTY(int fontSize READ fontSize WRITE setFontSize NOTIFY fontSizeChanged)
  Q_PROPERTY(QString language READ language WRITE setLanguage NOTIFY languageChanged)
  Q_PROPERTY(QString effectiveLanguage READ effectiveLanguage NOTIFY languageChanged)
  Q_PROPERTY(bool rightToLeft READ rightToLeft NOTIFY languageChanged)

 public:
  // No default constructor on purpose: Qt 6.4 prefers a default constructor over create()
  // for QML singletons, and create() is what installs the language at start-up.
  explicit AppSettings(QQmlEngine* engine, QObject* parent = nullptr);
  ~AppSettings() override;
  static AppSettings* create(QQmlEngine* qml_engine, QJSEngine* js_engine);

  static constexpr int kMinFontSize = 10;
  static constexpr int kMaxFontSize = 24;
  static constexpr int kDefaultFontSize = 14;

  int theme() const;
  void setTheme(int theme);
  int fontSize() const;
  void setFontSize(int size);
  // Ctrl++ / Ctrl+- / Ctrl+0: one point larger (steps > 0) or smaller, within the limits; 0
  // goes back to the default size.
  Q_INVOKABLE void zoom(int steps);
  QString language() const;
  void setLanguage(const QString& language);
  // "en", "de" or "ar": the language actually shown.
  QString effectiveLanguage() const { return effective_language_; }
  bool rightToLeft() const { return effective_language_ == QLatin1String("ar"); }
  Q_INVOKABLE QStringList availableLanguages() const;  // codes; "" = system

  QString lastModelDir() const;
  QString lastBackend() const;
  QString lastWeights() const;
  void setLastModel(const QString& dir, const QString& backend, const QString& weights);
  // The models loaded before, the latest first, one entry per folder (as last asked for), at
  // most kMaxRecentModels; setLastModel puts its model first.
  struct RecentModel {
    QString dir, backend, weights;
  };
  static constexpr int kMaxRecentModels = 8;
  QList<RecentModel> recentModels() const;
  qint64 lastConversationId() const;
  void setLastConversationId(qint64 id);

  // The window's state, "window/<name>" in the settings file: `fallback` when never saved. A
  // number saved is read back as a number, true/false as a bool (the file holds text).
  Q_INVOKABLE QVariant windowValue(const QString& name, const QVariant& fallback) const;
  Q_INVOKABLE void setWindowValue(const QString& name, const QVariant& value);

  // Installs the translator for the current setting (also called once at start-up).
  void applyLanguage();

 signals:
  void themeChanged();
  void fontSizeChanged();
  void languageChanged();

 private:
  QPointer<QQmlEngine> engine_;
  std::unique_ptr<QTranslator> translator_;
  // Qt's own strings in the same language (standard buttons such as "Close", Qt's file dialogs,
  // key names): Debian's qt6-translations-l10n, where installed.
  std::unique_ptr<QTranslator> qt_translator_;
  QString effective_language_ = QStringLiteral("en");
};
