// Strict safetensors header validation and read-only memory mapping.
#include "core/model/safetensors.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "core/common/error.h"
#include "core/common/json_depth.h"
#include "core/common/load_issue.h"
#include "core/common/mapping_guard.h"

namespace falcon {

const char* dtype_name(DType dtype) {
  switch (dtype) {
    case DType::BF16:
      return "BF16";
    case DType::F16:
      return "F16";
    case DType::F32:
      return "F32";
  }
  return "?";
}

std::size_t dtype_size(DType dtype) {
  return dtype == DType::F32 ? 4 : 2;
}

int64_t TensorView::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

int64_t TensorView::row_size() const {
  int64_t n = 1;
  for (std::size_t i = 1; i < shape.size(); ++i) n *= shape[i];
  return n;
}

float bf16_to_float(uint16_t bits) {
  uint32_t u = static_cast<uint32_t>(bits) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

float f16_to_float(uint16_t bits) {
  const uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  uint32_t exp = (bits >> 10) & 0x1fu;
  uint32_t mant = bits & 0x3ffu;
  uint32_t u;
  if (exp == 0x1f) {  // inf / NaN
    u = sign | 0x7f800000u | (mant << 13);
  } else if (exp != 0) {  // normal: rebias 15 -> 127
    u = sign | ((exp + 112u) << 23) | (mant << 13);
  } else if (mant == 0) {  // signed zero
    u = sign;
  } else {  // subnormal: shift the mantissa up until its leading 1 is the implicit bit
    int e = -1;
    do {
      ++e;
      mant <<= 1;
    } while ((mant & 0x400u) == 0);
    u = sign | static_cast<uint32_t>(112 - e) << 23 | ((mant & 0x3ffu) << 13);
  }
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

void to_float(const TensorView& view, int64_t first, int64_t count, float* out) {
  if (first < 0 || count < 0 || first + count > view.numel()) {
    throw Error(ErrorKind::Other, "to_float: element range outside tensor " + std::string(view.name));
  }
  const std::byte* p = view.data.data() + first * static_cast<int64_t>(dtype_size(view.dtype));
  switch (view.dtype) {
    case DType::F32:
      std::memcpy(out, p, static_cast<std::size_t>(count) * 4);
      break;
    case DType::BF16:
      for (int64_t i = 0; i < count; ++i) {
        uint16_t b;
        std::memcpy(&b, p + 2 * i, 2);
        out[i] = bf16_to_float(b);
      }
      break;
    case DType::F16:
      for (int64_t i = 0; i < count; ++i) {
        uint16_t b;
        std::memcpy(&b, p + 2 * i, 2);
        out[i] = f16_to_float(b);
      }
      break;
  }
}

void rows_to_float(const TensorView& view, int64_t row_begin, int64_t row_count, float* out) {
  const int64_t rs = view.row_size();
  to_float(view, row_begin * rs, row_count * rs, out);
}

namespace {

using nlohmann::json;

[[noreturn]] void bad(const std::string& origin, const std::string& what) {
  throw_load_error(load_issue_text(LoadIssue::InvalidSafetensors, {origin, what}));
}

bool parse_dtype(const std::string& s, DType& out) {
  if (s == "BF16")
    out = DType::BF16;
  else if (s == "F16")
    out = DType::F16;
  else if (s == "F32")
    out = DType::F32;
  else
    return false;
  return true;
}

bool is_known_other_dtype(const std::string& s) {
  static constexpr const char* kOthers[] = {"F64",     "I64", "I32",     "I16",     "I8",      "U64",
                                            "U32",     "U16", "U8",      "BOOL",    "F8_E4M3", "F8_E5M2",
                                            "F8_E8M0", "F4",  "F6_E2M3", "F6_E3M2", "C64"};
  return std::any_of(std::begin(kOthers), std::end(kOthers), [&](const char* o) { return s == o; });
}

uint64_t as_offset(const json& v, const std::string& origin, const std::string& what) {
  if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<int64_t>() >= 0)) {
    bad(origin, what + " must be a non-negative integer, got " + v.dump().substr(0, 64));
  }
  return v.get<uint64_t>();
}

}  // namespace

SafetensorsHeader parse_safetensors_header(std::span<const std::byte> file, const std::string& origin) {
  if (file.size() < 8) throw_load_error(load_issue_text(LoadIssue::FileTooShort, {origin}));
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<uint8_t>(file[static_cast<std::size_t>(i)]);
  if (n < 2) bad(origin, "header length " + std::to_string(n) + " is too small");
  if (n > kMaxSafetensorsHeaderBytes) {
    bad(origin, "header length " + std::to_string(n) + " exceeds the limit of " +
                    std::to_string(kMaxSafetensorsHeaderBytes) + " bytes");
  }
  if (n > file.size() - 8) {
    throw_load_error(
        load_issue_text(LoadIssue::HeaderCutShort, {origin, std::to_string(n), std::to_string(file.size())}));
  }
  const char* text = reinterpret_cast<const char*>(file.data() + 8);
  if (!json_depth_within(std::string_view(text, n)))
    bad(origin, "header nests arrays/objects more than " + std::to_string(kMaxJsonDepth) + " levels deep");
  json j = json::parse(text, text + n, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) bad(origin, "header is not well-formed JSON");
  if (!j.is_object()) bad(origin, "header must be a JSON object");

  SafetensorsHeader h;
  h.data_offset = 8 + n;
  const uint64_t data_size = file.size() - h.data_offset;
  for (const auto& [name, v] : j.items()) {
    if (name == "__metadata__") {
      if (!v.is_object()) bad(origin, "__metadata__ must be an object of strings");
      for (const auto& [k, mv] : v.items()) {
        if (!mv.is_string()) bad(origin, "__metadata__ value of '" + k + "' must be a string");
        h.metadata[k] = mv.get<std::string>();
      }
      continue;
    }
    const std::string t = "tensor '" + name + "'";
    if (name.empty()) bad(origin, "a tensor has an empty name");
    if (!v.is_object()) bad(origin, t + " must be an object");
    if (v.size() != 3 || !v.contains("dtype") || !v.contains("shape") || !v.contains("data_offsets")) {
      bad(origin, t + " must have exactly the keys dtype, shape, data_offsets");
    }
    SafetensorsEntry e;
    e.name = name;
    const json& dt = v["dtype"];
    if (!dt.is_string()) bad(origin, t + ": dtype must be a string");
    const std::string ds = dt.get<std::string>();
    if (!parse_dtype(ds, e.dtype)) {
      if (is_known_other_dtype(ds)) {
        throw_load_error(load_issue_text(LoadIssue::UnsupportedDtype, {origin, name, ds}));
      }
      bad(origin, t + " has unknown dtype '" + ds + "'");
    }
    const json& shape = v["shape"];
    if (!shape.is_array()) bad(origin, t + ": shape must be an array");
    if (shape.size() > 8) bad(origin, t + ": shape has more than 8 dimensions");
    // numel with overflow checks: any product above 2^62 cannot fit in a file anyway.
    uint64_t numel = 1;
    constexpr uint64_t kLimit = uint64_t{1} << 62;
    for (const auto& d : shape) {
      uint64_t dim = as_offset(d, origin, t + ": shape dimension");
      if (dim > kLimit) bad(origin, t + ": shape dimension too large");
      e.shape.push_back(static_cast<int64_t>(dim));
      if (dim != 0 && numel > kLimit / dim) bad(origin, t + ": shape too large");
      numel *= dim;
    }
    const json& off = v["data_offsets"];
    if (!off.is_array() || off.size() != 2) bad(origin, t + ": data_offsets must be [begin, end]");
    const uint64_t b = as_offset(off[0], origin, t + ": data_offsets[0]");
    const uint64_t en = as_offset(off[1], origin, t + ": data_offsets[1]");
    if (b > en) bad(origin, t + ": data_offsets begin " + std::to_string(b) + " > end " + std::to_string(en));
    if (en > data_size) {
      throw_load_error(load_issue_text(LoadIssue::DataCutShort,
                                       {origin, name, std::to_string(en), std::to_string(data_size)}));
    }
    const uint64_t bytes = numel * dtype_size(e.dtype);
    if (en - b != bytes) {
      bad(origin, t + ": " + ds + " x shape needs " + std::to_string(bytes) +
                      " bytes but data_offsets span " + std::to_string(en - b));
    }
    e.begin = h.data_offset + b;
    e.end = h.data_offset + en;
    h.tensors.push_back(std::move(e));
  }
  std::sort(h.tensors.begin(), h.tensors.end(), [](const SafetensorsEntry& a, const SafetensorsEntry& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  for (std::size_t i = 1; i < h.tensors.size(); ++i) {
    const auto& prev = h.tensors[i - 1];
    const auto& cur = h.tensors[i];
    if (cur.begin < prev.end) bad(origin, "tensors '" + prev.name + "' and '" + cur.name + "' overlap");
  }
  return h;
}

struct SafetensorsFile::Impl {
  std::filesystem::path path;
  void* map = nullptr;
  std::size_t size = 0;
  SafetensorsHeader header;
  std::unique_ptr<MappingGuard> guard;  // a file truncated under us reads as zeros, not SIGBUS

  ~Impl() {
    guard.reset();  // unregistered before the address range can be reused
    if (map) munmap(map, size);
  }
};

SafetensorsFile::SafetensorsFile(const std::filesystem::path& path) : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw_load_error("cannot open " + path.string() + ": " + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw_load_error(path.string() + " is not a regular file");
  }
  impl_->size = static_cast<std::size_t>(st.st_size);
  if (impl_->size < 8) {
    ::close(fd);
    throw_load_error(load_issue_text(LoadIssue::FileTooShort, {path.string()}));
  }
  void* m = mmap(nullptr, impl_->size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (m == MAP_FAILED) throw_load_error("cannot map " + path.string() + ": " + std::strerror(errno));
  impl_->map = m;
  impl_->guard = std::make_unique<MappingGuard>(m, impl_->size);
  impl_->header = parse_safetensors_header(bytes(), path.string());
}

SafetensorsFile::~SafetensorsFile() = default;
SafetensorsFile::SafetensorsFile(SafetensorsFile&&) noexcept = default;
SafetensorsFile& SafetensorsFile::operator=(SafetensorsFile&&) noexcept = default;

const std::filesystem::path& SafetensorsFile::path() const {
  return impl_->path;
}
const SafetensorsHeader& SafetensorsFile::header() const {
  return impl_->header;
}

const SafetensorsEntry* SafetensorsFile::find(std::string_view name) const {
  for (const auto& e : impl_->header.tensors) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

TensorView SafetensorsFile::view(const SafetensorsEntry& e) const {
  TensorView v;
  v.name = e.name;
  v.dtype = e.dtype;
  v.shape = e.shape;
  v.data = bytes().subspan(e.begin, e.end - e.begin);
  return v;
}

bool SafetensorsFile::changed_on_disk() const {
  return impl_->guard && impl_->guard->damaged();
}

std::span<const std::byte> SafetensorsFile::bytes() const {
  return {static_cast<const std::byte*>(impl_->map), impl_->size};
}

}  // namespace falcon
