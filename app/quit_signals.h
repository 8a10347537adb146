#pragma once
// QuitSignals: turns SIGTERM, SIGINT and SIGHUP (session logout, Ctrl+C, a closed terminal)
// into a Qt signal, so the app quits through its normal path: the generation stops, the reply
// so far is saved and the model (GPU memory) is freed, instead of the process dying mid-write.
// The handler only writes one byte to a socket pair (async-signal-safe); a QSocketNotifier
// reads it on the main thread.
#include <QObject>

class QSocketNotifier;

class QuitSignals : public QObject {
  Q_OBJECT

 public:
  // Installs the handlers; at most one QuitSignals may exist at a time (the handler needs
  // one process-wide descriptor, the only global this file keeps).
  explicit QuitSignals(QObject* parent = nullptr);
  ~QuitSignals() override;  // restores the default handlers

  bool installed() const { return notifier_ != nullptr; }

 signals:
  void quitRequested(int signal_number);

 private:
  int fds_[2] = {-1, -1};  // [0] read by the notifier, [1] written by the handler
  QSocketNotifier* notifier_ = nullptr;
};
