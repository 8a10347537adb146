#include "app/quit_signals.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <QSocketNotifier>
#include <atomic>
#include <csignal>

namespace {

constexpr int kSignals[] = {SIGTERM, SIGINT, SIGHUP};

// The write end for the handler. A signal handler can reach nothing else; it is set and
// cleared only by the one QuitSignals object.
std::atomic<int> g_write_fd{-1};

extern "C" void on_quit_signal(int signal_number) {
  const int fd = g_write_fd.load();
  if (fd < 0) return;
  const unsigned char byte = static_cast<unsigned char>(signal_number);
  [[maybe_unused]] const ssize_t n = ::write(fd, &byte, 1);  // full pipe: a quit is pending anyway
}

}  // namespace

QuitSignals::QuitSignals(QObject* parent) : QObject(parent) {
  if (g_write_fd.load() >= 0) return;  // another instance owns the handlers
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds_) != 0) return;
  g_write_fd.store(fds_[1]);
  notifier_ = new QSocketNotifier(fds_[0], QSocketNotifier::Read, this);
  connect(notifier_, &QSocketNotifier::activated, this, [this] {
    unsigned char byte = 0;
    while (::read(fds_[0], &byte, 1) == 1) emit quitRequested(byte);
  });
  struct sigaction action {};
  action.sa_handler = on_quit_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (int s : kSignals) sigaction(s, &action, nullptr);
}

QuitSignals::~QuitSignals() {
  if (!notifier_) return;
  for (int s : kSignals) std::signal(s, SIG_DFL);
  g_write_fd.store(-1);
  delete notifier_;
  ::close(fds_[0]);
  ::close(fds_[1]);
}
