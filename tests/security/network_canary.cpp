// Canaries for tools/check-no-network.sh: small programs that do (or, for the local-IPC one, do
// not) reach for the network, so the test proves the check can fail and does not flag what is
// allowed. Built only for the security tests; never installed.
//   FALCON_CANARY_LIBC   resolves a host name through libc (getaddrinfo): must be flagged
//   FALCON_CANARY_TCP    opens a QTcpSocket: must be flagged
//   FALCON_CANARY_LOCAL  talks to a QLocalServer (single-instance style local IPC): allowed
#if defined(FALCON_CANARY_LIBC)
#include <netdb.h>

int main(int argc, char** argv) {
  addrinfo* res = nullptr;
  const int rc = getaddrinfo(argc > 1 ? argv[1] : "localhost", "80", nullptr, &res);
  if (res) freeaddrinfo(res);
  return rc == 0 ? 0 : 1;
}
#elif defined(FALCON_CANARY_TCP)
#include <QCoreApplication>
#include <QTcpSocket>

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  QTcpSocket socket;
  socket.connectToHost(QStringLiteral("example.invalid"), 80);
  return socket.waitForConnected(1) ? 0 : 1;
}
#elif defined(FALCON_CANARY_LOCAL)
#include <QCoreApplication>
#include <QLocalServer>
#include <QLocalSocket>

int main(int argc, char** argv) {
  QCoreApplication app(argc, argv);
  QLocalServer server;
  const bool listening = server.listen(QStringLiteral("falcon-canary"));
  QLocalSocket socket;
  socket.connectToServer(QStringLiteral("falcon-canary"));
  return listening && socket.waitForConnected(100) ? 0 : 1;
}
#else
#error "define one of FALCON_CANARY_LIBC, FALCON_CANARY_TCP, FALCON_CANARY_LOCAL"
#endif
