#pragma once
// SettingsFile: the app's QSettings file (preferences, recent models, presets), read from memory
// and written behind, on a thread of its own.
//
// Why: QSettings writes its file on the thread that changed it, and every write takes a lock
// file and commits through QSaveFile, each with an fdatasync. On a disk that is busy (a 40B
// checkpoint streaming in, another program writing) one such write took 93 ms, and the model's
// "ready" froze the window that long. Here a change lands in memory at once (every later read
// on any thread sees it) and a writer thread puts the changes, in order, into the file.
//
// The file is read once, on first use (or reload()); keys QML's Qt.labs.settings keeps in the
// same file (window geometry) are its own business and are never touched here. flush() waits
// until every change made so far is in the file; the writer flushes at exit too.
#include <QString>
#include <QStringList>
#include <QVariant>
#include <QVariantMap>
#include <memory>

class SettingsFile {
 public:
  static SettingsFile& instance();
  ~SettingsFile();
  SettingsFile(const SettingsFile&) = delete;
  SettingsFile& operator=(const SettingsFile&) = delete;

  QVariant value(const QString& key, const QVariant& fallback = {}) const;
  void setValue(const QString& key, const QVariant& value);
  void remove(const QString& key);  // the key and everything under it, as QSettings::remove

  // An array as QSettings::beginReadArray/beginWriteArray lay it out ("group/size",
  // "group/1/field", ...): one map of fields per entry, in order.
  QList<QVariantMap> array(const QString& group) const;
  // Replaces the whole group with these entries (an empty list removes it).
  void setArray(const QString& group, const QList<QVariantMap>& entries);

  // Waits until every change made before the call is in the file. Returns false when the
  // file could not be written (QSettings::AccessError or FormatError); the changes stay in
  // memory either way.
  bool flush();
  // Reads the file again, dropping what is in memory (after flush(); for tests that write the
  // file behind the app's back or point QSettings elsewhere).
  void reload();

 private:
  SettingsFile();
  struct State;
  std::unique_ptr<State> s_;
};
