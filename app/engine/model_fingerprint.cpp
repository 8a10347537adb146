// model_fingerprint(): which checkpoint made a conversation, so a resumed chat knows whether
// its stored token ids still mean the same thing.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "app/engine/chat_session.h"

namespace falcon {

namespace {

// FNV-1a, 64 bit: an identity check, not a security boundary.
void fnv1a(std::uint64_t& h, const char* data, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    h ^= static_cast<unsigned char>(data[i]);
    h *= 1099511628211ull;
  }
}

void hash_file_prefix(std::uint64_t& h, const std::filesystem::path& p, std::size_t max_bytes) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return;
  std::vector<char> buf(max_bytes);
  in.read(buf.data(), static_cast<std::streamsize>(max_bytes));
  fnv1a(h, buf.data(), static_cast<std::size_t>(in.gcount()));
}

// Hashes the safetensors header (8-byte length + JSON), which names every tensor with its
// dtype, shape and offsets; a different checkpoint of the same shape differs in the data, so
// the file size is hashed too and, for small files, everything.
void hash_safetensors(std::uint64_t& h, const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  unsigned char len_bytes[8] = {};
  if (!in.read(reinterpret_cast<char*>(len_bytes), 8)) return;
  std::uint64_t len = 0;
  for (int i = 7; i >= 0; --i) len = (len << 8) | len_bytes[i];
  std::error_code ec;
  const auto size = std::filesystem::file_size(p, ec);
  const std::string size_text = std::to_string(ec ? 0 : size);
  fnv1a(h, size_text.data(), size_text.size());
  hash_file_prefix(h, p, static_cast<std::size_t>(std::min<std::uint64_t>(8 + len, 64ull << 20)));
}

}  // namespace

std::string model_fingerprint(const std::string& model_dir) {
  std::error_code ec;
  const auto dir = std::filesystem::weakly_canonical(model_dir, ec);
  std::uint64_t h = 1469598103934665603ull;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const auto name = entry.path().filename().string();
    if (name == "config.json" || name == "tokenizer.json" || name == "tokenizer.model" ||
        entry.path().extension() == ".safetensors") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    const auto name = f.filename().string();
    fnv1a(h, name.data(), name.size());
    if (f.extension() == ".safetensors") {
      hash_safetensors(h, f);
    } else {
      hash_file_prefix(h, f, 64u << 20);
    }
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return dir.string() + "#" + hex;
}

std::string reply_model_name(const std::string& model_dir, const std::string& weight_format) {
  std::filesystem::path dir(model_dir);
  if (!dir.has_filename()) dir = dir.parent_path();  // "models/falcon-7b/"
  std::string name = dir.filename().string();
  if (weight_format == "int8" || weight_format == "int4") name += " \xC2\xB7 " + weight_format;  // ·
  return name;
}

}  // namespace falcon
