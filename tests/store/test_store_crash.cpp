// Crash safety: a child process streams replies into the store (user turn, then a reply
// written through PartialWriter) and the parent kills it with SIGKILL at random moments, 60
// times. The child reports each commit on a pipe right after it returns; after every kill the
// parent reopens the database and checks that every reported commit is there, that the reply
// being streamed holds exactly a prefix of what was generated (at least up to its last
// reported write) and is marked interrupted, and that PRAGMA integrity_check (plus the FTS
// index check) says ok. The fork happens before the parent opens anything, and the Qt Test
// runner (QTEST_APPLESS_MAIN) has started no threads.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QTemporaryDir>
#include <QtTest>
#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <sstream>

#include "core/store/conversation_store.h"

using namespace falcon;

namespace {

constexpr int kReplyTokens = 150;

// The reply text after n generated tokens: a deterministic function, so any prefix can be
// checked exactly.
std::string piece(int k) {
  return "w" + std::to_string(k) + " ";
}
std::string reply_text(int64_t n) {
  std::string s;
  for (int k = 0; k < n; ++k) s += piece(k);
  return s;
}

void report(int fd, const std::string& line) {
  std::string l = line + "\n";
  // One write() of < PIPE_BUF bytes is atomic: the parent sees whole lines only.
  if (::write(fd, l.data(), l.size()) < 0) _exit(4);
}

[[noreturn]] void child_main(const std::string& path, int64_t conv, int fd, int seed) {
  try {
    ConversationStore store(path);
    report(fd, "O");
    std::optional<int64_t> leaf = store.conversation(conv).active_leaf_id;
    std::mt19937 rng(seed);
    for (int turn = 0;; ++turn) {
      int64_t u = store.append_message(conv, leaf, Role::User,
                                       "u" + std::to_string(seed) + "-" + std::to_string(turn));
      report(fd, "U " + std::to_string(u) + " " + std::to_string(seed) + " " + std::to_string(turn));
      int64_t r = store.begin_assistant_reply(conv, u);
      report(fd, "R " + std::to_string(r));
      PartialWriter w(store, r);
      for (int k = 0; k < kReplyTokens; ++k) {
        if (w.append(piece(k), 1))
          report(fd, "P " + std::to_string(r) + " " + std::to_string(w.token_count()));
        if (rng() % 8 == 0) ::usleep(100);  // a model step takes time too
      }
      GenerationStats st;
      st.stop_reason = StopReason::Eos;
      st.tokens_per_s = 99.5;
      w.finish(st);
      report(fd, "F " + std::to_string(r));
      leaf = r;
    }
  } catch (const std::exception& e) {
    report(fd, std::string("E ") + e.what());
    _exit(3);
  }
}

struct Expected {
  std::map<int64_t, std::string> user;  // committed user messages: id -> text
  std::map<int64_t, bool> replies;      // reply id -> finished (reported F)
  std::map<int64_t, int64_t> partial;   // reply id -> tokens of its last reported write
};

}  // namespace

class TestStoreCrash : public QObject {
  Q_OBJECT

 private slots:
  void sigkillWhileStreaming() {
    QTemporaryDir dir;
    const std::string path = (dir.path() + "/crash.db").toStdString();
    int64_t conv = 0;
    {
      ConversationStore s(path);
      conv = s.create_conversation({.title = "crash test"});
    }
    Expected ex;
    std::mt19937 rng(20261201);
    int interrupted_mid_reply = 0, killed_with_partial = 0;
    const int kKills = 60;
    for (int round = 0; round < kKills; ++round) {
      int fds[2];
      QVERIFY(::pipe(fds) == 0);
      pid_t pid = ::fork();
      QVERIFY(pid >= 0);
      if (pid == 0) {
        ::close(fds[0]);
        child_main(path, conv, fds[1], round);
      }
      ::close(fds[1]);
      // Kill at a random point of the child's progress, measured in reported commits rather
      // than in time so that a slow or busy machine hits every phase too: while opening
      // (0 reports), between commits, and a random 0-3 ms later, i.e. inside the next one.
      std::string reports;
      char buf[4096];
      const int wait_reports = int(rng() % 40);
      while (std::count(reports.begin(), reports.end(), '\n') < wait_reports) {
        pollfd pfd{fds[0], POLLIN, 0};
        if (::poll(&pfd, 1, 10000) <= 0) break;  // the checks below report a stuck child
        ssize_t n = ::read(fds[0], buf, sizeof buf);
        if (n <= 0) break;
        reports.append(buf, size_t(n));
      }
      ::usleep(useconds_t(rng() % 3000));
      ::kill(pid, SIGKILL);
      int status = 0;
      ::waitpid(pid, &status, 0);
      QVERIFY2(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "the child ended before it was killed");
      for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) reports.append(buf, size_t(n));
      ::close(fds[0]);
      std::istringstream lines(reports);
      int64_t open_reply = 0;
      for (std::string line; std::getline(lines, line);) {
        std::istringstream f(line);
        std::string kind;
        f >> kind;
        if (kind == "O") continue;
        if (kind == "E") QFAIL(qPrintable(QString::fromStdString("child failed: " + line)));
        int64_t id = 0;
        f >> id;
        if (kind == "U") {
          int seed = 0, turn = 0;
          f >> seed >> turn;
          ex.user[id] = "u" + std::to_string(seed) + "-" + std::to_string(turn);
        } else if (kind == "R") {
          ex.replies[id] = false;
          open_reply = id;
        } else if (kind == "P") {
          f >> ex.partial[id];
        } else if (kind == "F") {
          ex.replies[id] = true;
          open_reply = 0;
        }
      }

      ConversationStore s(path);
      QCOMPARE(s.integrity_check(), std::string("ok"));
      for (auto& [id, text] : ex.user) QCOMPARE(s.message(id).text, text);
      for (auto& [id, finished] : ex.replies) {
        Message m = s.message(id);
        QCOMPARE(m.state, MessageState::Complete);  // nothing is left "streaming"
        if (finished || m.stats.stop_reason == StopReason::Eos) {
          // Finished (perhaps just before the kill, before its report reached the pipe).
          QCOMPARE(m.stats.stop_reason, StopReason::Eos);
          QCOMPARE(m.text, reply_text(kReplyTokens));
          QCOMPARE(m.token_count, int64_t(kReplyTokens));
          ex.replies[id] = true;
        } else {
          QCOMPARE(m.stats.stop_reason, StopReason::Interrupted);
          QCOMPARE(m.text, reply_text(m.token_count));  // an exact prefix of the stream
          auto p = ex.partial.find(id);
          if (p != ex.partial.end()) QVERIFY(m.token_count >= p->second);
        }
      }
      if (open_reply && !ex.replies[open_reply]) {
        ++interrupted_mid_reply;
        if (ex.partial.count(open_reply)) ++killed_with_partial;
      }
    }
    qInfo("%d kills: %zu user turns, %zu replies, %d killed mid-reply (%d after a partial write)", kKills,
          ex.user.size(), ex.replies.size(), interrupted_mid_reply, killed_with_partial);
    // The random schedule must really have hit the interesting moments.
    QVERIFY(interrupted_mid_reply >= 10);
    QVERIFY(killed_with_partial >= 5);
  }
};

QTEST_APPLESS_MAIN(TestStoreCrash)
#include "test_store_crash.moc"
