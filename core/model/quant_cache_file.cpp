// The quantization cache's file (see quant_cache_file.h and docs/QUANTIZATION.md).
#include "core/model/quant_cache_file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <vector>

#include "core/common/byte_text.h"
#include "core/common/error.h"
#include "core/model/weight_format_name.h"

namespace falcon::qcache {
namespace {

constexpr char kMagic[8] = {'F', 'A', 'L', 'C', 'O', 'N', 'Q', 'C'};
constexpr uint32_t kVersion = 1;

struct Header {
  char magic[8];
  uint32_t version;
  uint32_t format;  // 1 = int8, 2 = int4 (the layers')
  uint64_t key;
  uint64_t layout;
  uint64_t segments;
  uint64_t payload;  // bytes after the header
  uint64_t check;    // hash of the fields above
};
static_assert(sizeof(Header) == 56);

uint64_t header_check(const Header& h) {
  Fnv64 x;
  x.bytes(&h, offsetof(Header, check));
  return x.h;
}

Header header_of(const Expect& e) {
  Header h{};
  std::memcpy(h.magic, kMagic, 8);
  h.version = kVersion;
  h.format = e.layers == WeightFormat::Int8 ? 1 : 2;
  h.key = e.key;
  h.layout = e.layout;
  h.segments = e.segments;
  h.payload = e.payload;
  h.check = header_check(h);
  return h;
}

bool read_all(int fd, void* p, std::size_t n) {
  auto* b = static_cast<char*>(p);
  while (n > 0) {
    const ssize_t r = ::read(fd, b, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    b += r;
    n -= static_cast<std::size_t>(r);
  }
  return true;
}

bool is_shard(const std::string& name) {
  return name.size() > 12 && name.compare(name.size() - 12, 12, ".safetensors") == 0;
}

}  // namespace

uint64_t checkpoint_key(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string n = e.path().filename().string();
    if (n == "config.json" || n == "model.safetensors.index.json" || is_shard(n)) files.push_back(e.path());
  }
  if (ec)
    throw Error(ErrorKind::Load, "cannot list the model folder '" + dir.string() + "': " + ec.message());
  std::sort(files.begin(), files.end());
  Fnv64 x;
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
    if (is_shard(name)) {
      uint64_t n = 0;
      in.read(reinterpret_cast<char*>(&n), 8);
      want = std::min<uint64_t>(size, 8 + std::min<uint64_t>(n, 100ull << 20));
      in.seekg(0);
    }
    std::vector<char> buf(static_cast<std::size_t>(want));
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    x.bytes(buf.data(), static_cast<std::size_t>(in.gcount()));
  }
  return x.h;
}

std::filesystem::path cache_file(const std::filesystem::path& cache_dir,
                                 const std::filesystem::path& model_dir, WeightFormat layers, bool quant_head,
                                 WeightFormat head, std::string_view backend, uint64_t key) {
  std::error_code ec;
  std::filesystem::path where = std::filesystem::weakly_canonical(std::filesystem::absolute(model_dir), ec);
  if (ec) where = std::filesystem::absolute(model_dir).lexically_normal();
  while (where.has_relative_path() && where.filename().empty())
    where = where.parent_path();  // a trailing '/'
  std::string name = where.filename().string();
  if (name.empty()) name = "model";
  for (char& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_' && ch != '.') ch = '_';
  // The folder's place, so that two checkpoints in folders of the same name (run1/checkpoint-500,
  // run2/checkpoint-500) keep a file each instead of replacing each other's at every load.
  Fnv64 place;
  const std::string full = where.string();
  place.bytes(full.data(), full.size());
  char hex[32];
  std::snprintf(hex, sizeof hex, "-%08x-", static_cast<unsigned>(place.h ^ (place.h >> 32)));
  name += hex;
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(key));
  return cache_dir / (name + weight_format_name(layers) +
                      (!quant_head      ? ""
                       : head == layers ? "-head"
                                        : std::string("-head-") + weight_format_name(head)) +
                      std::string(backend) + "-" + hex + ".fqc");
}

namespace {

constexpr std::string_view kNoticeRead = "quantized weights read from the cache ";
constexpr std::string_view kNoticeWritten = "quantized weights cached in ";
constexpr std::string_view kNoticeUnused = "quantization cache not used: ";
constexpr std::string_view kNoFile = "no cache file ";  // Reader::open's reason for a missing file
constexpr std::string_view kNoticeNotWritten = "quantized weights not cached: ";

}  // namespace

std::string cache_notice(CacheNotice kind, const std::string& detail) {
  switch (kind) {
    case CacheNotice::Read:
      return std::string(kNoticeRead) + detail;
    case CacheNotice::Written:
      return std::string(kNoticeWritten) + detail;
    case CacheNotice::Missing:
      return std::string(kNoticeUnused) + std::string(kNoFile) + detail;
    case CacheNotice::Unusable:
      return std::string(kNoticeUnused) + detail;
    case CacheNotice::NotWritten:
      break;
  }
  return std::string(kNoticeNotWritten) + detail;
}

std::optional<CacheNotice> cache_notice_kind(std::string_view line) {
  if (line.starts_with(kNoticeRead)) return CacheNotice::Read;
  if (line.starts_with(kNoticeWritten)) return CacheNotice::Written;
  if (line.starts_with(kNoticeUnused))
    return line.substr(kNoticeUnused.size()).starts_with(kNoFile) ? CacheNotice::Missing
                                                                  : CacheNotice::Unusable;
  if (line.starts_with(kNoticeNotWritten)) return CacheNotice::NotWritten;
  return std::nullopt;
}

std::string_view cache_notice_detail(std::string_view line) {
  for (const std::string_view prefix : {kNoticeRead, kNoticeWritten, kNoticeUnused, kNoticeNotWritten}) {
    if (!line.starts_with(prefix)) continue;
    line.remove_prefix(prefix.size());
    if (prefix == kNoticeUnused && line.starts_with(kNoFile)) line.remove_prefix(kNoFile.size());
    return line;
  }
  return {};
}

namespace {

bool all_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

// "<folder>-<place, 8 hex>-<formats><backend>" -> "<folder>-<formats><backend>", the prefix the
// same checkpoint's files had before their names held the folder's place; empty when `prefix`
// has no place. Nothing after the place can be 8 hex digits ("int8", "head", "cpu").
std::string unplaced_prefix(const std::string& prefix) {
  for (std::size_t at = prefix.rfind("-int"); at != std::string::npos && at >= 9;
       at = at == 0 ? std::string::npos : prefix.rfind("-int", at - 1)) {
    if (prefix[at - 9] == '-' && all_hex(std::string_view(prefix).substr(at - 8, 8)))
      return prefix.substr(0, at - 9) + prefix.substr(at);
  }
  return {};
}

}  // namespace

CacheFiles remove_stale(const std::filesystem::path& written) {
  CacheFiles out;
  // <prefix>-<16 hex>.fqc: the prefix names the model folder and its place, the formats and the
  // backend. Files of the same prefix and another key are stale, and so are those of the name
  // this version's files had before (no place): this version never reads them.
  const std::string name = written.filename().string();
  constexpr std::size_t kTail = 1 + 16 + 4;  // "-" key ".fqc"
  if (name.size() <= kTail || !name.ends_with(".fqc")) return out;
  const std::string prefix = name.substr(0, name.size() - kTail);
  const std::string before = unplaced_prefix(prefix);
  auto keyed = [](const std::string& file, const std::string& pre) {
    return file.size() == pre.size() + kTail && file.starts_with(pre + "-") && file.ends_with(".fqc") &&
           all_hex(std::string_view(file).substr(pre.size() + 1, 16));
  };
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(written.parent_path(), ec)) {
    const std::string other = e.path().filename().string();
    bool stale = false;
    if (other != name && (keyed(other, prefix) || (!before.empty() && keyed(other, before)))) {
      stale = true;
    } else if (const auto tmp = other.rfind(".fqc.tmp"); tmp != std::string::npos) {
      // A writer's temporary file (<name>.tmp<pid>): stale once its process is gone.
      const std::string pid = other.substr(tmp + 8);
      stale = !pid.empty() && pid.size() < 10 &&
              std::all_of(pid.begin(), pid.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
              ::kill(static_cast<pid_t>(std::stol(pid)), 0) != 0 && errno == ESRCH;
    }
    if (!stale) continue;
    std::error_code size_ec, rm_ec;
    const uint64_t bytes = std::filesystem::file_size(e.path(), size_ec);
    if (std::filesystem::remove(e.path(), rm_ec) && !rm_ec) {
      ++out.files;
      out.bytes += size_ec ? 0 : bytes;
    }
  }
  return out;
}

namespace {

CacheFiles each_cache_file(const std::filesystem::path& dir, bool remove) {
  CacheFiles out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    std::error_code file_ec;
    if (!e.path().filename().string().ends_with(".fqc") || !e.is_regular_file(file_ec)) continue;
    const uint64_t bytes = e.file_size(file_ec);
    if (file_ec) continue;
    if (remove && !std::filesystem::remove(e.path(), file_ec)) continue;
    ++out.files;
    out.bytes += bytes;
  }
  return out;
}

}  // namespace

CacheFiles usage(const std::filesystem::path& cache_dir) {
  return each_cache_file(cache_dir, false);
}

CacheFiles remove_all(const std::filesystem::path& cache_dir) {
  return each_cache_file(cache_dir, true);
}

std::optional<CacheName> parse_cache_name(std::string_view n) {
  // <model>[-<place, 8 hex>]-<int8|int4>[-head[-<int8|int4|int6>]][-cpu]-<key, 16 hex>.fqc, read
  // from the right (the model folder's name may hold any of these pieces itself). int6 is a head's
  // format only: never the layers'.
  auto strip = [&n](std::string_view tail) {
    if (!n.ends_with(tail)) return false;
    n.remove_suffix(tail.size());
    return true;
  };
  auto strip_hex = [&n](std::size_t digits) {
    if (n.size() < digits + 1 || n[n.size() - digits - 1] != '-' || !all_hex(n.substr(n.size() - digits)))
      return false;
    n.remove_suffix(digits + 1);
    return true;
  };
  if (!strip(".fqc") || !strip_hex(16)) return std::nullopt;
  CacheName out;
  out.cpu = strip("-cpu");
  std::string head = "bf16";
  bool head_as_layers = false;
  if (strip("-head-int8"))
    head = "int8";
  else if (strip("-head-int4"))
    head = "int4";
  else if (strip("-head-int6"))
    head = "int6";
  else
    head_as_layers = strip("-head");
  if (strip("-int8"))
    out.layers = "int8";
  else if (strip("-int4"))
    out.layers = "int4";
  else
    return std::nullopt;
  out.head = head_as_layers ? out.layers : head;
  strip_hex(8);  // the folder's place (names written before it have none)
  if (n.empty()) return std::nullopt;
  out.model = std::string(n);
  return out;
}

std::vector<CacheFileInfo> list_files(const std::filesystem::path& cache_dir) {
  std::vector<CacheFileInfo> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(cache_dir, ec)) {
    const auto name = parse_cache_name(e.path().filename().string());
    struct stat st {};
    if (!name || ::lstat(e.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;  // no link
    out.push_back({e.path(), *name, static_cast<uint64_t>(st.st_size), static_cast<int64_t>(st.st_mtime)});
  }
  std::sort(out.begin(), out.end(), [](const CacheFileInfo& a, const CacheFileInfo& b) {
    return a.written_unix_s != b.written_unix_s ? a.written_unix_s > b.written_unix_s : a.path < b.path;
  });
  return out;
}

std::optional<uint64_t> remove_file(const std::filesystem::path& cache_dir,
                                    const std::filesystem::path& file) {
  std::error_code ec;
  const auto dir = std::filesystem::weakly_canonical(cache_dir, ec);
  if (ec) return std::nullopt;
  const auto parent = std::filesystem::weakly_canonical(file.parent_path(), ec);
  if (ec || parent != dir || !parse_cache_name(file.filename().string())) return std::nullopt;
  struct stat st {};
  if (::lstat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;  // no link, no folder
  if (!std::filesystem::remove(file, ec) || ec) return std::nullopt;
  return static_cast<uint64_t>(st.st_size);
}

std::string with_removed(std::string detail, const CacheFiles& removed) {
  std::string s = std::move(detail);
  if (removed.files > 0) {
    s += " (removed " + std::to_string(removed.files) + " outdated file" + (removed.files == 1 ? "" : "s") +
         " of this model, " + gib_text(removed.bytes) + ")";
  }
  return s;
}

Reader::~Reader() {
  if (fd_ >= 0) ::close(fd_);
}

bool Reader::open(const std::filesystem::path& file, const Expect& want, std::string* why) {
  auto fail = [&](const std::string& reason) {
    if (why) *why = reason;
    return false;
  };
  if (fd_ >= 0) ::close(fd_);
  file_ = file;
  fd_ = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    if (errno == ENOENT) return fail(std::string(kNoFile) + file.string());
    return fail("cannot open " + file.string() + ": " + std::strerror(errno));
  }
  Header h{};
  const Header expect = header_of(want);
  struct stat st {};
  if (!read_all(fd_, &h, sizeof h) || std::memcmp(h.magic, kMagic, 8) != 0 || h.version != kVersion ||
      h.check != header_check(h))
    return fail("not a falcon-chat quantization cache (or another version): " + file.string());
  if (h.key != want.key) return fail("the checkpoint changed since the cache was written");
  if (h.format != expect.format || h.layout != want.layout || h.segments != want.segments ||
      h.payload != want.payload)
    return fail("the cache was written for another weight layout");
  if (::fstat(fd_, &st) != 0 || static_cast<uint64_t>(st.st_size) != sizeof h + want.payload)
    return fail("the cache file is truncated (or has bytes past its end)");
  return true;
}

bool Reader::read(void* dst, std::size_t n) {
  return fd_ >= 0 && read_all(fd_, dst, n);
}

std::shared_ptr<const Mapping> Reader::map(std::string* why) {
  struct stat st {};
  if (fd_ < 0 || ::fstat(fd_, &st) != 0 || static_cast<uint64_t>(st.st_size) < sizeof(Header)) {
    if (why) *why = "the cache file could not be read";
    return nullptr;
  }
  // The size open() checked, from the same open file: a file put in its place since is not seen.
  const auto size = static_cast<uint64_t>(st.st_size);
  void* m = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd_, 0);
  if (m == MAP_FAILED) {
    if (why) *why = "cannot map " + file_.string() + ": " + std::strerror(errno);
    return nullptr;
  }
  std::shared_ptr<Mapping> out(new Mapping());
  out->base_ = static_cast<const std::byte*>(m);
  out->size_ = size;
  out->header_bytes_ = sizeof(Header);
  out->path_ = file_;
  out->guard_ = std::make_unique<MappingGuard>(m, size);
  return out;
}

Mapping::~Mapping() {
  guard_.reset();  // unregistered before the address can be reused
  if (base_) ::munmap(const_cast<std::byte*>(base_), size_);
}

void Mapping::populate(uint64_t offset, uint64_t n) const {
  if (n == 0 || offset >= payload_size()) return;
  n = std::min(n, payload_size() - offset);
  const long page = ::sysconf(_SC_PAGESIZE);
  const uint64_t begin = (header_bytes_ + offset) / page * page, end = header_bytes_ + offset + n;
#ifdef MADV_POPULATE_READ
  if (::madvise(const_cast<std::byte*>(base_) + begin, end - begin, MADV_POPULATE_READ) == 0) return;
#endif
  // Older kernels: one read a page (a truncated file reads zeros through the guard).
  volatile std::byte sink{};
  for (uint64_t at = begin; at < end; at += static_cast<uint64_t>(page)) sink = base_[at];
  (void)sink;
}

bool Mapping::changed_on_disk() const {
  return guard_ && guard_->damaged();
}

Writer::~Writer() {
  abandon();
}

void Writer::abandon() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!tmp_.empty()) {
    std::error_code ec;
    std::filesystem::remove(tmp_, ec);
    tmp_.clear();
  }
}

bool Writer::begin(const std::filesystem::path& file, const Expect& header, std::string* why,
                   std::optional<uint64_t> keep_free) {
  abandon();
  error_ = 0;
  std::error_code ec;
  std::filesystem::create_directories(file.parent_path(), ec);
  if (ec) {
    if (why) *why = "cannot create " + file.parent_path().string() + ": " + ec.message();
    return false;
  }
  struct statvfs vfs {};
  if (::statvfs(file.parent_path().c_str(), &vfs) == 0) {
    const uint64_t avail = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
    const uint64_t need = sizeof(Header) + header.payload;
    const uint64_t disk = static_cast<uint64_t>(vfs.f_blocks) * vfs.f_frsize;
    const uint64_t keep = keep_free.value_or(std::min<uint64_t>(uint64_t{2} << 30, disk / 20));
    if (avail < need || avail - need < keep) {
      if (why)
        *why = "the disk of " + file.parent_path().string() + " has " + gib_text(avail) +
               " free; the file would take " + gib_text(need) + " and leave less than " + gib_text(keep);
      return false;
    }
  }
  file_ = file;
  tmp_ = file.string() + ".tmp" + std::to_string(::getpid());
  fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd_ < 0) {
    if (why) *why = "cannot write " + tmp_.string() + ": " + std::strerror(errno);
    tmp_.clear();
    return false;
  }
  const Header h = header_of(header);
  return write(&h, sizeof h);
}

bool Writer::write(const void* src, std::size_t n) {
  const auto* b = static_cast<const char*>(src);
  while (fd_ >= 0 && error_ == 0 && n > 0) {
    const ssize_t r = ::write(fd_, b, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      error_ = r < 0 ? errno : ENOSPC;
      break;
    }
    b += r;
    n -= static_cast<std::size_t>(r);
  }
  return fd_ >= 0 && error_ == 0;
}

bool Writer::commit(std::string* why) {
  auto fail = [&](const std::string& reason) {
    abandon();
    if (why) *why = reason;
    return false;
  };
  if (fd_ < 0) return fail("the quantization cache was not started");
  if (error_ == 0 && ::fsync(fd_) != 0) error_ = errno;
  const int closed = ::close(fd_);
  fd_ = -1;
  if (error_ == 0 && closed != 0) error_ = errno;
  if (error_ != 0)
    return fail("cannot write the quantization cache " + file_.string() + ": " + std::strerror(error_));
  std::error_code ec;
  std::filesystem::rename(tmp_, file_, ec);
  if (ec) return fail("cannot rename the quantization cache into place: " + ec.message());
  tmp_.clear();
  return true;
}

}  // namespace falcon::qcache
