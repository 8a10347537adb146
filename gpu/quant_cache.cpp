// The quantization cache file (see quant_cache.h and docs/QUANTIZATION.md).
#include "gpu/quant_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <vector>

#include "core/common/error.h"
#include "core/model/weight_format_name.h"
#include "gpu/cuda_check.h"
#include "gpu/device_alloc.h"

namespace falcon::gpu {
namespace {

constexpr char kMagic[8] = {'F', 'A', 'L', 'C', 'O', 'N', 'Q', 'C'};
constexpr uint32_t kVersion = 1;
constexpr uint64_t kStaging = 64ull << 20;

struct Hash {
  uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a 64
  void bytes(const void* p, size_t n) {
    const auto* b = static_cast<const unsigned char*>(p);
    for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 0x100000001b3ull;
  }
  template <class T>
  void value(const T& v) {
    bytes(&v, sizeof v);
  }
};

struct Header {
  char magic[8];
  uint32_t version;
  uint32_t format;  // 1 = int8, 2 = int4
  uint64_t key;     // checkpoint_key of the checkpoint it was made from
  uint64_t layout;  // hash of the dims and every segment's size
  uint64_t segments;
  uint64_t payload;  // bytes after the header
  uint64_t check;    // hash of the fields above
};

uint64_t header_check(const Header& h) {
  Hash x;
  x.bytes(&h, offsetof(Header, check));
  return x.h;
}

struct Segment {
  void* dev;
  uint64_t bytes;
  const QuantMatrix* table_of;  // set for an int4 row table (validated on read)
};

std::vector<Segment> segments(const DeviceModel& m) {
  std::vector<Segment> out;
  auto add = [&](const QuantMatrix& q) {
    if (q.n_rows == 0) return;
    out.push_back({q.data, q.data_bytes(), nullptr});
    out.push_back(
        {q.format == QuantFormat::Int8 ? static_cast<void*>(q.scales) : static_cast<void*>(q.gscales),
         q.scale_bytes(), nullptr});
    if (q.table_bytes() > 0) out.push_back({q.row_of, q.table_bytes(), &q});
  };
  if (m.d.quant_head) add(m.q_head);
  for (const LayerDev& L : m.layers)
    for (const QuantMatrix& q : L.q) add(q);
  return out;
}

uint64_t layout_hash(const Dims& d, const std::vector<Segment>& segs) {
  Hash x;
  for (int v : {d.dim, d.ffn, d.qkv_out, d.heads, d.kv, d.hd, d.vocab, d.layers, static_cast<int>(d.weights),
                static_cast<int>(d.quant_head)})
    x.value(v);
  // A head in another format than the layers' (files from before this option hash as above).
  if (d.quant_head && d.head != d.weights) x.value(100 + static_cast<int>(d.head));
  for (const Segment& s : segs) x.value(s.bytes);
  return x.h;
}

// Reads exactly n bytes; false at end of file or on error.
bool read_all(int fd, void* p, size_t n) {
  auto* b = static_cast<char*>(p);
  while (n > 0) {
    const ssize_t r = ::read(fd, b, n);
    if (r <= 0) return false;
    b += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

bool write_all(int fd, const void* p, size_t n) {
  const auto* b = static_cast<const char*>(p);
  while (n > 0) {
    const ssize_t r = ::write(fd, b, n);
    if (r <= 0) return false;
    b += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

uint64_t checkpoint_key(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string n = e.path().filename().string();
    if (n == "config.json" || n == "model.safetensors.index.json" ||
        (n.size() > 12 && n.compare(n.size() - 12, 12, ".safetensors") == 0))
      files.push_back(e.path());
  }
  if (ec)
    throw Error(ErrorKind::Load, "cannot list the model folder '" + dir.string() + "': " + ec.message());
  std::sort(files.begin(), files.end());
  Hash x;
  for (const auto& f : files) {
    const std::string name = f.filename().string();
    x.bytes(name.data(), name.size());
    const uint64_t size = std::filesystem::file_size(f, ec);
    const auto mtime = std::filesystem::last_write_time(f, ec).time_since_epoch().count();
    x.value(size);
    x.value(mtime);
    // JSON files whole; for a shard the 8-byte length and the JSON header it announces.
    std::ifstream in(f, std::ios::binary);
    uint64_t want = std::min<uint64_t>(size, 16ull << 20);
    if (name.size() > 12 && name.compare(name.size() - 12, 12, ".safetensors") == 0) {
      uint64_t n = 0;
      in.read(reinterpret_cast<char*>(&n), 8);
      want = std::min<uint64_t>(size, 8 + std::min<uint64_t>(n, 100ull << 20));
      in.seekg(0);
    }
    std::vector<char> buf(static_cast<size_t>(want));
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    x.bytes(buf.data(), static_cast<size_t>(in.gcount()));
  }
  return x.h;
}

std::filesystem::path quant_cache_file(const std::filesystem::path& cache_dir,
                                       const std::filesystem::path& model_dir, const Dims& d, uint64_t key) {
  std::string name = std::filesystem::absolute(model_dir).lexically_normal().filename().string();
  if (name.empty()) name = "model";
  for (char& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_' && ch != '.') ch = '_';
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(key));
  return cache_dir / (name + (d.weights == WeightFormat::Int8 ? "-int8" : "-int4") +
                      (!d.quant_head         ? ""
                       : d.head == d.weights ? "-head"
                                             : std::string("-head-") + weight_format_name(d.head)) +
                      "-" + hex + ".fqc");
}

bool read_quant_cache(const std::filesystem::path& file, uint64_t key, DeviceModel& m, cudaStream_t stream,
                      FaultInjection* faults, const CacheProgress& progress, std::string* why) {
  auto fail = [&](const std::string& reason) {
    if (why) *why = reason;
    return false;
  };
  Fd f;
  f.fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (f.fd < 0) return fail("no cache file " + file.string());
  const std::vector<Segment> segs = segments(m);
  uint64_t payload = 0;
  for (const Segment& s : segs) payload += s.bytes;
  Header h{};
  struct stat st {};
  if (!read_all(f.fd, &h, sizeof h) || std::memcmp(h.magic, kMagic, 8) != 0 || h.version != kVersion ||
      h.check != header_check(h))
    return fail("not a falcon-chat quantization cache (or another version): " + file.string());
  if (h.key != key) return fail("the checkpoint changed since the cache was written");
  if (h.layout != layout_hash(m.d, segs) || h.segments != segs.size() || h.payload != payload)
    return fail("the cache was written for another weight layout");
  if (::fstat(f.fd, &st) != 0 || static_cast<uint64_t>(st.st_size) != sizeof h + payload)
    return fail("the cache file is truncated");
  // Out of pinned memory here is an error, not a reason to quantize instead: that needs more.
  const PinnedBuffer buf = alloc_pinned(kStaging, "the quantization cache's staging buffer", faults);
  uint64_t done = 0;
  for (const Segment& s : segs) {
    std::vector<char> table;
    for (uint64_t off = 0; off < s.bytes; off += kStaging) {
      const size_t n = static_cast<size_t>(std::min(kStaging, s.bytes - off));
      if (!read_all(f.fd, buf.get(), n)) return fail("the cache file could not be read");
      if (s.table_of)
        table.insert(table.end(), static_cast<char*>(buf.get()), static_cast<char*>(buf.get()) + n);
      FALCON_CUDA_CHECK(
          cudaMemcpyAsync(static_cast<char*>(s.dev) + off, buf.get(), n, cudaMemcpyHostToDevice, stream));
      FALCON_CUDA_CHECK(cudaStreamSynchronize(stream));  // buf is reused for the next chunk
      done += n;
      if (progress) progress(done, payload);
    }
    if (s.table_of) {
      // Row tables index device memory in the GEMV epilogue: never trust them from disk.
      const std::vector<int32_t> expect = int4_row_table(*s.table_of);
      if (table.size() != expect.size() * 4 || std::memcmp(table.data(), expect.data(), table.size()) != 0)
        return fail("the cache file is corrupt (row table)");
    }
  }
  return true;
}

bool write_quant_cache(const std::filesystem::path& file, uint64_t key, const DeviceModel& m,
                       cudaStream_t stream, FaultInjection* faults, std::string* why) {
  auto fail = [&](const std::string& reason) {
    if (why) *why = reason;
    return false;
  };
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  if (ec) return fail("cannot create " + file.parent_path().string() + ": " + ec.message());
  const std::vector<Segment> segs = segments(m);
  Header h{};
  std::memcpy(h.magic, kMagic, 8);
  h.version = kVersion;
  h.format = m.d.weights == WeightFormat::Int8 ? 1 : 2;
  h.key = key;
  h.layout = layout_hash(m.d, segs);
  h.segments = segs.size();
  for (const Segment& s : segs) h.payload += s.bytes;
  h.check = header_check(h);
  // The model is loaded by now: without the staging buffer only the cache is given up.
  PinnedBuffer buf;
  try {
    buf = alloc_pinned(kStaging, "the quantization cache's staging buffer", faults);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::OutOfMemory) throw;
    return fail(e.what());
  }
  const std::filesystem::path tmp = file.string() + ".tmp" + std::to_string(::getpid());
  Fd f;
  f.fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (f.fd < 0) return fail("cannot write " + tmp.string() + ": " + std::strerror(errno));
  bool ok = write_all(f.fd, &h, sizeof h);
  for (const Segment& s : segs) {
    for (uint64_t off = 0; ok && off < s.bytes; off += kStaging) {
      const size_t n = static_cast<size_t>(std::min(kStaging, s.bytes - off));
      FALCON_CUDA_CHECK(cudaMemcpyAsync(buf.get(), static_cast<const char*>(s.dev) + off, n,
                                        cudaMemcpyDeviceToHost, stream));
      FALCON_CUDA_CHECK(cudaStreamSynchronize(stream));
      ok = write_all(f.fd, buf.get(), n);
    }
  }
  const int err = errno;
  ok = ok && ::fsync(f.fd) == 0;
  ::close(f.fd);
  f.fd = -1;
  if (!ok) {
    std::filesystem::remove(tmp, ec);
    return fail("cannot write the quantization cache " + file.string() + ": " + std::strerror(err));
  }
  std::filesystem::rename(tmp, file, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    return fail("cannot rename the quantization cache into place: " + ec.message());
  }
  return true;
}

}  // namespace falcon::gpu
