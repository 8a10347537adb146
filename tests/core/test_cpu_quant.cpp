// The CPU backend's int8/int4/int6 weights (core/model/cpu_quant.h) against references written here:
// - the schemes of docs/QUANTIZATION.md re-implemented element by element (scalar, with the
//   compiler's own float -> fp16 rounding), so every dequantized weight is checked bit for bit,
//   with the quantize -> dequantize error bound (half a scale step); int6 (the output head's
//   only format: amax / 31, codes within ±31, one a byte as int8's) and int8's code bytes against
//   the reference's codes (tests/common/quant_reference.h);
// - the products (decode's direct dot and the prefill's panels) against double-precision sums
//   of the dequantized weights;
// - whole models: CpuBackend with int8/int4 weights against CpuBackend running an f32 checkpoint
//   of the dequantized weights, on every reference fixture, prompt and decode steps.
// The portable kernels run under FALCON_CPU_FAST=0 (core/test_cpu_quant_portable).
#include <QTemporaryDir>
#include <QtTest>
#include <cmath>
#include <functional>
#include <memory>
#include <optional>
#include <random>

#include "common/quant_reference.h"
#include "core/common/error.h"
#include "core/common/thread_pool.h"
#include "core/model/checkpoint.h"
#include "core/model/cpu_backend.h"
#include "core/model/cpu_ops.h"
#include "core/model/cpu_quant.h"
#include "core/model/weight_format_name.h"
#include "logit_checks.h"
#include "model_fixture_util.h"

using namespace falcon;
using namespace falcon::testutil;

namespace {

// (_Float16, which the reference uses for the fp16 rounding, is in every compiler the project
// builds with: GCC 12 and clang on x86-64.)
uint16_t fp16_bits(float f) {
  const _Float16 h = static_cast<_Float16>(f);
  uint16_t b;
  std::memcpy(&b, &h, 2);
  return b;
}
int qmax_of(WeightFormat f) {
  return f == WeightFormat::Int6 ? 31 : 127;
}

// The schemes written from docs/QUANTIZATION.md's table alone (shared with the GPU's tests).
testref::RefQuant reference_quantize(const std::vector<float>& w, int rows, int cols, WeightFormat f) {
  return testref::ref_quantize(w, rows, cols,
                               f == WeightFormat::Int4   ? testref::RefScheme::Int4
                               : f == WeightFormat::Int6 ? testref::RefScheme::Int6
                                                         : testref::RefScheme::Int8);
}

bool per_row(WeightFormat f) {
  return f == WeightFormat::Int8 || f == WeightFormat::Int6;
}

// Random weights of a few magnitudes, with a zero row and a row with one outlier when there is room.
std::vector<float> random_weights(int rows, int cols, uint32_t seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> normal(0.0f, 0.05f);
  std::vector<float> w(static_cast<std::size_t>(rows) * cols);
  for (float& v : w) v = normal(gen);
  if (rows >= 3) {
    std::fill(w.begin() + cols, w.begin() + 2 * cols, 0.0f);
    w[static_cast<std::size_t>(2) * cols + static_cast<std::size_t>(cols) / 2] = 3.0f;
  }
  return w;
}

TensorView f32_view(const std::vector<float>& w, int rows, int cols) {
  TensorView v;
  v.name = "w";
  v.dtype = DType::F32;
  v.shape = {rows, cols};
  v.data = std::span<const std::byte>(reinterpret_cast<const std::byte*>(w.data()), w.size() * sizeof(float));
  return v;
}

bool is_quantized_matrix(const std::string& name) {
  for (const char* suffix : {".self_attention.query_key_value.weight", ".self_attention.dense.weight",
                             ".mlp.dense_h_to_4h.weight", ".mlp.dense_4h_to_h.weight"}) {
    const std::string s(suffix);
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) return true;
  }
  return false;
}

// A copy of a fixture checkpoint in f32 whose layer matrices (and head) are the reference's
// dequantized weights, the head untied so that the embeddings stay as they were.
void write_dequantized_checkpoint(const std::filesystem::path& from, const std::filesystem::path& to,
                                  WeightFormat layers, WeightFormat head) {
  std::filesystem::create_directories(to);
  nlohmann::json cfg = nlohmann::json::parse(read_file(from / "config.json"));
  cfg["tie_word_embeddings"] = false;
  std::ofstream(to / "config.json") << cfg.dump(2);
  const ModelConfig config = load_model_config(from);
  const CheckpointReader reader(from);
  auto dequantized = [](const TensorView& t, WeightFormat f) {
    const int rows = static_cast<int>(t.shape[0]), cols = static_cast<int>(t.shape[1]);
    std::vector<float> w(static_cast<std::size_t>(rows) * cols);
    rows_to_float(t, 0, rows, w.data());
    return f == WeightFormat::Bf16 ? w : reference_quantize(w, rows, cols, f).deq;
  };
  // int8 in a parallel block: the MLP down projection and the attention output are one matrix
  // [fc2 | dense] with one scale per row (docs/QUANTIZATION.md), quantized here as that matrix.
  auto joint_part = [&](const std::string& name) -> std::optional<std::vector<float>> {
    const std::string fc2 = ".mlp.dense_4h_to_h.weight", dense = ".self_attention.dense.weight";
    const bool is_fc2 = name.ends_with(fc2), is_dense = name.ends_with(dense);
    if (layers != WeightFormat::Int8 || !config.parallel_attn || !(is_fc2 || is_dense)) return std::nullopt;
    const std::string layer = name.substr(0, name.size() - (is_fc2 ? fc2 : dense).size());
    const TensorView a = reader.get(layer + fc2), b = reader.get(layer + dense);
    const int rows = static_cast<int>(a.shape[0]), ka = static_cast<int>(a.shape[1]),
              kb = static_cast<int>(b.shape[1]);
    std::vector<float> va(static_cast<std::size_t>(a.numel())), vb(static_cast<std::size_t>(b.numel()));
    to_float(a, 0, a.numel(), va.data());
    to_float(b, 0, b.numel(), vb.data());
    std::vector<float> merged;
    for (int r = 0; r < rows; ++r) {
      merged.insert(merged.end(), va.begin() + std::ptrdiff_t(r) * ka,
                    va.begin() + std::ptrdiff_t(r + 1) * ka);
      merged.insert(merged.end(), vb.begin() + std::ptrdiff_t(r) * kb,
                    vb.begin() + std::ptrdiff_t(r + 1) * kb);
    }
    const std::vector<float> deq = reference_quantize(merged, rows, ka + kb, WeightFormat::Int8).deq;
    std::vector<float> out;
    for (int r = 0; r < rows; ++r) {
      const auto row = deq.begin() + std::ptrdiff_t(r) * (ka + kb);
      if (is_fc2)
        out.insert(out.end(), row, row + ka);
      else
        out.insert(out.end(), row + ka, row + ka + kb);
    }
    return out;
  };
  std::vector<RawTensor> tensors;
  for (const std::string& name : reader.names()) {
    if (name == kLmHead) continue;
    const TensorView t = reader.get(name);
    std::vector<float> v(static_cast<std::size_t>(t.numel()));
    if (auto part = joint_part(name))
      v = std::move(*part);
    else if (is_quantized_matrix(name))
      v = dequantized(t, layers);
    else
      to_float(t, 0, t.numel(), v.data());
    tensors.push_back(RawTensor{name, "F32", t.shape, f32_bytes(v)});
  }
  const TensorView lm = reader.lm_head(config);
  tensors.push_back(RawTensor{kLmHead, "F32", lm.shape, f32_bytes(dequantized(lm, head))});
  write_file(to / "model.safetensors", make_safetensors(tensors));
}

const char* format_name(WeightFormat f) {
  return weight_format_name(f);
}

// Root mean square of a - b over n values.
double rms_diff(const float* a, const float* b, std::size_t n) {
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i) sum += (double(a[i]) - double(b[i])) * (double(a[i]) - double(b[i]));
  return std::sqrt(sum / double(n));
}

}  // namespace

class TestCpuQuant : public QObject {
  Q_OBJECT

 private slots:
  // float_to_f16 against the compiler's conversion: specials, the subnormal and overflow edges,
  // and a million random bit patterns over every exponent.
  void fp16_rounding_matches_the_compilers() {
    std::vector<float> values = {0.0f,
                                 -0.0f,
                                 1.0f,
                                 -1.0f,
                                 65504.0f,
                                 65519.0f,
                                 65520.0f,
                                 1e9f,
                                 -1e9f,
                                 std::numeric_limits<float>::infinity(),
                                 -std::numeric_limits<float>::infinity(),
                                 6.103515625e-05f,
                                 6.0975552e-05f,
                                 5.9604645e-08f,
                                 2.9802322e-08f,
                                 2.9802326e-08f,
                                 1e-10f,
                                 std::numeric_limits<float>::denorm_min()};
    for (int e = -30; e <= 17; ++e)
      for (float m : {1.0f, 1.00048828125f, 1.000244140625f, 1.5f, 1.999f})
        values.push_back(std::ldexp(m, e));
    std::mt19937 gen(7);
    for (int i = 0; i < 1000000; ++i) {
      const uint32_t bits = gen();
      float f;
      std::memcpy(&f, &bits, 4);
      if (!std::isnan(f)) values.push_back(f);
    }
    for (float f : values) {
      if (cpu::float_to_f16(f) != fp16_bits(f))
        QFAIL(qPrintable(QStringLiteral("%1: %2 != %3")
                             .arg(double(f), 0, 'g', 9)
                             .arg(cpu::float_to_f16(f))
                             .arg(fp16_bits(f))));
    }
    QVERIFY(std::isnan(f16_to_float(cpu::float_to_f16(std::numeric_limits<float>::quiet_NaN()))));
  }

  void dequantized_weights_follow_the_scheme_data() {
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("cols");
    QTest::addColumn<int>("format");
    for (const auto& [r, c] : std::vector<std::pair<int, int>>{{3, 1},
                                                               {4, 31},
                                                               {3, 32},
                                                               {4, 33},
                                                               {3, 127},
                                                               {3, 128},
                                                               {5, 129},
                                                               {7, 300},
                                                               {3, 4544},
                                                               {2, 8192}}) {
      for (WeightFormat f : {WeightFormat::Int8, WeightFormat::Int4, WeightFormat::Int6})
        QTest::newRow(qPrintable(QStringLiteral("%1x%2 %3").arg(r).arg(c).arg(format_name(f))))
            << r << c << static_cast<int>(f);
    }
  }
  // Every weight dequantizes to the reference's value exactly, within half a scale step of the
  // original; the dot product is the double-precision sum of those values times x.
  void dequantized_weights_follow_the_scheme() {
    QFETCH(int, rows);
    QFETCH(int, cols);
    QFETCH(int, format);
    const auto f = static_cast<WeightFormat>(format);
    const std::vector<float> w = random_weights(rows, cols, static_cast<uint32_t>(rows * 1000 + cols));
    const testref::RefQuant ref = reference_quantize(w, rows, cols, f);
    ThreadPool pool(2);
    const cpu::QuantMatrix m = cpu::quantize(pool, f32_view(w, rows, cols), f);
    QCOMPARE(m.rows, rows);
    QCOMPARE(m.cols, cols);
    // Bytes: int8 and int6 one a weight and an fp32 scale a row; int4 64 a group of 128 and a
    // scale each.
    const std::size_t groups = per_row(f) ? 1 : static_cast<std::size_t>((cols + 127) / 128);
    const std::size_t code_bytes = per_row(f) ? static_cast<std::size_t>(cols) : groups * 64;
    QCOMPARE(m.bytes(), static_cast<std::size_t>(rows) * (code_bytes + groups * sizeof(float)));
    QCOMPARE(cpu::quantized_bytes(rows, cols, f), m.bytes());
    if (per_row(f)) {
      // The codes themselves, one signed byte a weight within ±qmax, and the scales: amax / qmax.
      const int qmax = qmax_of(f);
      QCOMPARE(m.ld, cols);
      for (int r = 0; r < rows; ++r) {
        QCOMPARE(m.scales[static_cast<std::size_t>(r)], ref.step[static_cast<std::size_t>(r) * cols]);
        float amax = 0.0f;  // once more, as plainly as it can be said
        for (int k = 0; k < cols; ++k)
          amax = std::max(amax, std::fabs(w[static_cast<std::size_t>(r) * cols + k]));
        QCOMPARE(m.scales[static_cast<std::size_t>(r)], amax / static_cast<float>(qmax));
        for (int k = 0; k < cols; ++k) {
          const int code = static_cast<std::int8_t>(m.codes.data()[static_cast<std::size_t>(r) * m.ld + k]);
          QVERIFY(code >= -qmax && code <= qmax);
          const float want = ref.code[static_cast<std::size_t>(r) * cols + k];
          if (static_cast<float>(code) != want)
            QFAIL(qPrintable(QStringLiteral("row %1 col %2: code %3, the scheme gives %4")
                                 .arg(r)
                                 .arg(k)
                                 .arg(code)
                                 .arg(want)));
        }
      }
    }
    std::mt19937 gen(3);
    std::uniform_real_distribution<float> uni(-1.0f, 1.0f);
    std::vector<float> x(static_cast<std::size_t>(cols)), row(static_cast<std::size_t>(cols));
    for (float& v : x) v = uni(gen);
    for (int r = 0; r < rows; ++r) {
      cpu::dequantize_row(m, r, 0, cols, row.data());
      double dot = 0, mag = 0;
      for (int k = 0; k < cols; ++k) {
        const std::size_t i = static_cast<std::size_t>(r) * cols + k;
        if (row[static_cast<std::size_t>(k)] != ref.deq[i])
          QFAIL(qPrintable(QStringLiteral("row %1 col %2: %3, the scheme gives %4 (w %5)")
                               .arg(r)
                               .arg(k)
                               .arg(double(row[static_cast<std::size_t>(k)]), 0, 'g', 9)
                               .arg(double(ref.deq[i]), 0, 'g', 9)
                               .arg(double(w[i]), 0, 'g', 9)));
        QVERIFY(std::fabs(w[i] - ref.deq[i]) <= 0.5f * ref.step[i] * (1.0f + 1e-6f));
        dot += double(ref.deq[i]) * double(x[static_cast<std::size_t>(k)]);
        mag += std::fabs(double(ref.deq[i]) * double(x[static_cast<std::size_t>(k)]));
      }
      const double got = cpu::dot_row(m, r, x.data());
      QVERIFY2(
          std::fabs(got - dot) <= 1e-5 * mag + 1e-7,
          qPrintable(
              QStringLiteral("row %1: dot %2, reference %3").arg(r).arg(got, 0, 'g', 9).arg(dot, 0, 'g', 9)));
      // A window of the row, from an offset inside a group (the prefill packs k-blocks).
      if (cols > 40) {
        std::vector<float> part(17);
        cpu::dequantize_row(m, r, 23, 17, part.data());
        for (int k = 0; k < 17; ++k)
          QCOMPARE(part[static_cast<std::size_t>(k)], row[static_cast<std::size_t>(23 + k)]);
      }
    }
  }

  // A bf16 checkpoint's weights (widened on their own path, from any alignment) quantize exactly
  // as their float values do.
  void bf16_weights_quantize_as_their_values() {
    const int rows = 5, cols = 300;
    std::vector<float> w = random_weights(rows, cols, 21);
    std::vector<uint16_t> bits(w.size());
    for (std::size_t i = 0; i < w.size(); ++i) {
      w[i] = cpu::round_to_bf16(w[i]);
      uint32_t u;
      std::memcpy(&u, &w[i], 4);
      bits[i] = static_cast<uint16_t>(u >> 16);
    }
    std::vector<std::byte> bytes(bits.size() * 2 + 2);  // two bytes in: not 4-byte aligned
    std::memcpy(bytes.data() + 2, bits.data(), bits.size() * 2);
    TensorView v;
    v.name = "w";
    v.dtype = DType::BF16;
    v.shape = {rows, cols};
    v.data = std::span<const std::byte>(bytes.data() + 2, bits.size() * 2);
    ThreadPool pool(2);
    for (WeightFormat f : {WeightFormat::Int8, WeightFormat::Int4, WeightFormat::Int6}) {
      const cpu::QuantMatrix a = cpu::quantize(pool, v, f),
                             b = cpu::quantize(pool, f32_view(w, rows, cols), f);
      QCOMPARE(a.codes.size(), b.codes.size());
      QVERIFY(std::memcmp(a.codes.data(), b.codes.data(), a.codes.size()) == 0);
      QVERIFY(a.scales == b.scales);
    }
  }

  // A broken checkpoint's NaN or infinite weights quantize without undefined behaviour: the
  // largest |w| skips NaN, a NaN quotient takes the lowest code, and the rest of the row keeps
  // the scheme's values (the portable form converted the NaN to an integer: undefined, code 0 on
  // x86, where the AVX2 form gave the lowest code).
  void non_finite_weights() {
    for (WeightFormat f : {WeightFormat::Int8, WeightFormat::Int4, WeightFormat::Int6}) {
      std::vector<float> w = random_weights(1, 256, 31);
      w[3] = std::numeric_limits<float>::quiet_NaN();
      std::vector<float> finite = w;
      finite[3] = 0.0f;
      ThreadPool pool(1);
      const cpu::QuantMatrix m = cpu::quantize(pool, f32_view(w, 1, 256), f);
      std::vector<float> row(256);
      cpu::dequantize_row(m, 0, 0, 256, row.data());
      const testref::RefQuant ref = reference_quantize(finite, 1, 256, f);
      for (int k = 0; k < 256; ++k)
        if (k != 3) QCOMPARE(row[static_cast<std::size_t>(k)], ref.deq[static_cast<std::size_t>(k)]);
      const float lowest = per_row(f) ? -static_cast<float>(qmax_of(f)) : -8.0f;
      QCOMPARE(row[3], lowest * m.scales[0]);  // group 0 holds column 3
      // An infinite weight: an infinite int8 / int6 scale (the row's values are lost, as they
      // were), a saturated int4 one; nothing undefined.
      w[3] = std::numeric_limits<float>::infinity();
      const cpu::QuantMatrix inf = cpu::quantize(pool, f32_view(w, 1, 256), f);
      QVERIFY(per_row(f) ? std::isinf(inf.scales[0]) : inf.scales[0] == 65504.0f);
    }
  }

  // A group whose largest weight is past 7 x 65504 gets fp16's largest finite scale (as the GPU's
  // quantizer does), not infinity, which would have turned every code of the group into 0.
  void int4_scale_saturates() {
    std::vector<float> w = random_weights(2, 256, 9);
    w[5] = 1e6f;
    w[200] = -3e6f;
    const testref::RefQuant ref = reference_quantize(w, 2, 256, WeightFormat::Int4);
    ThreadPool pool(1);
    const cpu::QuantMatrix m = cpu::quantize(pool, f32_view(w, 2, 256), WeightFormat::Int4);
    QCOMPARE(m.scales[0], 65504.0f);
    QCOMPARE(m.scales[1], 65504.0f);
    std::vector<float> row(256);
    cpu::dequantize_row(m, 0, 0, 256, row.data());
    QCOMPARE(row[5], 7.0f * 65504.0f);
    QCOMPARE(row[200], -8.0f * 65504.0f);
    for (int k = 0; k < 256; ++k)
      QCOMPARE(row[static_cast<std::size_t>(k)], ref.deq[static_cast<std::size_t>(k)]);
  }

  // The prefill's panels of quantized weights hold exactly dequantize_row's values (zeros past
  // the last feature), on shapes whose columns end inside an 8-column step and an int4 group.
  void panels_hold_the_dequantized_weights() {
    if (!cpu::avx2_fma_enabled()) QSKIP("no AVX2 + FMA on this CPU (or FALCON_CPU_FAST=0)");
    ThreadPool pool(2);
    for (WeightFormat f : {WeightFormat::Int8, WeightFormat::Int4, WeightFormat::Int6}) {
      for (const auto& [out, in] : {std::pair{37, 1100}, std::pair{16, 517}, std::pair{5, 64}}) {
        const std::vector<float> w = random_weights(out, in, 23);
        const cpu::QuantMatrix m = cpu::quantize(pool, f32_view(w, out, in), f);
        std::vector<float> row(static_cast<std::size_t>(in));
        for (int o = 0; o < out; o += 16) {
          const int nb = std::min(16, out - o);
          for (int k0 = 0; k0 < in; k0 += 512) {
            const int kc = std::min(512, in - k0);
            alignas(32) float p[16 * 512];
            std::fill(std::begin(p), std::end(p), -1.0f);
            cpu::pack_panel_avx2(m, o, nb, k0, kc, p);
            for (int j = 0; j < 16; ++j) {
              if (j < nb) cpu::dequantize_row(m, o + j, k0, kc, row.data());
              for (int k = 0; k < kc; ++k) {
                const float want = j < nb ? row[static_cast<std::size_t>(k)] : 0.0f;
                const float got = p[16 * k + j];
                if (std::memcmp(&want, &got, 4) != 0)
                  QFAIL(qPrintable(QStringLiteral("%1 %2x%3: feature %4, column %5: %6 vs %7")
                                       .arg(format_name(f))
                                       .arg(out)
                                       .arg(in)
                                       .arg(o + j)
                                       .arg(k0 + k)
                                       .arg(got)
                                       .arg(want)));
              }
            }
          }
        }
      }
    }
  }

  // int8 with row maxima from a wider matrix: each row's scale covers the larger of its own
  // largest |w| and the given one, and the codes are the scheme's for that scale (the reference
  // run on the row with the given maximum appended as one more column).
  void int8_with_shared_row_maxima() {
    ThreadPool pool(2);
    const int rows = 5, cols = 70;
    const std::vector<float> w = random_weights(rows, cols, 31);
    const std::vector<float> wider{0.0f, 0.5f, 3.5f, 0.01f, 100.0f};  // below and above each row's own
    const cpu::QuantMatrix m = cpu::quantize(pool, f32_view(w, rows, cols), WeightFormat::Int8, wider);
    std::vector<float> ext;
    for (int r = 0; r < rows; ++r) {
      ext.insert(ext.end(), w.begin() + r * cols, w.begin() + (r + 1) * cols);
      ext.push_back(wider[static_cast<std::size_t>(r)]);
    }
    const testref::RefQuant ref = reference_quantize(ext, rows, cols + 1, WeightFormat::Int8);
    std::vector<float> got(static_cast<std::size_t>(cols));
    for (int r = 0; r < rows; ++r) {
      cpu::dequantize_row(m, r, 0, cols, got.data());
      for (int c = 0; c < cols; ++c)
        QCOMPARE(got[static_cast<std::size_t>(c)], ref.deq[static_cast<std::size_t>(r) * (cols + 1) + c]);
    }
    const std::vector<float> amax = cpu::row_amax(pool, f32_view(w, rows, cols));
    for (int r = 0; r < rows; ++r) {
      float want = 0.0f;
      for (int c = 0; c < cols; ++c)
        want = std::max(want, std::fabs(w[static_cast<std::size_t>(r) * cols + c]));
      QCOMPARE(amax[static_cast<std::size_t>(r)], want);
    }
    for (WeightFormat f : {WeightFormat::Int4, WeightFormat::Int6}) {
      bool refused = false;
      try {
        cpu::quantize(pool, f32_view(w, rows, cols), f, wider);
      } catch (const Error&) {
        refused = true;
      }
      QVERIFY2(refused, "row maxima are for int8 only");
    }
  }

  void linear_on_quantized_weights_data() {
    QTest::addColumn<int>("rows");
    QTest::addColumn<int>("format");
    for (int rows : {1, 2, 3, 6, 7, 13})
      for (WeightFormat f : {WeightFormat::Int8, WeightFormat::Int4, WeightFormat::Int6})
        QTest::newRow(qPrintable(QStringLiteral("%1 rows %2").arg(rows).arg(format_name(f))))
            << rows << static_cast<int>(f);
  }
  // linear() on quantized weights, decode and short prompts (up to 6 rows, the direct dot) and
  // longer ones (the packed panels, and the k-blocks of 512 columns), with a bias, against
  // double-precision sums.
  void linear_on_quantized_weights() {
    QFETCH(int, rows);
    QFETCH(int, format);
    const auto f = static_cast<WeightFormat>(format);
    const int out = 37, in = 1100;  // not a multiple of the panels' 16, nor of 128 or 512
    const std::vector<float> w = random_weights(out, in, 11);
    ThreadPool pool(2);
    cpu::Linear layer;
    layer.out_features = out;
    layer.in_features = in;
    layer.weight = f32_view(w, out, in);
    layer.quant = cpu::quantize(pool, layer.weight, f);
    for (int o = 0; o < out; ++o) layer.bias.push_back(0.01f * static_cast<float>(o));
    std::mt19937 gen(5);
    std::uniform_real_distribution<float> uni(-1.0f, 1.0f);
    std::vector<float> x(static_cast<std::size_t>(rows) * in), y(static_cast<std::size_t>(rows) * out);
    for (float& v : x) v = uni(gen);
    cpu::linear(pool, x.data(), rows, layer, y.data());
    std::vector<float> wrow(static_cast<std::size_t>(in));
    for (int o = 0; o < out; ++o) {
      cpu::dequantize_row(layer.quant, o, 0, in, wrow.data());
      for (int r = 0; r < rows; ++r) {
        double sum = layer.bias[static_cast<std::size_t>(o)], mag = std::fabs(sum);
        for (int k = 0; k < in; ++k) {
          const double p =
              double(wrow[static_cast<std::size_t>(k)]) * double(x[static_cast<std::size_t>(r) * in + k]);
          sum += p;
          mag += std::fabs(p);
        }
        const double got = y[static_cast<std::size_t>(r) * out + o];
        QVERIFY2(std::fabs(got - sum) <= 1e-5 * mag,
                 qPrintable(QStringLiteral("row %1 out %2: %3 vs %4").arg(r).arg(o).arg(got).arg(sum)));
      }
    }
  }

  void backend_matches_the_dequantized_checkpoint_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("layers");
    QTest::addColumn<int>("head");  // -1: the default for the layers' format
    for (const auto& n : fixture_names()) {
      for (WeightFormat f : {WeightFormat::Int8, WeightFormat::Int4})
        QTest::newRow(qPrintable(QStringLiteral("%1 %2").arg(QString::fromStdString(n)).arg(format_name(f))))
            << QString::fromStdString(n) << static_cast<int>(f) << -1;
    }
    const std::string first = fixture_names().front();
    QTest::newRow("int8 head int8") << QString::fromStdString(first) << static_cast<int>(WeightFormat::Int8)
                                    << static_cast<int>(WeightFormat::Int8);
    QTest::newRow("int4 head int4") << QString::fromStdString(first) << static_cast<int>(WeightFormat::Int4)
                                    << static_cast<int>(WeightFormat::Int4);
    QTest::newRow("int4 head bf16") << QString::fromStdString(first) << static_cast<int>(WeightFormat::Int4)
                                    << static_cast<int>(WeightFormat::Bf16);
    // int6: the output head's only format, beside each of the layers' formats; on every fixture
    // beside bf16 layers (the head alone quantized).
    for (const auto& n : fixture_names())
      QTest::newRow(qPrintable(QStringLiteral("%1 bf16 head int6").arg(QString::fromStdString(n))))
          << QString::fromStdString(n) << static_cast<int>(WeightFormat::Bf16)
          << static_cast<int>(WeightFormat::Int6);
    QTest::newRow("int8 head int6") << QString::fromStdString(first) << static_cast<int>(WeightFormat::Int8)
                                    << static_cast<int>(WeightFormat::Int6);
    QTest::newRow("int4 head int6") << QString::fromStdString(first) << static_cast<int>(WeightFormat::Int4)
                                    << static_cast<int>(WeightFormat::Int6);
  }
  // The whole forward pass on quantized weights is the forward pass of their dequantized values:
  // the prompt's logits (every row: the prefill's panels) and decode steps one token at a time
  // (the direct dot), on every architecture variant the fixtures cover.
  void backend_matches_the_dequantized_checkpoint() {
    QFETCH(QString, name);
    QFETCH(int, layers);
    QFETCH(int, head);
    const Fixture fx = load_fixture(name.toStdString());
    const auto layer_format = static_cast<WeightFormat>(layers);
    const WeightFormat head_format =
        head < 0 ? default_head_format(layer_format) : static_cast<WeightFormat>(head);
    QTemporaryDir tmp;
    const std::filesystem::path ref_dir = tmp.filePath(QStringLiteral("dequantized")).toStdString();
    write_dequantized_checkpoint(fx.dir, ref_dir, layer_format, head_format);
    CpuBackendOptions o;
    o.threads = 2;
    o.cache_capacity = static_cast<int>(fx.full_tokens.size()) + 8;
    auto reference = create_cpu_backend(ref_dir, o);
    o.weights = layer_format;
    if (head >= 0) o.head_weights = head_format;
    auto quantized = create_cpu_backend(fx.dir, o);
    std::vector<float> got, want;
    quantized->forward(fx.prompt, true, got);
    reference->forward(fx.prompt, true, want);
    QCOMPARE(got.size(), want.size());
    for (std::size_t r = 0; r < fx.prompt.size(); ++r)
      expect_close(got.data() + r * fx.vocab, want.data() + r * fx.vocab, static_cast<std::size_t>(fx.vocab),
                   QStringLiteral("prompt row %1").arg(r), 1e-4f);
    for (std::size_t t = fx.prompt.size(); t < fx.full_tokens.size() && t < fx.prompt.size() + 6; ++t) {
      const std::vector<int32_t> one{fx.full_tokens[t]};
      quantized->forward(one, false, got);
      reference->forward(one, false, want);
      expect_close(got.data(), want.data(), static_cast<std::size_t>(fx.vocab),
                   QStringLiteral("decode step %1").arg(t), 1e-4f);
    }
    // The quantized model is not the original one (the comparison above would pass for a
    // quantizer that changed nothing, were the reference not quantized too).
    auto original = create_cpu_backend(fx.dir, CpuBackendOptions{2, o.cache_capacity, 0});
    original->forward(fx.prompt, false, want);
    quantized->truncate(0);
    quantized->forward(fx.prompt, false, got);
    QVERIFY(max_abs_diff(got.data(), want.data(), want.size()) > 0.0f);
  }

  // int6 is the output head's format only: layers asked for in it are refused with a usage error
  // naming --head-weights int6 (either way of making the backend), before anything is read.
  // As the head it takes int8's bytes (the same layout on the CPU) and its logits stay near the
  // bf16 head's, farther than int8's: a step 127 / 31 times as large, so an error about that many
  // times as large (the rounding errors of many weights, uniform within half a step).
  void int6_is_a_head_format_only() {
    const Fixture fx = load_fixture(fixture_names().front());
    CpuBackendOptions o;
    o.threads = 2;
    o.cache_capacity = static_cast<int>(fx.prompt.size()) + 8;
    o.weights = WeightFormat::Int6;
    auto expect_refused = [](const std::function<void()>& make, const char* how) {
      try {
        make();
        QFAIL(qPrintable(QStringLiteral("%1: int6 layers were accepted").arg(how)));
      } catch (const Error& e) {
        QCOMPARE(e.kind(), ErrorKind::Usage);
        const QString msg = QString::fromUtf8(e.what());
        QVERIFY2(msg.contains(QStringLiteral("--head-weights int6")) &&
                     msg.contains(QStringLiteral("bf16, int8 or int4")),
                 qPrintable(msg));
      }
    };
    expect_refused([&] { create_cpu_backend(fx.dir, o); }, "folder");
    expect_refused([&] { create_cpu_backend("/nonexistent/model", o); }, "missing folder");
    expect_refused(
        [&] {
          create_cpu_backend(load_model_config(fx.dir), std::make_shared<const CheckpointReader>(fx.dir), o);
        },
        "config and checkpoint");
    o.head_weights = WeightFormat::Int6;
    expect_refused([&] { create_cpu_backend(fx.dir, o); }, "int6 layers and head");

    auto logits_with_head = [&](WeightFormat head, uint64_t* bytes) {
      CpuBackendOptions h;
      h.threads = 2;
      h.cache_capacity = o.cache_capacity;
      h.head_weights = head;
      auto be = create_cpu_backend(fx.dir, h);
      std::vector<float> logits;
      be->forward(fx.prompt, true, logits);
      if (bytes) *bytes = be->memory().weights_bytes;
      return logits;
    };
    uint64_t int6_bytes = 0, int8_bytes = 0;
    const std::vector<float> bf16 = logits_with_head(WeightFormat::Bf16, nullptr);
    const std::vector<float> int8 = logits_with_head(WeightFormat::Int8, &int8_bytes);
    const std::vector<float> int6 = logits_with_head(WeightFormat::Int6, &int6_bytes);
    QCOMPARE(int6_bytes, int8_bytes);
    QCOMPARE(int6.size(), bf16.size());
    const double e8 = rms_diff(int8.data(), bf16.data(), bf16.size()),
                 e6 = rms_diff(int6.data(), bf16.data(), bf16.size());
    std::vector<float> zeros(bf16.size(), 0.0f);
    const double size = rms_diff(bf16.data(), zeros.data(), bf16.size());
    QVERIFY2(e8 > 0 && e6 > 2.0 * e8 && e6 < 8.0 * e8 && e6 < 0.05 * size,
             qPrintable(QStringLiteral("rms error of the int8 head %1, of the int6 head %2; rms logit %3")
                            .arg(e8)
                            .arg(e6)
                            .arg(size)));
  }

  // memory(): the quantized matrices' own bytes instead of their share of the file, the format
  // named; progress runs from 0 to 1 and can cancel the load.
  void memory_progress_and_cancel() {
    const Fixture fx = load_fixture(fixture_names().front());
    const CheckpointReader reader(fx.dir);
    CpuBackendOptions o;
    o.threads = 2;
    o.cache_capacity = 64;
    const BackendMemory plain = create_cpu_backend(fx.dir, o)->memory();
    std::vector<double> seen;
    o.weights = WeightFormat::Int8;
    o.progress = [&seen](double f) {
      seen.push_back(f);
      return true;
    };
    const BackendMemory int8 = create_cpu_backend(fx.dir, o)->memory();
    QCOMPARE(QString::fromStdString(int8.weight_format), QStringLiteral("int8"));
    uint64_t file = 0, quant = 0;
    for (const std::string& n : reader.names()) {
      if (!is_quantized_matrix(n)) continue;
      const TensorView t = reader.get(n);
      file += t.data.size();
      quant += static_cast<uint64_t>(t.shape[0]) * (static_cast<uint64_t>(t.shape[1]) + sizeof(float));
    }
    QVERIFY(file > 0);
    QCOMPARE(int8.weights_bytes, plain.weights_bytes - file + quant);  // the int8 head is only for int4
    QVERIFY(seen.size() >= 2);
    QCOMPARE(seen.front(), 0.0);
    QCOMPARE(seen.back(), 1.0);
    QVERIFY(std::is_sorted(seen.begin(), seen.end()));
    // Too little RAM for the quantized weights: refused before quantizing, with the numbers
    // (and int4's, which fits here). refusal(): the out-of-memory message at a RAM limit.
    o.progress = nullptr;
    const auto refusal = [&](CpuBackendOptions& opts, uint64_t limit) -> std::optional<QString> {
      opts.host_memory_limit = limit;
      try {
        create_cpu_backend(fx.dir, opts);
      } catch (const Error& e) {
        if (e.kind() != ErrorKind::OutOfMemory) throw;
        return QString::fromUtf8(e.what());
      }
      return std::nullopt;
    };
    const std::optional<QString> short_by_one = refusal(o, quant - 1);
    QVERIFY2(short_by_one && short_by_one->contains(QStringLiteral("int8 weights need ")) &&
                 short_by_one->contains(QStringLiteral("int4 would need")),
             short_by_one ? qPrintable(*short_by_one)
                          : "int8 weights were quantized into less memory than they need");
    QVERIFY(!refusal(o, quant));  // exactly enough
    // What the refusal says of int4 must hold when tried: the smallest limit an int4 load (its
    // default int6 head included) fits in, found by loading; one byte under it the suggestion is
    // not made, at it, it is. (It once counted int4's layers without the head int4 takes.)
    CpuBackendOptions o4 = o;
    o4.weights = WeightFormat::Int4;
    uint64_t lo = 1, hi = quant;  // int4 fits in what int8 takes
    QVERIFY(!refusal(o4, hi) && refusal(o4, lo));
    while (hi - lo > 1) {
      const uint64_t mid = lo + (hi - lo) / 2;
      (refusal(o4, mid) ? lo : hi) = mid;
    }
    const std::optional<QString> under = refusal(o, hi - 1), at = refusal(o, hi);
    QVERIFY(hi < quant && under && at);
    QVERIFY2(!under->contains(QStringLiteral("and fit")), qPrintable(*under));
    QVERIFY2(at->contains(QStringLiteral("; int4 would need ")) && at->contains(QStringLiteral(" and fit")),
             qPrintable(*at));
    o.host_memory_limit = 0;
    o.progress = [](double f) { return f < 0.3; };
    try {
      create_cpu_backend(fx.dir, o);
      QFAIL("a cancelled load returned a backend");
    } catch (const Error& e) {
      QCOMPARE(e.kind(), ErrorKind::Cancelled);
    }
  }
};

QTEST_GUILESS_MAIN(TestCpuQuant)
#include "test_cpu_quant.moc"
