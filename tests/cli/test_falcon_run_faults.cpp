// falcon-run on a damaged checkpoint (issue 12): a shard truncated mid-data, a shard that is
// missing although the index names it, and a shard the user may not read. Each is exit status
// 3 (model cannot be loaded, DESIGN.md §5) with exactly one line on stderr naming the shard,
// and nothing on stdout.
#include <unistd.h>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>
#include <filesystem>

namespace fs = std::filesystem;

namespace {

const fs::path kSharded = fs::path(FALCON_FIXTURES_DIR) / "models" / "gqa_2ln_sharded";
const char* kShard = "model-00003-of-00007.safetensors";

struct Result {
  int code = -1;
  QString out;
  QString err;
};

// `as_nobody`: run as uid/gid 65534 through setpriv (for the permission test when we are root,
// since root may read any file).
Result run(const fs::path& model, bool as_nobody = false) {
  QStringList args{"--model",          QString::fromStdString(model.string()),
                   "--backend",        "cpu",
                   "--prompt-tokens",  "1,2,3",
                   "--max-new-tokens", "2"};
  QString program = QStringLiteral(FALCON_RUN_BIN);
  if (as_nobody) {
    args.prepend(program);
    args = QStringList{"--reuid=65534", "--regid=65534", "--clear-groups"} + args;
    program = QStringLiteral("setpriv");
  }
  QProcess p;
  p.start(program, args);
  if (!p.waitForFinished(120000)) p.kill();
  return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1,
          QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

void check_load_failure(const Result& r, const char* cause) {
  QVERIFY2(r.code == 3, qPrintable(QString::number(r.code) + ": " + r.err));
  QVERIFY2(r.out.isEmpty(), qPrintable(r.out));
  const QStringList lines = r.err.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
  QVERIFY2(lines.size() == 1, qPrintable(r.err));
  QVERIFY2(lines[0].contains(QLatin1String(kShard)), qPrintable(r.err));
  QVERIFY2(lines[0].contains(QLatin1String(cause), Qt::CaseInsensitive), qPrintable(r.err));
}

fs::path copy_fixture(const QTemporaryDir& tmp) {
  const fs::path dir = fs::path(tmp.path().toStdString()) / "model";
  fs::copy(kSharded, dir, fs::copy_options::recursive);
  return dir;
}

}  // namespace

class TestFalconRunFaults : public QObject {
  Q_OBJECT

 private slots:
  void intact_fixture_runs() {
    const Result r = run(kSharded);
    QVERIFY2(r.code == 0, qPrintable(r.err));
  }

  void truncated_shard() {
    QTemporaryDir tmp;
    const fs::path dir = copy_fixture(tmp);
    fs::resize_file(dir / kShard, fs::file_size(dir / kShard) * 6 / 10);
    check_load_failure(run(dir), "outside the file's data area");
  }

  void missing_shard() {
    QTemporaryDir tmp;
    const fs::path dir = copy_fixture(tmp);
    fs::remove(dir / kShard);
    check_load_failure(run(dir), "names shard(s) that are not in");
  }

  void unreadable_shard() {
    QTemporaryDir tmp;
    const fs::path dir = copy_fixture(tmp);
    fs::permissions(dir / kShard, fs::perms::none);
    const bool root = ::geteuid() == 0;
    if (root) {
      // nobody must reach the folder: QTemporaryDir makes it 0700.
      fs::permissions(tmp.path().toStdString(),
                      fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
      fs::permissions(dir, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                               fs::perms::others_read | fs::perms::others_exec);
      for (const auto& e : fs::directory_iterator(dir))
        if (e.path().filename() != kShard)
          fs::permissions(e.path(), fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                                        fs::perms::others_read);
      if (QStandardPaths::findExecutable(QStringLiteral("setpriv")).isEmpty())
        QSKIP("running as root without setpriv: cannot test a permission error");
    }
    check_load_failure(run(dir, root), "Permission denied");
  }
};

QTEST_APPLESS_MAIN(TestFalconRunFaults)
#include "test_falcon_run_faults.moc"
