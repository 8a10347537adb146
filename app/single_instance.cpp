#include "app/single_instance.h"

#include <QCryptographicHash>
#include <QDir>
#include <QLocalServer>
#include <QLocalSocket>
#include <QStandardPaths>
#include <QtGlobal>

namespace {
// What a second launch writes; anything else on the socket is ignored.
constexpr char kRaise[] = "raise\n";
constexpr int kConnectMs = 1000;
}  // namespace

SingleInstance::SingleInstance(QString socket_path, QObject* parent)
    : QObject(parent), path_(std::move(socket_path)) {}

SingleInstance::~SingleInstance() = default;  // the server (a child) closes and removes its socket

QString SingleInstance::defaultSocketPath() {
  QString dir = QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation);
  if (dir.isEmpty()) dir = QDir::tempPath();
  // One instance per data folder: a run with another XDG_DATA_HOME (a test, a second profile)
  // has its own database, so it is a separate instance.
  const QByteArray data = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation).toUtf8();
  const QString tag =
      QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex().left(12));
  return dir + QStringLiteral("/falcon-chat-%1.socket").arg(tag);
}

bool SingleInstance::tellRunningInstance() const {
  QLocalSocket socket;
  socket.connectToServer(path_);
  if (!socket.waitForConnected(kConnectMs)) return false;
  socket.write(kRaise);
  socket.flush();
  const bool written = socket.waitForBytesWritten(kConnectMs) || socket.bytesToWrite() == 0;
  socket.disconnectFromServer();
  if (socket.state() != QLocalSocket::UnconnectedState) socket.waitForDisconnected(kConnectMs);
  return written;
}

bool SingleInstance::listen() {
  auto* server = new QLocalServer(this);
  server->setSocketOptions(QLocalServer::UserAccessOption);
  if (!server->listen(path_)) {
    delete server;
    return false;
  }
  connect(server, &QLocalServer::newConnection, this, [this, server] {
    while (QLocalSocket* client = server->nextPendingConnection()) {
      connect(client, &QLocalSocket::disconnected, client, &QObject::deleteLater);
      connect(client, &QLocalSocket::readyRead, this, [this, client] {
        // Read whole lines; a client that sends something else is simply dropped.
        while (client->canReadLine()) {
          if (client->readLine(64) == kRaise) emit raiseRequested();
        }
        if (client->bytesAvailable() > 64) client->abort();
      });
    }
  });
  server_ = server;
  return true;
}

bool SingleInstance::claim() {
  if (server_) return true;
  if (tellRunningInstance()) return false;
  if (listen()) return true;
  // The socket exists: either an instance started between our two calls (then it answers
  // now), or a crashed one left the file behind (nobody answers; replace it).
  if (tellRunningInstance()) return false;
  QLocalServer::removeServer(path_);
  if (!listen()) {
    // No usable runtime folder: run anyway, just without the single-instance guard.
    qWarning("falcon-chat: cannot listen on %s; a second launch will open a second window",
             qPrintable(path_));
  }
  return true;
}
