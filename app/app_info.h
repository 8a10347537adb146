#pragma once
// AppInfo: read-only facts about this build for QML (About box, status bar).
#include <QtQml/qqmlregistration.h>

#include <QObject>
#include <QString>

class AppInfo : public QObject {
  Q_OBJECT
  QML_ELEMENT
  QML_SINGLETON
  Q_PROPERTY(QString version READ version CONSTANT)
  Q_PROPERTY(bool cudaBuilt READ cudaBuilt CONSTANT)
  Q_PROPERTY(QString buildFeatures READ buildFeatures CONSTANT)

 public:
  explicit AppInfo(QObject* parent = nullptr) : QObject(parent) {}
  QString version() const;
  bool cudaBuilt() const;
  // The same text as `falcon-chat --version`.
  QString buildFeatures() const;
};
