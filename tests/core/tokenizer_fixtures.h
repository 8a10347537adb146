#pragma once
// Shared loader for tests/fixtures/tokenizers/cases.json (made by tools/make_tokenizer_fixtures.py
// with HF tokenizers / sentencepiece on the GPU machine).
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace falcon::test {

inline std::filesystem::path tokenizer_fixtures_dir() {
  return std::filesystem::path(FALCON_FIXTURES_DIR) / "tokenizers";
}

inline nlohmann::json read_json_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  return nlohmann::json::parse(buf.str());
}

inline bool tokenizer_fixtures_present() {
  return std::filesystem::exists(tokenizer_fixtures_dir() / "cases.json");
}

}  // namespace falcon::test
