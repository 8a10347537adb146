#pragma once
// SingleInstance: one falcon-chat per user session. The first instance listens on a local
// socket in the user's runtime folder ($XDG_RUNTIME_DIR, mode 0700); a second launch finds it,
// asks it to raise its window and exits. Local IPC only (QLocalServer/QLocalSocket, a Unix
// domain socket): nothing here touches the network.
#include <QObject>
#include <QString>
#include <memory>

class QLocalServer;

class SingleInstance : public QObject {
  Q_OBJECT

 public:
  // `socket_path`: a full path, normally defaultSocketPath(); tests pass their own.
  explicit SingleInstance(QString socket_path, QObject* parent = nullptr);
  ~SingleInstance() override;

  // <runtime dir>/falcon-chat-<hash of the app's data folder>.socket: per user and data folder.
  static QString defaultSocketPath();

  // Makes this process the primary instance, or hands over to the one already running.
  // Returns false when another instance was told to raise its window (this process should
  // exit); true otherwise: this process is the primary one and emits raiseRequested whenever
  // another launch asks. A stale socket left by a crashed instance is replaced; when no socket
  // can be made at all, it still returns true (the app runs, unguarded) and isListening() is false.
  bool claim();

  bool isListening() const { return server_ != nullptr; }
  QString socketPath() const { return path_; }

 signals:
  void raiseRequested();

 private:
  bool tellRunningInstance() const;
  bool listen();

  QString path_;
  QLocalServer* server_ = nullptr;  // owned (child); set once claim() made this the primary
};
