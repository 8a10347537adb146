// Checkpoint metadata files are read with a size bound (docs/SECURITY.md §5): a config.json that
// is huge, a FIFO, or a link to /dev/zero is one Error(Load) naming the file, not a read until
// memory runs out (or forever).
#include <sys/stat.h>

#include <QTemporaryDir>
#include <QtTest>
#include <filesystem>
#include <fstream>

#include "core/common/error.h"
#include "core/common/file_read.h"
#include "core/model/checkpoint.h"
#include "core/model/model_config.h"
#include "core/tokenizer/tokenizer.h"

using namespace falcon;
namespace fs = std::filesystem;

namespace {

template <typename Fn>
QString load_error(Fn&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::Load) return QString::fromStdString(e.what());
    return QStringLiteral("wrong kind: ") + e.what();
  }
  return {};
}

}  // namespace

class TestFileBounds : public QObject {
  Q_OBJECT

 private slots:
  void reads_small_files_exactly() {
    QTemporaryDir tmp;
    const fs::path p = fs::path(tmp.path().toStdString()) / "a.json";
    std::string bytes(200000, 'x');
    bytes[7] = '\0';
    std::ofstream(p, std::ios::binary) << bytes;
    QCOMPARE(read_file_bounded(p, 200000), bytes);
    QVERIFY(load_error([&] { read_file_bounded(p, 199999); }).contains("more than"));
    QVERIFY(load_error([&] {
              read_file_bounded(fs::path(tmp.path().toStdString()) / "none", 10);
            }).contains("does not exist"));
  }

  // A sparse 65 MiB config.json (no disk used): refused from its size, before reading.
  void oversized_config_json() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    std::ofstream(dir / "config.json").close();
    fs::resize_file(dir / "config.json", kMaxMetadataFileBytes + 1);
    const QString m = load_error([&] { load_model_config(dir); });
    QVERIFY2(m.contains("config.json") && m.contains("64 MiB"), qPrintable(m));
  }

  // Neither a device that never ends nor a FIFO nobody writes to is read (the readers check for
  // a regular file first; kept so that stays true).
  void special_files_are_refused() {
    QTemporaryDir tmp;
    const fs::path dir = tmp.path().toStdString();
    fs::create_symlink("/dev/zero", dir / "config.json");
    QString m = load_error([&] { load_model_config(dir); });
    QVERIFY2(m.contains("config.json") && !m.startsWith(QLatin1String("wrong kind")), qPrintable(m));
    QVERIFY2(load_error([&] { read_file_bounded(dir / "config.json", 1024); }).contains("not a regular file"),
             "read_file_bounded read a device");

    QVERIFY(::mkfifo((dir / "model.safetensors.index.json").c_str(), 0600) == 0);
    m = load_error([&] { CheckpointReader r(dir); });
    QVERIFY2(!m.isEmpty() && !m.startsWith(QLatin1String("wrong kind")), qPrintable(m));

    fs::create_directory(dir / "tok");
    fs::create_symlink("/dev/zero", dir / "tok" / "tokenizer.json");
    m = load_error([&] { load_tokenizer(dir / "tok"); });
    QVERIFY2(!m.isEmpty() && !m.startsWith(QLatin1String("wrong kind")), qPrintable(m));
  }
};

QTEST_APPLESS_MAIN(TestFileBounds)
#include "test_file_bounds.moc"
