// The CPU backend's quantization cache (core/model/cpu_quant_cache.h, quant_cache_file.h): a load
// that reads the cache must give the same model as one that quantizes (logits bit for bit, the
// same memory), and every file that is not exactly right (truncated, a damaged scale or header,
// another layout, a changed checkpoint) must be set aside with a notice, the weights quantized
// again and the file rewritten. Cancelling and an unwritable folder lose nothing.
#include <sys/stat.h>

#include <QTemporaryDir>
#include <QtTest>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>

#include "core/common/error.h"
#include "core/model/cpu_backend.h"
#include "core/model/cpu_quant_cache.h"
#include "core/model/quant_cache_file.h"
#include "core/model/weight_format_name.h"
#include "model_fixture_util.h"

using namespace falcon;
using namespace falcon::testutil;
namespace fs = std::filesystem;

namespace {

struct Loaded {
  std::vector<float> logits;
  uint64_t weights_bytes = 0;
  std::vector<std::string> notes;
};

std::vector<int32_t> prompt() {
  std::vector<int32_t> p;
  for (int i = 0; i < 12; ++i) p.push_back(3 + 5 * i);
  return p;
}

// A backend with these formats and cache folder (none when empty), its notices into `notes`.
CpuBackendOptions options_for(WeightFormat layers, WeightFormat head, const fs::path& cache,
                              std::vector<std::string>& notes) {
  CpuBackendOptions o;
  o.threads = 2;
  o.cache_capacity = 64;
  o.weights = layers;
  o.head_weights = head;
  o.quant_cache_dir = cache;
  o.notice = [&notes](const std::string& n) { notes.push_back(n); };
  return o;
}

// Loads `model` with these formats (and the cache folder, when not empty) and runs the prompt.
Loaded load(const fs::path& model, WeightFormat layers, WeightFormat head, const fs::path& cache,
            std::function<bool(double)> progress = {}) {
  Loaded out;
  CpuBackendOptions o = options_for(layers, head, cache, out.notes);
  o.progress = std::move(progress);
  auto be = create_cpu_backend(model, o);
  const std::vector<int32_t> p = prompt();
  be->forward(p, true, out.logits);
  out.weights_bytes = be->memory().weights_bytes;
  return out;
}

bool has(const std::vector<std::string>& notes, const char* text) {
  for (const std::string& n : notes)
    if (n.find(text) != std::string::npos) return true;
  return false;
}

std::string joined(const std::vector<std::string>& notes) {
  std::string s;
  for (const std::string& n : notes) s += "[" + n + "] ";
  return s;
}

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> v;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) v.push_back(e.path());
  std::sort(v.begin(), v.end());
  return v;
}

void copy_model(const std::string& fixture, const fs::path& to) {
  fs::create_directories(to);
  for (const auto& e : fs::directory_iterator(models_dir() / fixture))
    fs::copy(e.path(), to / e.path().filename());
}

void overwrite(const fs::path& file, uint64_t offset, const void* bytes, std::size_t n) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(static_cast<const char*>(bytes), static_cast<std::streamsize>(n));
}

}  // namespace

class TestCpuQuantCache : public QObject {
  Q_OBJECT

 private slots:
  void round_trip_data() {
    QTest::addColumn<QString>("fixture");
    QTest::addColumn<int>("layers");
    QTest::addColumn<int>("head");
    QTest::addColumn<QString>("name_part");
    const int B = int(WeightFormat::Bf16), I8 = int(WeightFormat::Int8), I4 = int(WeightFormat::Int4),
              I6 = int(WeightFormat::Int6);
    for (const char* fx : {"gqa_2ln_sharded", "alibi_6heads_mqa_parallel", "rw_mha_bias_seq_alibi"}) {
      QTest::addRow("%s int8", fx) << QString(fx) << I8 << B << "-int8-cpu-";
      QTest::addRow("%s int8+head", fx) << QString(fx) << I8 << I8 << "-int8-head-cpu-";
      QTest::addRow("%s int4+head-int8", fx) << QString(fx) << I4 << I8 << "-int4-head-int8-cpu-";
      QTest::addRow("%s int4+head", fx) << QString(fx) << I4 << I4 << "-int4-head-cpu-";
      // int6: the output head's only format, beside either layers' format.
      QTest::addRow("%s int8+head-int6", fx) << QString(fx) << I8 << I6 << "-int8-head-int6-cpu-";
      QTest::addRow("%s int4+head-int6", fx) << QString(fx) << I4 << I6 << "-int4-head-int6-cpu-";
    }
  }

  // Quantizing with the cache writes it (mode 0600, nothing else left in the folder) and gives
  // the model a load without the cache gives; the next load reads it and gives the same again.
  void round_trip() {
    QFETCH(QString, fixture);
    QFETCH(int, layers);
    QFETCH(int, head);
    QFETCH(QString, name_part);
    QTemporaryDir tmp;
    const fs::path model = fs::path(tmp.path().toStdString()) / "model",
                   cache = fs::path(tmp.path().toStdString()) / "cache";
    copy_model(fixture.toStdString(), model);
    const auto L = WeightFormat(layers), H = WeightFormat(head);
    const Loaded plain = load(model, L, H, {});
    QVERIFY(plain.notes.empty());
    const Loaded first = load(model, L, H, cache);
    QVERIFY2(has(first.notes, "cached in"), joined(first.notes).c_str());
    const std::vector<fs::path> files = files_in(cache);
    QCOMPARE(files.size(), std::size_t{1});
    const std::string name = files[0].filename().string();
    QVERIFY2(name.find(name_part.toStdString()) != std::string::npos && name.ends_with(".fqc"), name.c_str());
    struct stat st {};
    QVERIFY(::stat(files[0].c_str(), &st) == 0 && (st.st_mode & 0777) == 0600);
    QVERIFY(first.logits == plain.logits);
    const Loaded second = load(model, L, H, cache);
    QVERIFY2(has(second.notes, "read from the cache") && !has(second.notes, "cached in"),
             joined(second.notes).c_str());
    QVERIFY(second.logits == plain.logits);
    QCOMPARE(second.weights_bytes, plain.weights_bytes);
    // The name reads back as the formats it was written for.
    const auto parsed = qcache::parse_cache_name(name);
    QVERIFY2(parsed && parsed->cpu, name.c_str());
    QCOMPARE(parsed->layers, std::string(weight_format_name(L)));
    QCOMPARE(parsed->head, std::string(weight_format_name(H)));
  }

  // An int6 head's file and an int8 head's for the same layers are two files, never read for
  // each other (same bytes, other values): each load reads its own and gives its own logits.
  void int6_and_int8_heads_keep_their_files() {
    QTemporaryDir tmp;
    const fs::path model = fs::path(tmp.path().toStdString()) / "model",
                   cache = fs::path(tmp.path().toStdString()) / "cache";
    copy_model("gqa_2ln_sharded", model);
    const Loaded int8 = load(model, WeightFormat::Int4, WeightFormat::Int8, cache);
    const Loaded int6 = load(model, WeightFormat::Int4, WeightFormat::Int6, cache);
    QVERIFY2(has(int8.notes, "cached in") && has(int6.notes, "cached in") && !has(int6.notes, "removed"),
             joined(int6.notes).c_str());
    QCOMPARE(files_in(cache).size(), std::size_t{2});
    QVERIFY(int6.logits != int8.logits);
    const Loaded int8_again = load(model, WeightFormat::Int4, WeightFormat::Int8, cache);
    const Loaded int6_again = load(model, WeightFormat::Int4, WeightFormat::Int6, cache);
    QVERIFY2(has(int8_again.notes, "read from the cache") && has(int6_again.notes, "read from the cache"),
             (joined(int8_again.notes) + joined(int6_again.notes)).c_str());
    QVERIFY(int8_again.logits == int8.logits);
    QVERIFY(int6_again.logits == int6.logits);
    QCOMPARE(int6_again.weights_bytes, int8_again.weights_bytes);  // int8's layout on the CPU
  }

  // A scale read from a file is checked against the range of the scales quantize() makes for the
  // matrix's format: int6's reach the largest float / 31 (past int4's fp16 limit and int8's
  // float max / 127); past that, the file is corrupt.
  void int6_scales_are_checked_by_their_own_range() {
    QTemporaryDir tmp;
    const fs::path file = fs::path(tmp.path().toStdString()) / "m-int8-head-int6-cpu-0123456789abcdef.fqc";
    const cpu::MatrixShape shapes[] = {{2, 40, WeightFormat::Int8}, {3, 33, WeightFormat::Int6}};
    const qcache::Expect want = cpu::cache_expect(WeightFormat::Int8, shapes, 7);
    auto matrix = [](const cpu::MatrixShape& s, float scale) {
      cpu::QuantMatrix m = cpu::shape_of(s.rows, s.cols, s.format);
      m.codes.allocate(static_cast<std::size_t>(m.rows) * m.ld);
      std::memset(m.codes.data(), 0, m.codes.size());
      m.scales.assign(static_cast<std::size_t>(m.rows) * m.groups(), 0.5f);
      m.scales.back() = scale;
      return m;
    };
    auto round_trip = [&](float int6_scale, std::string& why) {
      const cpu::QuantMatrix a = matrix(shapes[0], 0.25f), b = matrix(shapes[1], int6_scale);
      const cpu::QuantMatrix* both[] = {&a, &b};
      if (!cpu::write_cache(file, want, both, {}, &why)) return false;
      std::vector<cpu::QuantMatrix> out;
      const bool ok = cpu::read_cache(file, want, shapes, out, {}, &why);
      return ok && out.size() == 2 && out[1].scales.back() == int6_scale && out[1].ld == 33;
    };
    std::string why;
    const float max = std::numeric_limits<float>::max();
    for (const float ok : {0.0f, 0.5f, 1e6f, max / 127.0f * 2.0f, max / 31.0f})
      QVERIFY2(round_trip(ok, why),
               qPrintable(QStringLiteral("scale %1: %2").arg(double(ok)).arg(why.c_str())));
    for (const float bad : {max / 31.0f * 1.001f, -1.0f, std::numeric_limits<float>::quiet_NaN()}) {
      why.clear();
      QVERIFY2(!round_trip(bad, why) && why.find("corrupt") != std::string::npos,
               qPrintable(QStringLiteral("scale %1: %2").arg(double(bad)).arg(why.c_str())));
    }
  }

  // bf16 layers never touch the cache (a quantized head alone is quick to make).
  void bf16_layers_skip_the_cache() {
    QTemporaryDir tmp;
    const fs::path model = fs::path(tmp.path().toStdString()) / "model",
                   cache = fs::path(tmp.path().toStdString()) / "cache";
    copy_model("gqa_1ln_untied", model);
    const Loaded l = load(model, WeightFormat::Bf16, WeightFormat::Int8, cache);
    QVERIFY(l.notes.empty());
    QVERIFY(!fs::exists(cache));
  }

  void damaged_files_data() {
    QTest::addColumn<QString>("damage");
    QTest::addColumn<QString>("reason");
    QTest::newRow("truncated") << "truncate"
                               << "truncated";
    QTest::newRow("one byte more") << "extend"
                                   << "truncated";
    QTest::newRow("header byte") << "header"
                                 << "not a falcon-chat quantization cache";
    QTest::newRow("NaN scale") << "nan"
                               << "corrupt";
    QTest::newRow("negative scale") << "negative"
                                    << "corrupt";
    QTest::newRow("infinite scale") << "inf"
                                    << "corrupt";
    QTest::newRow("scale past the range") << "huge"
                                          << "corrupt";
    QTest::newRow("another layout") << "layout"
                                    << "another weight layout";
    QTest::newRow("empty file") << "empty"
                                << "not a falcon-chat quantization cache";
  }

  // A damaged or foreign file under the cache's name: not used (with the reason), the weights
  // quantized again (the same logits) and the file rewritten, so the next load reads it.
  void damaged_files() {
    QFETCH(QString, damage);
    QFETCH(QString, reason);
    QTemporaryDir tmp;
    const fs::path model = fs::path(tmp.path().toStdString()) / "model",
                   cache = fs::path(tmp.path().toStdString()) / "cache";
    copy_model("gqa_2ln_sharded", model);
    // int4 layers with an int8 head: the file's last segment is the head's int8 row scales.
    const auto L = WeightFormat::Int4, H = WeightFormat::Int8;
    const Loaded first = load(model, L, H, cache);
    QVERIFY2(has(first.notes, "cached in"), joined(first.notes).c_str());
    const fs::path file = files_in(cache).at(0);
    const uint64_t size = fs::file_size(file);
    const std::string d = damage.toStdString();
    if (d == "truncate") {
      fs::resize_file(file, size - 1);
    } else if (d == "extend") {
      fs::resize_file(file, size + 1);
    } else if (d == "header") {
      const char x = 0x5a;
      overwrite(file, 13, &x, 1);  // inside the format field; the header's own hash no longer matches
    } else if (d == "nan" || d == "negative" || d == "inf" || d == "huge") {
      // (huge: finite, but no |w| / 127 is that large; 127 of it overflow a float)
      const float v = d == "nan"        ? std::numeric_limits<float>::quiet_NaN()
                      : d == "negative" ? -0.5f
                      : d == "huge"     ? 3e38f
                                        : std::numeric_limits<float>::infinity();
      overwrite(file, size - 4, &v, 4);
    } else if (d == "layout") {
      // The int8 layers' file, under the int4 one's name: a valid file of another layout.
      const Loaded other = load(model, WeightFormat::Int8, WeightFormat::Int8, cache);
      QVERIFY(has(other.notes, "cached in"));
      fs::path int8_file;
      for (const fs::path& p : files_in(cache))
        if (p != file) int8_file = p;
      fs::rename(int8_file, file);
    } else if (d == "empty") {
      fs::resize_file(file, 0);
    }
    const Loaded again = load(model, L, H, cache);
    QVERIFY2(
        has(again.notes, "quantization cache not used") && has(again.notes, reason.toStdString().c_str()),
        joined(again.notes).c_str());
    QVERIFY2(has(again.notes, "cached in"), joined(again.notes).c_str());
    QVERIFY(again.logits == first.logits);
    QCOMPARE(fs::file_size(file), size);
    const Loaded last = load(model, L, H, cache);
    QVERIFY2(has(last.notes, "read from the cache"), joined(last.notes).c_str());
    QVERIFY(last.logits == first.logits);
  }

  // The checkpoint changes: a new key, so a new file; the old one is never read for it, and is
  // removed (it never can be read again) with the temporary file of a writer that died, while
  // the files of other formats, backends and models and a live writer's file stay.
  void changed_checkpoint_gets_a_new_file() {
    QTemporaryDir tmp;
    const fs::path model = fs::path(tmp.path().toStdString()) / "model",
                   cache = fs::path(tmp.path().toStdString()) / "cache";
    copy_model("gqa_2ln_sharded", model);
    const Loaded first = load(model, WeightFormat::Int8, WeightFormat::Bf16, cache);
    QVERIFY(has(first.notes, "cached in"));
    const fs::path old_file = files_in(cache).at(0);
    const Loaded int4 = load(model, WeightFormat::Int4, WeightFormat::Int8, cache);
    QVERIFY(has(int4.notes, "cached in"));
    // Beside them: the same format for another model folder and the CUDA backend's file, a
    // temporary file of a process that does not exist and one of a process that does (init).
    const std::string key = old_file.filename().string().substr(old_file.filename().string().size() - 20);
    const std::vector<fs::path> others{cache / ("other-int8-cpu-" + key), cache / ("model-int8-" + key),
                                       cache / ("model-int8-cpu-" + key + ".tmp1")};
    for (const fs::path& p : others) std::ofstream(p) << "x";
    const fs::path dead_tmp = cache / (old_file.filename().string() + ".tmp999999999");
    std::ofstream(dead_tmp) << "x";
    // A file of this folder and format named as before names held the folder's place: never read.
    const fs::path unplaced = cache / ("model-int8-cpu-" + key);
    std::ofstream(unplaced) << "x";
    fs::last_write_time(model / "config.json", fs::file_time_type::clock::now() + std::chrono::hours(1));
    const Loaded again = load(model, WeightFormat::Int8, WeightFormat::Bf16, cache);
    QVERIFY2(has(again.notes, "no cache file") && has(again.notes, "cached in") &&
                 has(again.notes, "removed 3 outdated files of this model"),
             joined(again.notes).c_str());
    QVERIFY(!fs::exists(old_file) && !fs::exists(dead_tmp) && !fs::exists(unplaced));
    for (const fs::path& p : others) QVERIFY2(fs::exists(p), p.c_str());
    // The int4 file was made for the old key too, but is another format: it stays until an int4
    // load of the changed checkpoint replaces it.
    QCOMPARE(files_in(cache).size(), std::size_t{2 + others.size()});
    QVERIFY(
        has(load(model, WeightFormat::Int4, WeightFormat::Int8, cache).notes, "removed 1 outdated file of"));
  }

  // Two checkpoints in folders of the same name (two training runs' checkpoint-500) keep a file
  // each: every load after the first of each reads its own, and neither removes the other's.
  // The same folder reached through a symbolic link is the same checkpoint.
  void folders_of_the_same_name_keep_their_files() {
    QTemporaryDir tmp;
    const fs::path root = fs::path(tmp.path().toStdString()), cache = root / "cache";
    const fs::path a = root / "run1" / "checkpoint-500", b = root / "run2" / "checkpoint-500";
    copy_model("gqa_2ln_sharded", a);
    copy_model("alibi_6heads_mqa_parallel", b);
    const Loaded a1 = load(a, WeightFormat::Int8, WeightFormat::Bf16, cache);
    const Loaded b1 = load(b, WeightFormat::Int8, WeightFormat::Bf16, cache);
    QVERIFY2(has(a1.notes, "cached in") && has(b1.notes, "cached in") && !has(b1.notes, "removed"),
             joined(b1.notes).c_str());
    QCOMPARE(files_in(cache).size(), std::size_t{2});
    fs::create_directory_symlink(a, root / "link");
    for (const fs::path& m : {a, b, root / "link", root / "link/"}) {
      const Loaded again = load(m, WeightFormat::Int8, WeightFormat::Bf16, cache);
      QVERIFY2(has(again.notes, "read from the cache") && !has(again.notes, "cached in"),
               (m.string() + ": " + joined(again.notes)).c_str());
      QVERIFY(again.logits == (m == b ? b1.logits : a1.logits));
    }
    QCOMPARE(files_in(cache).size(), std::size_t{2});
    // The names: the folder's name, then its place, then the formats.
    for (const fs::path& f : files_in(cache))
      QVERIFY2(f.filename().string().starts_with("checkpoint-500-") &&
                   f.filename().string().find("-int8-cpu-") == std::string("checkpoint-500-").size() + 8,
               f.c_str());
  }

  // remove_stale by name alone: for a folder whose name holds "-int" and 8 hex digits, the files
  // named as before names held the place are this folder's only when everything else matches.
  void stale_names() {
    QTemporaryDir tmp;
    const fs::path dir = fs::path(tmp.path().toStdString());
    const fs::path model = dir / "falcon-7b-instruct-deadbeef";
    fs::create_directory(model);
    const fs::path written =
        qcache::cache_file(dir, model, WeightFormat::Int4, true, WeightFormat::Int8, "-cpu", 0x1234);
    const std::string key = "-0123456789abcdef.fqc";
    const std::string place =
        written.filename().string().substr(std::string("falcon-7b-instruct-deadbeef-").size(), 8);
    const std::vector<std::string> gone{"falcon-7b-instruct-deadbeef-int4-head-int8-cpu" + key,
                                        "falcon-7b-instruct-deadbeef-" + place + "-int4-head-int8-cpu" + key};
    const std::vector<std::string> kept{"falcon-7b-instruct-int4-head-int8-cpu" + key,
                                        "falcon-7b-instruct-deadbeef-int4-head-int8" + key,
                                        "falcon-7b-instruct-deadbeef-int4-head-cpu" + key,
                                        "falcon-7b-instruct-deadbeef-01234567-int4-head-int8-cpu" + key,
                                        "falcon-7b-instruct-deadbeef-int4-head-int8-cpu-0123.fqc",
                                        "falcon-7b-instruct-deadbeef-int4-head-int8-cpu" + key + ".part"};
    for (const auto& n : gone) std::ofstream(dir / n) << "x";
    for (const auto& n : kept) std::ofstream(dir / n) << "x";
    const qcache::CacheFiles removed = qcache::remove_stale(written);
    QCOMPARE(removed.files, int(gone.size()));
    for (const auto& n : gone) QVERIFY2(!fs::exists(dir / n), n.c_str());
    for (const auto& n : kept) QVERIFY2(fs::exists(dir / n), n.c_str());
  }

  // Every notice's kind and detail come back from its line (the app words them from these), and
  // a line of no kind has neither.
  void notices_keep_their_kind_and_detail() {
    using qcache::CacheNotice;
    for (const CacheNotice k : {CacheNotice::Read, CacheNotice::Written, CacheNotice::Missing,
                                CacheNotice::Unusable, CacheNotice::NotWritten}) {
      const std::string detail = "/a/b: c (d)";
      const std::string line = qcache::cache_notice(k, detail);
      QVERIFY2(qcache::cache_notice_kind(line) == k, line.c_str());
      QCOMPARE(std::string(qcache::cache_notice_detail(line)), detail);
    }
    QVERIFY(!qcache::cache_notice_kind("GPU not used: no driver"));
    QVERIFY(qcache::cache_notice_detail("GPU not used: no driver").empty());
  }

  // What the app shows and removes: the finished files of every model, never a writer's
  // temporary file or anything else in the folder.
  void usage_and_remove_all() {
    QTemporaryDir tmp;
    const fs::path cache = fs::path(tmp.path().toStdString());
    std::ofstream(cache / "a-int8-cpu-0123456789abcdef.fqc") << std::string(1000, 'x');
    std::ofstream(cache / "b-int4-head-int8-0123456789abcdef.fqc") << std::string(24, 'x');
    std::ofstream(cache / "c-int8-cpu-0123456789abcdef.fqc.tmp42") << "being written";
    std::ofstream(cache / "notes.txt") << "not ours";
    const qcache::CacheFiles before = qcache::usage(cache);
    QCOMPARE(before.files, 2);
    QCOMPARE(before.bytes, uint64_t{1024});
    const qcache::CacheFiles removed = qcache::remove_all(cache);
    QCOMPARE(removed.files, 2);
    QCOMPARE(removed.bytes, uint64_t{1024});
    QCOMPARE(files_in(cache).size(), std::size_t{2});
    QCOMPARE(qcache::usage(cache).files, 0);
    QCOMPARE(qcache::usage(cache / "missing").files, 0);  // no folder yet: nothing, no throw
  }

  // parse_cache_name reads back what cache_file wrote (the names are made by cache_file itself,
  // for every format, head and backend, and folder names that hold the name's own pieces).
  void cache_names_read_back() {
    QTemporaryDir tmp;
    const fs::path dir = fs::path(tmp.path().toStdString());
    for (const std::string folder :
         {"falcon-7b", "x-int8-head", "model-deadbeef-int4", "a", "f-0123456789abcdef", "y-int6-head-int6"}) {
      for (const WeightFormat layers : {WeightFormat::Int8, WeightFormat::Int4})
        for (const int head : {0, 1, 2, 3})  // bf16, the layers' format, the other one, int6
          for (const std::string backend : {"", "-cpu"}) {
            const WeightFormat other = layers == WeightFormat::Int8 ? WeightFormat::Int4 : WeightFormat::Int8;
            const WeightFormat head_format = head == 3 ? WeightFormat::Int6 : head == 2 ? other : layers;
            const fs::path f = qcache::cache_file(dir, dir / folder, layers, head > 0, head_format, backend,
                                                  0xfeedULL << 40);
            const auto name = qcache::parse_cache_name(f.filename().string());
            QVERIFY2(name.has_value(), f.filename().c_str());
            QCOMPARE(name->model, folder);
            QCOMPARE(name->layers, std::string(weight_format_name(layers)));
            QCOMPARE(name->head,
                     head == 0 ? std::string("bf16") : std::string(weight_format_name(head_format)));
            QCOMPARE(name->cpu, backend == "-cpu");
          }
    }
    // Names from before the folder's place was in them, and names that are not a cache file's.
    const auto old_name = qcache::parse_cache_name("falcon-7b-int4-head-int8-cpu-0123456789abcdef.fqc");
    QVERIFY(old_name && old_name->model == "falcon-7b" && old_name->head == "int8" && old_name->cpu);
    const auto int6_head = qcache::parse_cache_name("falcon-7b-1a2b3c4d-int8-head-int6-0123456789abcdef.fqc");
    QVERIFY(int6_head && int6_head->model == "falcon-7b" && int6_head->layers == "int8" &&
            int6_head->head == "int6" && !int6_head->cpu);
    // int6 is never the layers' format: such a name is no cache file's (and no file is listed as
    // int6 layers; a folder named "...-int6" keeps its name).
    for (const char* bad :
         {"falcon-7b-int6-cpu-0123456789abcdef.fqc", "falcon-7b-int6-head-cpu-0123456789abcdef.fqc",
          "falcon-7b-int6-head-int8-0123456789abcdef.fqc", "falcon-7b-head-int6-0123456789abcdef.fqc"})
      QVERIFY2(!qcache::parse_cache_name(bad), bad);
    const auto int6_folder = qcache::parse_cache_name("run-int6-int4-head-int6-cpu-0123456789abcdef.fqc");
    QVERIFY(int6_folder && int6_folder->model == "run-int6" && int6_folder->layers == "int4" &&
            int6_folder->head == "int6");
    for (const char* bad :
         {"falcon-7b-int4-0123.fqc", "falcon-7b-bf16-0123456789abcdef.fqc", "-int8-0123456789abcdef.fqc",
          "a-int8-0123456789abcdef.fqc.tmp42", "notes.txt", "a-int8-0123456789abcdefg.fqc", ""})
      QVERIFY2(!qcache::parse_cache_name(bad), bad);
  }

  // The listing the model dialog shows, newest first, and removing one file of it; nothing outside
  // the folder, no link and no other file can be removed through it.
  void list_and_remove_one_file() {
    QTemporaryDir tmp;
    const fs::path cache = fs::path(tmp.path().toStdString()) / "cache";
    fs::create_directory(cache);
    const fs::path older = cache / "falcon-40b-1a2b3c4d-int4-head-int8-0123456789abcdef.fqc";
    const fs::path newer = cache / "falcon-7b-int8-cpu-0123456789abcdef.fqc";
    std::ofstream(older) << std::string(1000, 'x');
    std::ofstream(newer) << std::string(24, 'x');
    std::ofstream(cache / "c-int8-cpu-0123456789abcdef.fqc.tmp42") << "being written";
    std::ofstream(cache / "notes.txt") << "not ours";
    const auto t = fs::file_time_type::clock::now();
    fs::last_write_time(older, t - std::chrono::hours(48));
    fs::last_write_time(newer, t - std::chrono::hours(1));
    const auto files = qcache::list_files(cache);
    QCOMPARE(files.size(), std::size_t{2});
    QCOMPARE(files[0].path, newer);
    QCOMPARE(files[0].bytes, uint64_t{24});
    QCOMPARE(files[0].name.model, std::string("falcon-7b"));
    QVERIFY(files[0].name.cpu);
    QCOMPARE(files[1].name.model, std::string("falcon-40b"));
    QCOMPARE(files[1].name.head, std::string("int8"));
    QVERIFY(files[0].written_unix_s - files[1].written_unix_s > 46 * 3600);

    const fs::path outside = fs::path(tmp.path().toStdString()) / "a-int8-0123456789abcdef.fqc";
    std::ofstream(outside) << "x";
    fs::create_symlink(outside, cache / "b-int8-0123456789abcdef.fqc");
    QVERIFY(!qcache::remove_file(cache, outside));  // not in the folder
    QVERIFY(!qcache::remove_file(cache, cache / "sub" / ".." / ".." / outside.filename()));
    QVERIFY(!qcache::remove_file(cache, cache / "b-int8-0123456789abcdef.fqc"));  // a link
    QVERIFY(!qcache::remove_file(cache, cache / "notes.txt"));                    // not a cache file
    QVERIFY(!qcache::remove_file(cache, cache / "c-int8-cpu-0123456789abcdef.fqc.tmp42"));
    QVERIFY(fs::exists(outside) && fs::exists(cache / "notes.txt"));
    QCOMPARE(qcache::remove_file(cache, older).value_or(0), uint64_t{1000});
    QVERIFY(!fs::exists(older));
    QVERIFY(!qcache::remove_file(cache, older));  // gone already
    QCOMPARE(qcache::list_files(cache).size(), std::size_t{1});
    QVERIFY(qcache::list_files(cache / "missing").empty());  // no folder yet: nothing, no throw
  }

  // The key reads the files' contents too: a config of the same size and time but other bytes.
  void key_covers_contents() {
    QTemporaryDir tmp;
    const fs::path model = fs::path(tmp.path().toStdString()) / "model";
    copy_model("gqa_2ln_sharded", model);
    const uint64_t before = qcache::checkpoint_key(model);
    QCOMPARE(qcache::checkpoint_key(model), before);
    const fs::path config = model / "config.json";
    const auto mtime = fs::last_write_time(config);
    std::string text = read_file(config);
    const std::size_t brace = text.rfind('}');
    QVERIFY(brace != std::string::npos && brace > 0);
    text[brace - 1] = text[brace - 1] == ' ' ? '\n' : ' ';  // whitespace: still the same config
    std::ofstream(config, std::ios::binary | std::ios::trunc) << text;
    fs::last_write_time(config, mtime);
    QVERIFY(qcache::checkpoint_key(model) != before);
  }

  // A file written from docs/QUANTIZATION.md's description alone (tools/make_quant_cache_seeds.py,
  // the fuzz target's seeds) is read, and its values come out as written.
  void reads_a_file_written_from_the_docs() {
    QTemporaryDir tmp;
    const fs::path seeds = fs::path(FALCON_SOURCE_DIR) / "tests/fuzz/corpus/fuzz_quant_cache";
    const cpu::MatrixShape shapes[] = {
        {3, 5, WeightFormat::Int8}, {2, 130, WeightFormat::Int4}, {1, 128, WeightFormat::Int4}};
    const qcache::Expect want = cpu::cache_expect(WeightFormat::Int4, shapes, 42);
    auto read = [&](const char* seed, std::vector<cpu::QuantMatrix>& out, std::string& why) {
      const std::string bytes = read_file(seeds / seed);
      const fs::path file = fs::path(tmp.path().toStdString()) / seed;
      std::ofstream(file, std::ios::binary) << bytes.substr(1);  // the first byte is the target's mode
      return cpu::read_cache(file, want, shapes, out, {}, &why);
    };
    std::vector<cpu::QuantMatrix> out;
    std::string why;
    QVERIFY2(read("file_valid", out, why), why.c_str());
    QCOMPARE(out.size(), std::size_t{3});
    // The seed's codes are (7 j + matrix) mod 256 and its scales 0.25 (j + 1) (int8), 0.5 (int4).
    QCOMPARE(int(out[0].codes.data()[4]), 28);
    QCOMPARE(out[0].scales[2], 0.75f);
    QCOMPARE(int(out[1].codes.data()[100]), (700 + 1) % 256);
    QCOMPARE(out[2].scales[0], 0.5f);
    QVERIFY(!read("file_other_key", out, why) && why.find("checkpoint changed") != std::string::npos);
    QVERIFY(out.empty());
  }

  // A load from the cache uses the file's pages (mapped, not copied): removing the file (the model
  // dialog's Remove) while the model is in use changes nothing, and a file cut short in use is
  // an Error(Load) naming it, not a SIGBUS that ends the process.
  void the_mapped_file_in_use() {
    QTemporaryDir tmp;
    const fs::path model = fs::path(tmp.path().toStdString()) / "model",
                   cache = fs::path(tmp.path().toStdString()) / "cache";
    copy_model("alibi_6heads_mqa_parallel", model);
    const Loaded first = load(model, WeightFormat::Int4, WeightFormat::Int8, cache);
    QVERIFY(has(first.notes, "cached in"));
    const fs::path file = files_in(cache).at(0);
    const uint64_t file_bytes = fs::file_size(file);
    std::vector<std::string> notes;
    const CpuBackendOptions o = options_for(WeightFormat::Int4, WeightFormat::Int8, cache, notes);
    const std::vector<int32_t> p = prompt();
    std::vector<float> logits;
    {
      auto be = create_cpu_backend(model, o);
      QVERIFY2(has(notes, "read from the cache"), joined(notes).c_str());
      QCOMPARE(qcache::remove_all(cache).files, 1);
      be->forward(p, true, logits);
      QVERIFY(logits == first.logits);
    }
    {
      load(model, WeightFormat::Int4, WeightFormat::Int8, cache);  // written again
      notes.clear();
      auto be = create_cpu_backend(model, o);
      QVERIFY2(has(notes, "read from the cache"), joined(notes).c_str());
      fs::resize_file(files_in(cache).at(0), file_bytes / 2);
      try {
        be->forward(p, true, logits);
        QFAIL("a forward pass over a cache file cut short in use went on");
      } catch (const Error& e) {
        QCOMPARE(int(e.kind()), int(ErrorKind::Load));
        QVERIFY2(QString(e.what()).contains(QString::fromStdString(files_in(cache).at(0).string())) &&
                     QString(e.what()).contains("changed on disk"),
                 e.what());
      }
    }
    // The next load sees the short file, sets it aside and quantizes again.
    const Loaded again = load(model, WeightFormat::Int4, WeightFormat::Int8, cache);
    QVERIFY2(has(again.notes, "truncated") && has(again.notes, "cached in"), joined(again.notes).c_str());
    QVERIFY(again.logits == first.logits);
  }

  // A cache file that would leave the disk (nearly) full is not written: the numbers say why,
  // and nothing is left in the folder. (A reserve larger than any disk stands in for a full one.)
  void a_full_disk_is_left_alone() {
    QTemporaryDir tmp;
    const fs::path file = fs::path(tmp.path().toStdString()) / "cache" / "m-int8-cpu-0123456789abcdef.fqc";
    qcache::Expect e;
    e.payload = 1000;
    std::string why;
    qcache::Writer w;
    QVERIFY(!w.begin(file, e, &why, uint64_t{1} << 60));
    QVERIFY2(why.find("GiB free") != std::string::npos && why.find("leave less than") != std::string::npos,
             why.c_str());
    QVERIFY(files_in(file.parent_path()).empty());
    qcache::Writer ok;  // the default reserve on this disk
    QVERIFY2(ok.begin(file, e, &why) && ok.commit(&why), why.c_str());
  }

  // A folder that cannot be written: the model loads all the same, with the reason.
  void unwritable_folder() {
    QTemporaryDir tmp;
    const fs::path model = fs::path(tmp.path().toStdString()) / "model",
                   cache = fs::path(tmp.path().toStdString()) / "not-a-folder";
    copy_model("gqa_2ln_sharded", model);
    std::ofstream(cache) << "a file where the folder should be";
    const Loaded plain = load(model, WeightFormat::Int4, WeightFormat::Int8, {});
    const Loaded l = load(model, WeightFormat::Int4, WeightFormat::Int8, cache);
    QVERIFY2(has(l.notes, "not cached"), joined(l.notes).c_str());
    QVERIFY(l.logits == plain.logits);
  }

  // Cancelling while the cache is read or written: Error(Cancelled), and no file left half-made.
  void cancel() {
    QTemporaryDir tmp;
    const fs::path model = fs::path(tmp.path().toStdString()) / "model",
                   cache = fs::path(tmp.path().toStdString()) / "cache";
    copy_model("gqa_2ln_sharded", model);
    // While writing (the last fifth of the bar).
    auto expect_cancel = [&](std::function<bool(double)> progress) {
      try {
        load(model, WeightFormat::Int8, WeightFormat::Bf16, cache, std::move(progress));
      } catch (const Error& e) {
        return e.kind() == ErrorKind::Cancelled;
      }
      return false;
    };
    QVERIFY(expect_cancel([](double f) { return f <= 0.8 || f >= 1.0; }));
    QVERIFY2(files_in(cache).empty(), "a cancelled write leaves nothing");
    QVERIFY(has(load(model, WeightFormat::Int8, WeightFormat::Bf16, cache).notes, "cached in"));
    // While reading: any report after the start.
    QVERIFY(expect_cancel([](double f) { return f <= 0.0; }));
    QVERIFY(has(load(model, WeightFormat::Int8, WeightFormat::Bf16, cache).notes, "read from the cache"));
  }
};

QTEST_GUILESS_MAIN(TestCpuQuantCache)
#include "test_cpu_quant_cache.moc"
