// Fault injection when a model is loaded (issue 12), through open_model(), the path falcon-run
// and the app's worker share: a checkpoint truncated inside a shard's data or header, a shard
// deleted between reading model.safetensors.index.json and opening the shard, and a shard that
// cannot be read (permission denied). Each must be one Error(Load) that names the shard and the
// cause, and the same process must load a good checkpoint afterwards.
//
// The deletion and the permission error are injected at the one call that opens a shard
// (SafetensorsFile's ::open): this test defines open()/open64() itself, which the dynamic linker
// prefers over libc's for the whole process, and passes every other call through unchanged. A
// real chmod 000 is tried too, but root reads any file, so that half is skipped as root.
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <QTemporaryDir>
#include <QtTest>
#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "app/engine/open_model.h"
#include "core/common/error.h"
#include "core/common/file_read.h"

using namespace falcon;
namespace fs = std::filesystem;

namespace {

// What the injected open() does to a path ending in `suffix`: nothing (fault None), unlink the
// file first (the shard vanishes after the index named it), or fail with EACCES.
enum class OpenFault { None, DeleteFirst, Denied };
struct OpenInjection {
  OpenFault fault = OpenFault::None;
  std::string suffix;
  int hits = 0;
};
// The test's only mutable global: open() has no other way to find it. Set and cleared by
// FaultScope on the test thread; nothing else opens shards meanwhile.
OpenInjection g_injection;

struct FaultScope {
  FaultScope(OpenFault f, std::string suffix) { g_injection = {f, std::move(suffix), 0}; }
  ~FaultScope() { g_injection = {}; }
};

using OpenFn = int (*)(const char*, int, ...);

int injected_open(const char* symbol, const char* path, int flags, mode_t mode) {
  static const OpenFn real_open = reinterpret_cast<OpenFn>(dlsym(RTLD_NEXT, "open"));
  static const OpenFn real_open64 = reinterpret_cast<OpenFn>(dlsym(RTLD_NEXT, "open64"));
  const OpenFn real = std::strcmp(symbol, "open64") == 0 && real_open64 ? real_open64 : real_open;
  const OpenInjection& in = g_injection;
  if (in.fault != OpenFault::None && path) {
    const std::string_view p(path);
    if (p.size() >= in.suffix.size() && p.substr(p.size() - in.suffix.size()) == in.suffix) {
      ++g_injection.hits;
      if (in.fault == OpenFault::Denied) {
        errno = EACCES;
        return -1;
      }
      ::unlink(path);
    }
  }
  return real(path, flags, mode);
}

}  // namespace

extern "C" int open(const char* path, int flags, ...) {
  mode_t mode = 0;
  if (flags & (O_CREAT | O_TMPFILE)) {
    va_list ap;
    va_start(ap, flags);
    mode = static_cast<mode_t>(va_arg(ap, int));
    va_end(ap);
  }
  return injected_open("open", path, flags, mode);
}

extern "C" int open64(const char* path, int flags, ...) {
  mode_t mode = 0;
  if (flags & (O_CREAT | O_TMPFILE)) {
    va_list ap;
    va_start(ap, flags);
    mode = static_cast<mode_t>(va_arg(ap, int));
    va_end(ap);
  }
  return injected_open("open64", path, flags, mode);
}

namespace {

const fs::path kSharded = fs::path(FALCON_FIXTURES_DIR) / "models" / "gqa_2ln_sharded";
const char* kShard = "model-00003-of-00007.safetensors";

// A private copy of the sharded fixture (7 shards + index), so faults never touch the original.
fs::path copy_fixture(const QTemporaryDir& tmp) {
  const fs::path dir = fs::path(tmp.path().toStdString()) / "model";
  fs::copy(kSharded, dir, fs::copy_options::recursive);
  return dir;
}

OpenModelOptions cpu() {
  OpenModelOptions o;
  o.backend = BackendChoice::Cpu;
  o.cpu_threads = 1;
  return o;
}

// Runs open_model and returns the Error(Load) message (fails the test on anything else).
QString load_error(const fs::path& dir) {
  try {
    open_model(dir, cpu(), false);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::Load) return QStringLiteral("wrong kind: ") + e.what();
    return QString::fromStdString(e.what());
  }
  return QStringLiteral("loaded");
}

// One line, naming the shard.
void check_message(const QString& m, const char* cause) {
  QVERIFY2(!m.startsWith(QLatin1String("wrong kind")) && m != QLatin1String("loaded"), qPrintable(m));
  QVERIFY2(m.contains(QLatin1String(kShard)), qPrintable(m));
  QVERIFY2(m.contains(QLatin1String(cause), Qt::CaseInsensitive), qPrintable(m));
  QVERIFY2(!m.contains(QLatin1Char('\n')), qPrintable(m));
}

}  // namespace

class TestLoadFaults : public QObject {
  Q_OBJECT

 private slots:
  // Auto without a usable GPU runs on the CPU and says why, in parts (for the app to word in the
  // user's language) and as falcon-run's English line; the CPU runs the weight format asked for
  // (int8/int4 quantized while loading, bf16 the checkpoint's own dtype), so the notice gives
  // only the reason.
  void auto_without_a_gpu_says_why_in_parts() {
    std::string reason;
    GpuUnusable kind = GpuUnusable::None;
    if (cuda_available(&reason, &kind)) QSKIP("a usable GPU: Auto runs on it");
    // The kind the app words the reason by agrees with the reason's English.
    QVERIFY(kind != GpuUnusable::None);
    if (kind == GpuUnusable::NoDriver)
      QVERIFY2(reason.find("no usable NVIDIA driver") != std::string::npos, reason.c_str());
    if (kind == GpuUnusable::NoGpu)
      QVERIFY2(reason.find("no NVIDIA GPU found") != std::string::npos, reason.c_str());
    if (kind == GpuUnusable::NoPlugin) QVERIFY2(reason.find("CUDA") != std::string::npos, reason.c_str());
    if (kind == GpuUnusable::NoBuild) QCOMPARE(reason, std::string("this build has no CUDA backend"));
    const struct {
      WeightFormat asked;
      const char* runs;  // BackendMemory::weight_format
    } cases[] = {{WeightFormat::Bf16, "bf16"}, {WeightFormat::Int8, "int8"}, {WeightFormat::Int4, "int4"}};
    for (const auto& c : cases) {
      OpenModelOptions o = cpu();
      o.backend = BackendChoice::Auto;
      o.weights = c.asked;
      const OpenedModel m = open_model(kSharded, o, false);
      QVERIFY(m.backend->identity().kind == BackendIdentity::Kind::Cpu);
      QCOMPARE(m.backend->memory().weight_format, std::string(c.runs));
      QCOMPARE(m.fallback_reason, reason);
      QCOMPARE(m.fallback_kind, kind);
      QCOMPARE(m.fallback_notice, "GPU not used: " + reason + "; running on the CPU");
      QVERIFY2(m.fallback_notice.find("int8") == std::string::npos &&
                   m.fallback_notice.find("int4") == std::string::npos,
               m.fallback_notice.c_str());
    }
    // Asked for the CPU: nothing to explain, and the format asked for runs there too.
    const OpenedModel m = open_model(kSharded, cpu(), false);
    QVERIFY(m.fallback_reason.empty() && m.fallback_notice.empty() && m.fallback_kind == GpuUnusable::None);
    QCOMPARE(m.backend->memory().weight_format, std::string("bf16"));
    OpenModelOptions o = cpu();
    o.weights = WeightFormat::Int8;
    const OpenedModel q = open_model(kSharded, o, false);
    QVERIFY(q.fallback_reason.empty() && q.fallback_notice.empty());
    QCOMPARE(q.backend->memory().weight_format, std::string("int8"));
  }

  void truncated_shard_data() {
    QTest::addColumn<qint64>("keep");  // bytes left of the shard; -1 = 60 % of it
    QTest::addColumn<QString>("cause");
    QTest::newRow("mid-data") << qint64(-1) << "outside the file's data area";
    QTest::newRow("mid-header") << qint64(40) << "header";
    QTest::newRow("length-prefix") << qint64(5) << "8-byte header length";
  }
  void truncated_shard() {
    QFETCH(qint64, keep);
    QFETCH(QString, cause);
    QTemporaryDir tmp;
    const fs::path dir = copy_fixture(tmp);
    const fs::path shard = dir / kShard;
    const auto size = static_cast<qint64>(fs::file_size(shard));
    fs::resize_file(shard, static_cast<uintmax_t>(keep < 0 ? size * 6 / 10 : keep));
    check_message(load_error(dir), qPrintable(cause));
    // The process carries on: the intact fixture loads.
    QVERIFY(open_model(kSharded, cpu(), false).backend);
  }

  // The index is read and every shard exists when it is checked; the shard disappears just
  // before it is opened.
  void shard_deleted_after_the_index_was_read() {
    QTemporaryDir tmp;
    const fs::path dir = copy_fixture(tmp);
    QString m;
    {
      FaultScope fault(OpenFault::DeleteFirst, std::string("/") + kShard);
      m = load_error(dir);
      QCOMPARE(g_injection.hits, 1);  // the injection was reached, at the shard's one open
    }
    QVERIFY(!fs::exists(dir / kShard));
    check_message(m, "No such file");
    QVERIFY(open_model(kSharded, cpu(), false).backend);
  }

  void shard_permission_denied() {
    QTemporaryDir tmp;
    const fs::path dir = copy_fixture(tmp);
    QString m;
    {
      FaultScope fault(OpenFault::Denied, std::string("/") + kShard);
      m = load_error(dir);
      QCOMPARE(g_injection.hits, 1);
    }
    check_message(m, "Permission denied");
    QVERIFY(open_model(kSharded, cpu(), false).backend);
  }

  void shard_permission_denied_by_the_file_mode() {
    if (::geteuid() == 0) QSKIP("root reads files whatever their mode; the injected EACCES above covers it");
    QTemporaryDir tmp;
    const fs::path dir = copy_fixture(tmp);
    fs::permissions(dir / kShard, fs::perms::none);
    check_message(load_error(dir), "Permission denied");
    fs::permissions(dir / kShard, fs::perms::owner_read | fs::perms::owner_write);
    QVERIFY(open_model(dir, cpu(), false).backend);
  }

  // tokenizer_config.json is read once more for the chat template. It used to go through
  // std::ifstream: a FIFO there blocked the load forever (open waits for a writer) and a huge
  // file was read whole. Now it is read like the checkpoint's other metadata: a non-regular or
  // oversized file is one Error(Load) naming it; unusable contents give the Falcon format.
  void chat_template_config_is_read_bounded() {
    QTemporaryDir tmp;
    const fs::path dir = fs::path(tmp.path().toStdString());
    const fs::path cfg = dir / "tokenizer_config.json";
    const std::string fallback = ChatTemplate::falcon_instruct().name();
    QCOMPARE(chat_template_for(dir).name(), fallback);  // no file

    auto load_error_of_template = [&]() -> QString {
      try {
        chat_template_for(dir);
      } catch (const Error& e) {
        return e.kind() == ErrorKind::Load ? QString::fromStdString(e.what()) : QStringLiteral("wrong kind");
      }
      return QStringLiteral("no error");
    };
    QCOMPARE(::mkfifo(cfg.c_str(), 0600), 0);
    QString m = load_error_of_template();
    QVERIFY2(m.contains(QLatin1String("tokenizer_config.json")) && !m.contains(QLatin1Char('\n')),
             qPrintable(m));
    fs::remove(cfg);

    { std::ofstream(cfg) << "{}"; }
    fs::resize_file(cfg, kMaxMetadataFileBytes + 1);  // sparse: nothing is written
    m = load_error_of_template();
    QVERIFY2(m.contains(QLatin1String("tokenizer_config.json")), qPrintable(m));

    const size_t deep = 300000;  // past the nesting bound: refused before parsing
    { std::ofstream(cfg, std::ios::trunc) << std::string(deep, '[') << std::string(deep, ']'); }
    QCOMPARE(chat_template_for(dir).name(), fallback);
    { std::ofstream(cfg, std::ios::trunc) << "{\"chat_template\": "; }  // broken JSON
    QCOMPARE(chat_template_for(dir).name(), fallback);
  }
};

QTEST_APPLESS_MAIN(TestLoadFaults)
#include "test_load_faults.moc"
