#pragma once
// The quantization cache's file, shared by the CUDA backend (gpu/quant_cache.cpp: its device
// layout) and the CPU backend (cpu_backend.cpp: cpu_quant.h's layout): the checkpoint's identity,
// the file name, and a header-checked reader and an atomic writer of the segments that follow.
// Format and invalidation: docs/QUANTIZATION.md ("Cache file").
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/common/mapping_guard.h"
#include "core/model/backend.h"

namespace falcon::qcache {

struct Fnv64 {  // FNV-1a 64
  uint64_t h = 0xcbf29ce484222325ull;
  void bytes(const void* p, std::size_t n) {
    const auto* b = static_cast<const unsigned char*>(p);
    for (std::size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 0x100000001b3ull;
  }
  template <class T>
  void value(const T& v) {
    bytes(&v, sizeof v);
  }
};

// Identity of a checkpoint folder: for config.json, model.safetensors.index.json and every
// *.safetensors file, its name, size, modification time and first bytes (the JSON files whole;
// a shard's header length and JSON header). Throws Error(Load) when the folder cannot be read.
uint64_t checkpoint_key(const std::filesystem::path& model_dir);

// <cache_dir>/<model folder name>-<place>-<int8|int4>[-head[-<int8|int4|int6>]]<backend>-<key>.fqc
// (int6: a head's format only; <key>: 16 hex digits); <place>: 8 hex digits of a hash of the
// folder's canonical path (two checkpoints in folders of the same name keep a file each);
// `backend` is "" for the CUDA backend's layout and "-cpu" for the CPU backend's.
std::filesystem::path cache_file(const std::filesystem::path& cache_dir,
                                 const std::filesystem::path& model_dir, WeightFormat layers, bool quant_head,
                                 WeightFormat head, std::string_view backend, uint64_t key);

// The notices a backend gives about its cache (CudaBackendOptions / CpuBackendOptions::notice),
// one line each in English with the details (file, reason) for falcon-run; the kind is recovered
// from the line so that the app can word it in the user's language.
enum class CacheNotice {
  Read,        // detail: the file
  Written,     // detail: the file
  Missing,     // no file yet (the first load of this checkpoint in this format); detail: the file
  Unusable,    // a file that cannot be used (stale, damaged, another layout); detail: why
  NotWritten,  // detail: why (disk full, a read-only folder ...)
};
std::string cache_notice(CacheNotice kind, const std::string& detail);
std::optional<CacheNotice> cache_notice_kind(std::string_view line);
// The detail cache_notice() was given (for Missing: the file); empty for a line of no kind.
std::string_view cache_notice_detail(std::string_view line);

// Before `written` (a cache_file() name) is written: removes the files of the same checkpoint
// folder, formats and backend made for another key (the checkpoint changed since: they can never
// be read again, and a Falcon-40B file is tens of GB), those of the same folder name, formats and
// backend named as before names held the folder's place (never read any more), and temporary
// files left by writers that no longer run. Files of other models, formats or backends stay. Returns what was
// removed (count, bytes); never throws.
struct CacheFiles {
  int files = 0;
  uint64_t bytes = 0;
};
CacheFiles remove_stale(const std::filesystem::path& written);

// The finished cache files (*.fqc) in a cache folder, and removing them all (the app's "Remove";
// a writer's temporary file is left to its writer). Never throw.
CacheFiles usage(const std::filesystem::path& cache_dir);
CacheFiles remove_all(const std::filesystem::path& cache_dir);

// One finished cache file, for a listing the user can act on (the app's model dialog): what its
// name says (cache_file's fields: the model folder's name, the layers' and the head's formats,
// the backend's layout), its size and when it was written.
struct CacheName {
  std::string model;         // the model folder's name (characters cache_file replaced stay replaced)
  std::string layers, head;  // "int8" / "int4"; head also "bf16" and "int6" (a head's format only)
  bool cpu = false;          // the CPU backend's layout (else the CUDA backend's)
};
std::optional<CacheName> parse_cache_name(std::string_view file_name);  // nullopt: not a cache file's name
struct CacheFileInfo {
  std::filesystem::path path;
  CacheName name;
  uint64_t bytes = 0;
  int64_t written_unix_s = 0;  // modification time, seconds since the epoch
};
// The finished cache files in a folder (regular files, not links), newest first. Never throws.
std::vector<CacheFileInfo> list_files(const std::filesystem::path& cache_dir);
// Removes one finished cache file (a *.fqc directly in cache_dir; anything else is refused).
// Returns its bytes, or nullopt when it was refused or could not be removed. Never throws.
std::optional<uint64_t> remove_file(const std::filesystem::path& cache_dir,
                                    const std::filesystem::path& file);

// A cache notice's detail with what remove_stale removed, when it removed anything.
std::string with_removed(std::string detail, const CacheFiles& removed);

// What a file must declare to be read, and what the writer declares.
struct Expect {
  WeightFormat layers = WeightFormat::Int8;
  uint64_t key = 0;       // checkpoint_key
  uint64_t layout = 0;    // the caller's hash of its dimensions, formats and segment sizes
  uint64_t segments = 0;  // number of segments
  uint64_t payload = 0;   // their bytes, back to back after the header
};

// A cache file mapped read-only (private: nothing written through it reaches the file), so that
// a load uses the page cache's pages instead of copying them into memory of its own. Guarded
// (MappingGuard): if the file is cut short while mapped, reads of the lost part see zeros and
// changed_on_disk() says so, instead of a SIGBUS ending the process.
class Mapping {
 public:
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  ~Mapping();
  const std::byte* payload() const { return base_ + header_bytes_; }
  uint64_t payload_size() const { return size_ - header_bytes_; }
  // Brings [offset, offset + n) of the payload into memory now (from the page cache, or the disk),
  // so that the first forward pass does not fault it in page by page.
  void populate(uint64_t offset, uint64_t n) const;
  bool changed_on_disk() const;
  const std::filesystem::path& path() const { return path_; }

 private:
  friend class Reader;
  Mapping() = default;
  const std::byte* base_ = nullptr;
  uint64_t size_ = 0, header_bytes_ = 0;
  std::filesystem::path path_;
  std::unique_ptr<MappingGuard> guard_;
};

// Opens `file` and checks its header against `want` (magic, version, header hash, key, layout,
// segment count, exact file size). Never throws for a bad file: open() returns false with the
// reason, and the caller quantizes instead.
class Reader {
 public:
  Reader() = default;
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;
  ~Reader();
  bool open(const std::filesystem::path& file, const Expect& want, std::string* why);
  // Exactly n bytes of the payload, in order; false on a read error or an early end.
  bool read(void* dst, std::size_t n);
  // After open(): the whole file mapped (nothing read yet); null, with *why, when it cannot be.
  std::shared_ptr<const Mapping> map(std::string* why);

 private:
  int fd_ = -1;
  std::filesystem::path file_;
};

// Writes `file` atomically: a temporary file (mode 0600) beside it, fsync'ed and renamed into
// place by commit(), so a crash never leaves a partial file under the final name. Destroyed
// without a successful commit(), it removes the temporary file.
class Writer {
 public:
  Writer() = default;
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  ~Writer();
  // Refused (false, with the numbers in *why) when the file would leave less than keep_free
  // bytes free on its disk (default: 2 GiB, or a twentieth of a smaller disk): a cache must not
  // fill the disk the conversations are saved on.
  bool begin(const std::filesystem::path& file, const Expect& header, std::string* why,
             std::optional<uint64_t> keep_free = std::nullopt);
  bool write(const void* src, std::size_t n);  // false on a write error (disk full ...)
  bool commit(std::string* why);

 private:
  void abandon();
  int fd_ = -1;
  int error_ = 0;  // errno of the first failed write
  std::filesystem::path file_, tmp_;
};

}  // namespace falcon::qcache
