// A model file truncated on disk while it is mapped (a model folder overwritten while the app
// runs). Reading the lost part used to raise SIGBUS and end the process; now the guarded
// mapping reads zeros there, says so, and the CPU backend turns that into an Error(Load) naming
// the shard, while a SIGBUS from any other mapping still ends the process (checked in a child).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <QTemporaryDir>
#include <QtTest>
#include <fstream>

#include "core/common/error.h"
#include "core/common/mapping_guard.h"
#include "core/model/checkpoint.h"
#include "core/model/cpu_backend.h"
#include "core/model/model_config.h"
#include "core/model/synthetic_checkpoint.h"
#include "model_fixture_util.h"

using namespace falcon;

namespace {

constexpr std::size_t kFileBytes = 64 * 1024;

// A file of kFileBytes bytes of 0xAB, mapped read-only; nullptr on failure.
const unsigned char* map_pattern_file(const std::filesystem::path& p) {
  {
    std::ofstream out(p, std::ios::binary);
    const std::string bytes(kFileBytes, static_cast<char>(0xAB));
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  const int fd = ::open(p.c_str(), O_RDONLY);
  if (fd < 0) return nullptr;
  void* m = mmap(nullptr, kFileBytes, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  return m == MAP_FAILED ? nullptr : static_cast<const unsigned char*>(m);
}

unsigned char read_byte(const unsigned char* p) {
  return *static_cast<const volatile unsigned char*>(p);
}

}  // namespace

class TestMappingGuard : public QObject {
  Q_OBJECT

 private slots:
  void guarded_mapping_reads_zeros_past_the_new_end() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const std::filesystem::path file = std::filesystem::path(tmp.path().toStdString()) / "w.bin";
    const unsigned char* m = map_pattern_file(file);
    QVERIFY(m != nullptr);
    {
      MappingGuard guard(m, kFileBytes);
      QVERIFY(guard.guarded());
      QCOMPARE(read_byte(m + 40000), 0xAB);
      QVERIFY(!guard.damaged());  // reading an intact file marks nothing
      std::filesystem::resize_file(file, 10000);
      QCOMPARE(read_byte(m + 5000), 0xAB);  // still in the file
      QCOMPARE(read_byte(m + 40000), 0);    // gone: zeros instead of SIGBUS
      QVERIFY(guard.damaged());
      QCOMPARE(read_byte(m + kFileBytes - 1), 0);
    }
    munmap(const_cast<unsigned char*>(m), kFileBytes);
  }

  void other_mappings_still_fault() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const std::filesystem::path dir = tmp.path().toStdString();
    const unsigned char* guarded = map_pattern_file(dir / "guarded.bin");
    const unsigned char* plain = map_pattern_file(dir / "plain.bin");
    QVERIFY(guarded && plain);
    MappingGuard guard(guarded, kFileBytes);  // the handler is installed
    std::filesystem::resize_file(dir / "plain.bin", 10000);
    const pid_t child = fork();
    QVERIFY(child >= 0);
    if (child == 0) {
      // QtTest's crash handler (the previous SIGBUS handler here) would print a stack trace.
      const int null_fd = ::open("/dev/null", O_WRONLY);
      if (null_fd >= 0) dup2(null_fd, 1), dup2(null_fd, 2);
      read_byte(plain + 40000);  // not guarded: must not be absorbed
      _exit(0);
    }
    int status = 0;
    QCOMPARE(waitpid(child, &status, 0), child);
    // The default action ends the child with SIGBUS; under ASan its handler reports the fault
    // and exits non-zero. Either way the read did not quietly succeed.
    QVERIFY2(!(WIFEXITED(status) && WEXITSTATUS(status) == 0),
             "a fault outside guarded mappings was absorbed");
    QVERIFY(!guard.damaged());
    munmap(const_cast<unsigned char*>(guarded), kFileBytes);
    munmap(const_cast<unsigned char*>(plain), kFileBytes);
  }

  void cpu_backend_reports_a_truncated_shard() {
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const std::filesystem::path dir = tmp.path().toStdString();
    const ModelConfig c = testutil::small_config(false, true, true, false, false, true);  // 7B-style
    write_synthetic_checkpoint(dir, c, 48 * 1024, 3);
    auto weights = std::make_shared<const CheckpointReader>(dir);
    CpuBackendOptions o;
    o.threads = 2;
    o.cache_capacity = 64;
    auto be = create_cpu_backend(c, weights, o);
    std::vector<float> logits;
    const std::vector<int32_t> prompt = {5, 17, 42, 7};
    be->forward(prompt, false, logits);  // intact: runs
    be->truncate(0);

    // Cut every shard back to its header: the tensor data is gone.
    std::vector<std::filesystem::path> shards;
    for (const auto& e : std::filesystem::directory_iterator(dir))
      if (e.path().extension() == ".safetensors") shards.push_back(e.path());
    QVERIFY(shards.size() >= 2);
    for (const auto& p : shards) {
      std::ifstream in(p, std::ios::binary);
      uint64_t header = 0;
      in.read(reinterpret_cast<char*>(&header), 8);
      std::filesystem::resize_file(p, 8 + header);
    }
    bool threw = false;
    try {
      be->forward(prompt, false, logits);
    } catch (const Error& e) {
      threw = true;
      QCOMPARE(e.kind(), ErrorKind::Load);
      const std::string what = e.what();
      QVERIFY2(what.find("changed on disk") != std::string::npos, what.c_str());
      QVERIFY2(what.find(".safetensors") != std::string::npos, what.c_str());
    }
    QVERIFY2(threw, "a forward over a truncated checkpoint must fail with Error(Load)");
    // And every later one, before computing anything.
    be->truncate(0);
    QVERIFY_THROWS_EXCEPTION(Error, be->forward(prompt, false, logits));
  }
};

QTEST_GUILESS_MAIN(TestMappingGuard)
#include "test_mapping_guard.moc"
